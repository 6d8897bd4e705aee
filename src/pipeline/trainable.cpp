#include "weft/pipeline/trainable.hpp"

#include <algorithm>
#include <cmath>

#include "weft/error.hpp"
#include "weft/nn/rng.hpp"
#include "weft/nn/weights.hpp"
#include "weft/pipeline/registry.hpp"

namespace weft {

TrainablePipe::TrainablePipe(std::string name, const Json& tok2vec_config, std::shared_ptr<Vocab> vocab)
    : Component(std::move(name)), vocab_(std::move(vocab)) {
  if (tok2vec_config.is_null()) {
    upstream_ = "tok2vec";
  } else if (tok2vec_config.is_object() && tok2vec_config.contains("upstream")) {
    for (const auto& [key, value] : tok2vec_config.items())
      if ((key != "upstream" && key != "grad_factor") || (key == "upstream" && !value.is_string()) ||
          (key == "grad_factor" && !value.is_number()))
        throw ValueError("component \"" + this->name() +
                         "\": a listener config is {\"upstream\": NAME, \"grad_factor\": NUMBER (optional)}, got " +
                         tok2vec_config.dump());
    upstream_ = tok2vec_config["upstream"].get<std::string>();
    grad_factor_ = tok2vec_config.value("grad_factor", 1.f);
    if (!(grad_factor_ >= 0.f))
      throw ValueError("component \"" + this->name() + "\": grad_factor must be >= 0, got " + std::to_string(grad_factor_));
  } else {
    own_ = Registry::global().get<EncoderFactory>("encoders", "weft.Tok2Vec.v1")(this->name() + ".tok2vec", tok2vec_config, vocab_);
  }
}

TrainablePipe::~TrainablePipe() = default;

Json TrainablePipe::tok2vec_config() const {
  if (own_) return own_->config();
  Json j = Json::object();
  j["upstream"] = upstream_;
  if (grad_factor_ != 1.f) j["grad_factor"] = grad_factor_;
  return j;
}

nn::Layer& TrainablePipe::model() const {
  if (!model_ || !model_->initialized())
    throw ModelError("component \"" + name() + "\" has no trained model (train it or load a model)");
  return *model_;
}

std::int64_t TrainablePipe::own_width() const noexcept { return own_ ? own_->width() : 0; }

void TrainablePipe::initialize_own_tok2vec(std::span<const Doc> gold, std::uint64_t seed) {
  if (own_) own_->initialize(gold, nn::stream_seed(seed, "tok2vec"));
}

TrainablePipe::Update TrainablePipe::update(std::span<const Doc> gold, std::span<const Doc> encoder_input,
                                            const nn::Ragged* shared, std::mt19937_64& rng) {
  nn::Forward own;
  if (own_) {
    own = own_->model().forward(own_->train_keys(encoder_input, rng), true);
    shared = &own.Y;
  } else if (shared == nullptr) {
    throw ValueError("component \"" + name() + "\" listens to tok2vec \"" + upstream_ + "\": update it with that encoder's output");
  }
  nn::Forward f = model().forward(*shared, true);
  nn::Loss loss = get_loss(gold, f.Y.data);
  Update u;
  u.loss = loss.value;
  backend::Tensor d_shared = f.backprop(loss.grad);
  if (own_)
    own.backprop(d_shared);
  else
    u.d_shared = std::move(d_shared);
  return u;
}

nn::Ragged TrainablePipe::input(std::span<Doc> docs, PipeContext& context) const {
  if (own_) return own_->predict(docs);
  auto it = context.tok2vec.find(upstream_);
  if (it == context.tok2vec.end())
    throw ValueError("component \"" + name() + "\" listens to tok2vec \"" + upstream_ +
                     "\", which has not run before it in this pipeline");
  return it->second;
}

void TrainablePipe::pipe(std::span<Doc> docs, PipeContext& context) const {
  if (docs.empty()) return;
  const nn::Ragged scores = model().predict(input(docs, context));
  set_annotations(docs, scores.data.device().is_cpu() ? scores.data : scores.data.to(backend::Device::cpu()));
}

void TrainablePipe::pipe(std::span<Doc> docs) const {
  if (!own_)
    throw ValueError("component \"" + name() + "\" listens to tok2vec \"" + upstream_ +
                     "\": run it inside its pipeline");
  PipeContext context;
  pipe(docs, context);
}

void TrainablePipe::operator()(Doc& doc) const { pipe(std::span<Doc>(&doc, 1)); }

void TrainablePipe::save_model(const std::filesystem::path& dir, nn::Layer& weights) const {
  std::filesystem::create_directories(dir);
  nn::save_weights(weights, (dir / "weights.safetensors").string(),
                   storage_ == "f32" ? nn::StorageType::F32 : nn::StorageType::F16);
  if (own_) own_->to_disk(dir / "tok2vec");
}

void TrainablePipe::to(backend::Device device) {
  if (model_) {
    model_->to(device);
    prepare_inference();
  }
  if (own_) own_->to(device);
}

void TrainablePipe::load_model(const std::filesystem::path& dir) {
  if (own_) own_->from_disk(dir / "tok2vec");
  nn::load_model(*model_, (dir / "weights.safetensors").string());
  prepare_inference();
}

double softmax_xent(const float* logits, std::int64_t n, std::int64_t total, std::int64_t col, std::int64_t C,
                    std::span<const std::int32_t> labels, float normalizer, float* grad, float smoothing) {
  double loss = 0.0;
  std::vector<float> p(static_cast<std::size_t>(C));
  const float spread = smoothing / static_cast<float>(C);  // every label's share of the smoothing
  for (std::int64_t i = 0; i < n; ++i) {
    const std::int32_t y = labels[static_cast<std::size_t>(i)];
    if (y < 0) continue;
    const float* z = logits + i * total + col;
    const float m = *std::max_element(z, z + C);
    double sum = 0.0;
    for (std::int64_t c = 0; c < C; ++c) sum += (p[static_cast<std::size_t>(c)] = std::exp(z[c] - m));
    const auto inv = static_cast<float>(1.0 / sum);
    float* g = grad + i * total + col;
    for (std::int64_t c = 0; c < C; ++c) g[c] += (p[static_cast<std::size_t>(c)] * inv - spread) / normalizer;
    g[y] -= (1.f - smoothing) / normalizer;
    auto log_p = [&](std::int64_t c) { return std::log(std::max(1e-30, static_cast<double>(p[static_cast<std::size_t>(c)]) / sum)); };
    loss -= (1.0 - smoothing) * log_p(y);
    if (smoothing > 0.f)
      for (std::int64_t c = 0; c < C; ++c) loss -= spread * log_p(c);
  }
  return loss;
}

}  // namespace weft
