// Whole pipelines on a device (issue 18): Pipeline::to, the encoder's layers path, and greedy decoding
// with the states scored through the backend's ops (ParserModel::DeviceRows). What a GPU runs is checked
// on the CPU here, through the same code with the CPU's ops, against the CPU's own inference paths; the
// cases that need a CUDA device (whole-pipeline parity with the CPU, results across batch sizes) are
// reported skipped without one.
#include <doctest/doctest.h>

#include <cmath>
#include <random>
#include <fstream>
#include <string>
#include <vector>

#include "test_paths.hpp"
#include "weft/backend/cpu_int8.hpp"
#include "weft/backend/device_info.hpp"
#include "weft/backend/ops.hpp"
#include "weft/components/ner/ner.hpp"
#include "weft/components/parser/parser.hpp"
#include "weft/components/parser/parser_model.hpp"
#include "weft/components/parser/transition_loop.hpp"
#include "weft/doc/conllu.hpp"
#include "weft/doc/doc_chunks.hpp"
#include "weft/error.hpp"
#include "weft/pipeline/encoder.hpp"
#include "weft/pipeline/model_io.hpp"
#include "weft/pipeline/pipeline.hpp"

using namespace weft;
using weft::test::Chunking;
using weft::test::dev_lines;
using weft::test::DevicePaths;
using weft::test::source_path;

namespace {


struct Agreement {
  std::size_t tokens = 0, differ = 0;
};

// Tokens whose annotations (tags, morphology, lemma, head, relation, sentence start, entity) differ.
Agreement compare(const std::vector<Doc>& a, const std::vector<Doc>& b) {
  REQUIRE(a.size() == b.size());
  Agreement out;
  for (std::size_t d = 0; d < a.size(); ++d) {
    REQUIRE(a[d].size() == b[d].size());
    for (std::size_t i = 0; i < a[d].size(); ++i) {
      const TokenData &x = a[d].data(i), &y = b[d].data(i);
      const bool same = x.pos == y.pos && x.tag == y.tag && x.morph == y.morph &&
                        a[d].str(x.lemma) == b[d].str(y.lemma) && x.head == y.head && x.dep == y.dep &&
                        x.sent_start == y.sent_start && x.ent_iob == y.ent_iob && x.ent_type == y.ent_type;
      ++out.tokens;
      if (!same && out.differ++ < 5) MESSAGE("doc " << d << " token " << i << " \"" << a[d].token_text(i) << "\" differs");
    }
  }
  return out;
}

bool no_cuda_device() {
  static const bool none = backend::cuda_device_count() == 0;
  return none;
}

// DeviceRows on `device` against the host's scoring of a round of greedy decoding (hidden() per
// state, output() for all) for random states of a random model: every token
// slot empty or a word (the chunk's first `before` words are its context), every label slot "none" or a
// label. Returns the largest absolute difference.
float device_rows_against_host(backend::Device device) {
  ParserModelShape shape;
  shape.width = 24;
  shape.token_slots = 5;
  shape.label_slots = 3;
  shape.n_labels = 7;
  shape.n_actions = 11;
  shape.hidden = 16;
  shape.pieces = 3;
  ParserModel m(shape);
  std::mt19937 gen(7);
  std::uniform_real_distribution<float> u(-1.f, 1.f);
  const std::int64_t words = 40, before = 2;
  std::vector<float> x(static_cast<std::size_t>(words * shape.width));
  for (float& v : x) v = u(gen);
  const nn::Ragged X{backend::Tensor::from_vector(x, {words, shape.width}),
                     backend::Tensor::from_vector(std::vector<std::int32_t>{static_cast<std::int32_t>(words)}, {1})};
  m.initialize(&X, nullptr, std::uint64_t{3});
  for (nn::Param* p : m.params()) {  // the output layer starts at zero: make every part count
    std::vector<float> v(static_cast<std::size_t>(p->value.numel()));
    for (float& f : v) f = u(gen);
    p->value.copy_from(backend::Tensor::from_vector(v, p->value.shape()));
  }
  const ParserModelShape& sh = m.shape();
  const std::int64_t stride = sh.token_slots * m.row_width(), S = 64;
  backend::Tensor P = backend::Tensor::empty({words, stride}, backend::DType::F32);
  m.precompute(X.data, P);
  const ParserModel::HostView view = m.host_view(false);
  std::vector<std::int64_t> slot_words(static_cast<std::size_t>(S * sh.token_slots));
  std::vector<std::int32_t> labels(static_cast<std::size_t>(S * sh.label_slots));
  std::uniform_int_distribution<std::int64_t> word(-before - 1, words - before - 1);  // -before - 1: empty
  std::uniform_int_distribution<std::int32_t> label(-1, static_cast<std::int32_t>(sh.n_labels) - 1);
  for (auto& w : slot_words) {
    w = word(gen);
    if (w < -before) w = -1;  // an empty slot
  }
  for (auto& l : labels) l = label(gen);
  std::vector<float> host(static_cast<std::size_t>(S * sh.n_actions)), dev(host.size());
  std::vector<float> hidden(static_cast<std::size_t>(S * sh.hidden));
  ParserModel::Scratch scratch;
  std::vector<const float*> rows(static_cast<std::size_t>(sh.token_slots));
  for (std::int64_t k = 0; k < S; ++k) {
    for (std::int64_t f = 0; f < sh.token_slots; ++f) {
      const std::int64_t w = slot_words[static_cast<std::size_t>(k * sh.token_slots + f)];
      rows[static_cast<std::size_t>(f)] = w < 0 ? nullptr : P.data<float>() + (w + before) * stride + f * m.row_width();
    }
    m.hidden(view, rows.data(), labels.data() + k * sh.label_slots, hidden.data() + k * sh.hidden, scratch);
  }
  m.output(view, hidden.data(), S, host.data());  // as greedy_decode scores a round
  m.to(device);
  ParserModel::DeviceRows on(m, X.data.to(device), before);
  on.score(slot_words.data(), labels.data(), S, dev.data());
  float worst = 0.f;
  for (std::size_t i = 0; i < host.size(); ++i) worst = std::max(worst, std::abs(host[i] - dev[i]));
  return worst;
}

// Every parameter gradient of a model, flattened in order.
std::vector<float> gradients(nn::Layer& m) {
  std::vector<float> out;
  for (nn::Param* p : m.params()) {
    const std::vector<float> g = p->grad.to_vector<float>();
    out.insert(out.end(), g.begin(), g.end());
  }
  return out;
}

float largest_difference(const std::vector<float>& a, const std::vector<float>& b, float* largest) {
  REQUIRE(a.size() == b.size());
  float worst = 0.f;
  for (std::size_t i = 0; i < a.size(); ++i) {
    worst = std::max(worst, std::abs(a[i] - b[i]));
    *largest = std::max(*largest, std::abs(a[i]));
  }
  return worst;
}

// The oracle's loss and gradients of a transition component (initialised on gold Docs, its weights
// made random so that every part counts) on the host's loop and on the device's rounds (through the
// CPU's ops): they must agree where the oracle's choices do not depend on random draws (explore 0:
// always the gold move, 1: always the model's best valid move; no dropout).
void check_oracle_on_device(TrainablePipe& c, std::span<const Doc> gold) {
  c.initialize(gold, 32, 5);
  nn::Layer& m = c.model();
  std::mt19937 gen(11);
  std::uniform_real_distribution<float> u(-0.5f, 0.5f);
  for (nn::Param* p : m.params()) {
    std::vector<float> v(static_cast<std::size_t>(p->value.numel()));
    for (float& f : v) f = u(gen);
    p->value.copy_from(backend::Tensor::from_vector(v, p->value.shape()));
  }
  std::int64_t n = 0;
  for (const Doc& d : gold) n += static_cast<std::int64_t>(d.size());
  std::vector<float> x(static_cast<std::size_t>(n * 32));
  for (float& f : x) f = u(gen);
  const nn::Ragged X{backend::Tensor::from_vector(x, {n, 32}),
                     backend::Tensor::from_vector(std::vector<std::int32_t>{static_cast<std::int32_t>(n)}, {1})};
  const backend::Tensor P = m.forward(X, true).Y.data;
  const auto zero = [&] {
    for (nn::Param* p : m.params()) backend::ops(backend::Device::cpu()).fill(p->grad, 0.f);
  };
  zero();
  const nn::Loss host = c.get_loss(gold, P);
  const std::vector<float> host_grads = gradients(m);
  zero();
  nn::Loss device;
  {
    const DevicePaths on;
    device = c.get_loss(gold, P);
  }
  const std::vector<float> device_grads = gradients(m);
  CHECK(host.n_labelled == device.n_labelled);
  CHECK(device.value == doctest::Approx(host.value).epsilon(1e-5));
  float largest = 0.f;
  const float params = largest_difference(host_grads, device_grads, &largest);
  MESSAGE("loss " << host.value << ", largest parameter gradient " << largest << ", differing by at most " << params);
  CHECK(params <= 1e-4f * std::max(1.f, largest));  // sums of thousands of states, in another order
  largest = 0.f;
  const float rows = largest_difference(host.grad.to_vector<float>(), device.grad.to_vector<float>(), &largest);
  CHECK(rows <= 1e-4f * std::max(1.f, largest));
}

}  // namespace

TEST_CASE("device: the oracle's rounds on the device give the host loop's loss and gradients") {
  auto vocab = std::make_shared<Vocab>();
  std::vector<Doc> gold = read_conllu_file(weft::test::data_path("en_ewt/dev.conllu"), vocab);
  gold.erase(gold.begin() + 60, gold.end());
  for (const float explore : {0.f, 1.f}) {
    CAPTURE(explore);
    Json config = Json::object();
    config["explore"] = explore;
    DependencyParser parser("parser", config, vocab);
    check_oracle_on_device(parser, gold);
    EntityRecognizer ner("ner", config, vocab);
    check_oracle_on_device(ner, gold);
  }
}

TEST_CASE("device: DeviceRows scores states as the host's greedy rounds do, exactly on the CPU") {
  CHECK(device_rows_against_host(backend::Device::cpu()) == 0.f);
}

TEST_CASE("cuda: DeviceRows on a GPU scores states as the host's greedy rounds do" * doctest::skip(no_cuda_device())) {
  CHECK(device_rows_against_host(backend::Device::cuda(0)) <= 1e-4f);
}

TEST_CASE("device: the GPU's paths run on the CPU agree with the CPU's and do not depend on the batch") {
  // f32 throughout, so the only difference left is how the encoder sums (folded tables or layers).
  const backend::CpuInt8Scope f32(false);
  Pipeline nlp = load(source_path("models/en_ewt_sm"));
  const std::vector<std::string> lines = dev_lines(600);
  const std::vector<Doc> cpu = nlp.pipe(lines);
  const DevicePaths on;
  const std::vector<Doc> device = nlp.pipe(lines, PipeOptions{.batch_size = 600});
  const Agreement a = compare(cpu, device);
  MESSAGE(a.differ << " of " << a.tokens << " tokens differ");
  CHECK(a.tokens > 9000);
  CHECK(a.differ * 1000 <= a.tokens);  // at least 99.9% of tokens identical in every annotation
  CHECK(compare(device, nlp.pipe(lines, PipeOptions{.batch_size = 37})).differ == 0);
  SUBCASE("in small passes, with a long Doc cut in runs of sentences") {
    // 300 words a pass: many passes of whole Docs, and the long Doc below in runs of whole sentences,
    // whose states read the words around their runs through the pass's context rows.
    std::string text;
    for (std::size_t k = 0; k < 150; ++k) text += (text.empty() ? "" : " ") + lines[k];
    const std::vector<std::string> long_doc{text};
    const std::vector<Doc> whole = nlp.pipe(long_doc);
    const Chunking small(InferenceChunking{512, 4096, 300});
    CHECK(compare(device, nlp.pipe(lines, PipeOptions{.batch_size = 600})).differ == 0);
    CHECK(compare(whole, nlp.pipe(long_doc)).differ == 0);
  }
}

TEST_CASE("device: the encoder's layers path equals the folded path, however the batch is cut") {
  Pipeline nlp = load(source_path("models/en_ewt_sm"));
  const std::vector<std::string> lines = dev_lines(120);
  // A Doc without sentence punctuation: the sentencizer leaves long sentences, which a small pass cuts
  // into windows overlapping by the encoder's reach.
  std::string text;
  for (const std::string& l : lines)
    for (const char c : l) text += (c == '.' || c == '!' || c == '?') ? ' ' : c;
  std::vector<Doc> docs;
  for (const std::string& l : lines) docs.push_back(nlp.make_doc(l));
  docs.push_back(nlp.make_doc(text));
  const backend::CpuInt8Scope f32(false);  // the folded path as trained, to compare values closely
  TokenEncoder& enc = *nlp.get_pipe("tok2vec").as_encoder();
  const nn::Ragged folded = enc.predict(docs);
  enc.discard_inference();
  const nn::Ragged whole = enc.predict(docs);
  nn::Ragged cut;
  {
    const Chunking small(InferenceChunking{512, 4096, 57});
    cut = enc.predict(docs);
  }
  enc.prepare_inference();
  REQUIRE(whole.data.shape() == folded.data.shape());
  REQUIRE(cut.data.shape() == folded.data.shape());
  const std::vector<float> f = folded.data.to_vector<float>(), w = whole.data.to_vector<float>(), c = cut.data.to_vector<float>();
  float worst_folded = 0.f, worst_cut = 0.f, largest = 0.f;
  for (std::size_t i = 0; i < f.size(); ++i) {
    worst_folded = std::max(worst_folded, std::abs(f[i] - w[i]));
    worst_cut = std::max(worst_cut, std::abs(c[i] - w[i]));
    largest = std::max(largest, std::abs(w[i]));
  }
  MESSAGE("largest |folded - layers| " << worst_folded << ", |cut - whole| " << worst_cut << ", largest value " << largest);
  CHECK(worst_folded <= 1e-4f * largest);  // the folded sums round differently
  CHECK(worst_cut <= 1e-5f * largest);     // the same products over other rows
}

TEST_CASE("device: Pipeline::to a CUDA device that is missing throws, naming CUDA, and moves nothing") {
  if (!no_cuda_device()) return;  // with a GPU the next cases cover it
  Pipeline nlp = load(source_path("models/en_ewt_sm"));
  const std::vector<std::string> lines = dev_lines(20);
  const std::vector<Doc> before = nlp.pipe(lines);
  CHECK_THROWS_WITH_AS(nlp.to(backend::Device::cuda(0)), doctest::Contains("CUDA is not available"), ValueError);
  CHECK(nlp.device().is_cpu());
  CHECK(compare(before, nlp.pipe(lines)).differ == 0);
  nlp.to(backend::Device::cpu());  // a no-op move back re-derives the CPU forms
  CHECK(compare(before, nlp.pipe(lines)).differ == 0);
}

TEST_CASE("cuda: the shipped pipeline on a GPU agrees with the CPU's f32 and does not depend on the batch" *
          doctest::skip(no_cuda_device())) {
  const backend::CpuInt8Scope f32(false);
  Pipeline cpu = load(source_path("models/en_ewt_sm"));
  Pipeline gpu = load(source_path("models/en_ewt_sm"));
  gpu.to(backend::Device::cuda(0));
  CHECK(gpu.device() == backend::Device::cuda(0));
  const std::vector<std::string> lines = dev_lines(2000);
  const std::vector<Doc> on_cpu = cpu.pipe(lines);
  const std::vector<Doc> big = gpu.pipe(lines, PipeOptions{.batch_size = 2000});
  const Agreement a = compare(on_cpu, big);
  MESSAGE(a.differ << " of " << a.tokens << " tokens differ between the CPU (f32) and the GPU");
  CHECK(a.differ * 1000 <= a.tokens * 5);  // at least 99.5% of tokens identical in every annotation
  CHECK(compare(big, gpu.pipe(lines, PipeOptions{.batch_size = 37})).differ == 0);
  const backend::DeviceMemoryStats m = backend::device_memory_stats(backend::Device::cuda(0));
  CHECK(m.peak >= m.in_use);
  CHECK(m.peak > 0);
  gpu.to(backend::Device::cpu());
  CHECK(compare(cpu.pipe(lines), gpu.pipe(lines)).differ == 0);
}
