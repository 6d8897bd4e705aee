// Gradient checks for every layer: the analytic input and parameter gradients of L = sum(Y * R), for a
// fixed random R, against central finite differences computed in double from f32 forward passes.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <numeric>
#include <vector>

#include "weft/backend/cpu_int8.hpp"
#include "weft/error.hpp"
#include "weft/nn/bilstm.hpp"
#include "weft/nn/chain.hpp"
#include "weft/nn/char_embed.hpp"
#include "weft/nn/concat.hpp"
#include "weft/nn/dropout.hpp"
#include "weft/nn/expand_window.hpp"
#include "weft/nn/hash_embed.hpp"
#include "weft/nn/layer_norm.hpp"
#include "weft/nn/linear.hpp"
#include "weft/nn/loss.hpp"
#include "weft/nn/maxout.hpp"
#include "weft/nn/multi_hash_embed.hpp"
#include "weft/nn/residual.hpp"
#include "weft/nn/rng.hpp"
#include "weft/nn/softmax.hpp"
#include "weft/nn/static_vectors.hpp"
#include "weft/nn/tok2vec.hpp"

using namespace weft;
using namespace weft::nn;

namespace {

Tensor random_tensor(const Shape& shape, std::uint64_t seed, float scale = 1.f) {
  Rng rng(seed);
  std::vector<float> v(static_cast<std::size_t>(shape.numel()));
  for (float& x : v) x = rng.uniform(-scale, scale);
  return Tensor::from_vector(v, shape);
}

Tensor lengths_of(std::vector<std::int32_t> lengths) {
  const auto n = static_cast<std::int64_t>(lengths.size());
  return Tensor::from_vector(lengths, Shape{n});
}

Tensor random_keys(std::int64_t n, std::int64_t features, std::uint64_t seed, std::uint64_t vocab = 12) {
  Rng rng(seed);
  std::vector<std::uint64_t> keys(static_cast<std::size_t>(n * features));
  for (auto& k : keys) k = rng.next() % vocab;  // a small vocabulary so keys repeat
  return Tensor::from_vector(keys, Shape{n, features});
}

// The scalar the checks differentiate: sum(Y * R), in double.
double objective(const Tensor& Y, const std::vector<float>& R) {
  const std::vector<float> y = Y.to_vector<float>();
  double s = 0.0;
  for (std::size_t i = 0; i < y.size(); ++i) s += static_cast<double>(y[i]) * R[i];
  return s;
}

struct CheckOptions {
  float eps = 1e-3f;
  double atol = 3e-3;
  double rtol = 3e-2;
  std::size_t per_tensor = 24;            // entries checked in each tensor
  std::function<void()> before_forward;  // e.g. resets dropout's mask counter
  // A custom loss and its gradient wrt the layer's output (default: sum(Y * R)).
  std::function<double(const Tensor& Y)> loss;
  std::function<Tensor(const Tensor& Y)> dloss;
};

// Entries to probe: the largest analytic gradients (where an error would show) and a seeded spread.
std::vector<std::size_t> probe(const std::vector<float>& grad, std::size_t count, std::uint64_t seed) {
  std::vector<std::size_t> idx(grad.size());
  std::iota(idx.begin(), idx.end(), 0);
  if (grad.size() <= count) return idx;
  std::partial_sort(idx.begin(), idx.begin() + static_cast<std::ptrdiff_t>(count / 2), idx.end(),
                    [&](std::size_t a, std::size_t b) { return std::fabs(grad[a]) > std::fabs(grad[b]); });
  std::vector<std::size_t> out(idx.begin(), idx.begin() + static_cast<std::ptrdiff_t>(count / 2));
  Rng rng(seed);
  while (out.size() < count) out.push_back(static_cast<std::size_t>(rng.next() % grad.size()));
  return out;
}

void check_close(const char* what, const std::string& name, std::size_t i, double analytic, double numeric, const CheckOptions& o) {
  INFO(what << " " << name << "[" << i << "]: analytic " << analytic << ", numeric " << numeric);
  CHECK(std::fabs(analytic - numeric) <= o.atol + o.rtol * std::max(std::fabs(analytic), std::fabs(numeric)));
}

// Checks dX (when X is f32) and every parameter gradient of model at X.
void grad_check(Layer& model, const Ragged& X, const CheckOptions& o = {}) {
  if (o.before_forward) o.before_forward();
  Forward f = model.forward(X, true);
  const std::vector<float> R = random_tensor(f.Y.data.shape(), 99).to_vector<float>();
  auto loss = [&](const Tensor& Y) { return o.loss ? o.loss(Y) : objective(Y, R); };
  const Tensor dY = o.dloss ? o.dloss(f.Y.data) : Tensor::from_vector(R, f.Y.data.shape());
  model.zero_grads();
  const Tensor dX = f.backprop(dY);
  auto eval = [&]() {
    if (o.before_forward) o.before_forward();
    return loss(model.forward(X, true).Y.data);
  };
  if (X.data.dtype() == DType::F32) {
    REQUIRE(dX.defined());
    REQUIRE(dX.shape() == X.data.shape());
    const std::vector<float> analytic = dX.to_vector<float>();
    float* x = const_cast<Tensor&>(X.data).data<float>();
    for (std::size_t i : probe(analytic, o.per_tensor, 1)) {
      const float keep = x[i];
      x[i] = keep + o.eps;
      const double up = eval();
      x[i] = keep - o.eps;
      const double down = eval();
      x[i] = keep;
      check_close("input", "X", i, analytic[i], (up - down) / (2.0 * o.eps), o);
    }
  }
  for (const NamedParam& p : named_params(model)) {
    const std::vector<float> analytic = p.param->grad.to_vector<float>();
    float* w = p.param->value.data<float>();
    for (std::size_t i : probe(analytic, o.per_tensor, 2)) {
      const float keep = w[i];
      w[i] = keep + o.eps;
      const double up = eval();
      w[i] = keep - o.eps;
      const double down = eval();
      w[i] = keep;
      check_close("param", p.name, i, analytic[i], (up - down) / (2.0 * o.eps), o);
    }
  }
}

Ragged dense(std::int64_t n, std::int64_t width, std::uint64_t seed, std::vector<std::int32_t> lengths = {}) {
  return {random_tensor(Shape{n, width}, seed), lengths.empty() ? Tensor() : lengths_of(std::move(lengths))};
}

// Biases start at zero; nudging them makes the checks see every term.
void perturb_params(Layer& model, std::uint64_t seed) {
  Rng rng(seed);
  for (const NamedParam& p : named_params(model)) {
    float* w = p.param->value.data<float>();
    for (std::int64_t i = 0; i < p.param->value.numel(); ++i) w[i] += rng.uniform(-0.3f, 0.3f);
  }
}

}  // namespace

TEST_CASE("nn: Linear gradients") {
  Model m = linear(5, 7);
  m->initialize(nullptr, nullptr, 1);
  perturb_params(*m, 2);
  grad_check(*m, dense(6, 7, 3));
  CHECK(m->type() == "Linear.v1");
}

TEST_CASE("nn: Linear's int8 inference path: close to f32 after prepare_inference, dropped by a training pass") {
  Model m = chain({linear(40, 64), linear(9, 40)});
  m->initialize(nullptr, nullptr, 1);
  perturb_params(*m, 2);
  const Ragged X = dense(30, 64, 3);
  const auto run = [&](bool is_train) { return m->forward(X, is_train).Y.data.to_vector<float>(); };
  const std::vector<float> f32 = run(false);
  m->prepare_inference();  // both Linears, through the chain
  const std::vector<float> prepared = run(false);
  double worst = 0, largest = 0;
  for (std::size_t i = 0; i < f32.size(); ++i) {
    worst = std::max(worst, static_cast<double>(std::abs(prepared[i] - f32[i])));
    largest = std::max(largest, static_cast<double>(std::abs(f32[i])));
  }
  if (weft::backend::int8_available()) {
    CHECK(worst > 0);                 // the int8 product ran
    CHECK(worst < 0.02 * largest);    // and stays close
  } else {
    CHECK(worst == 0);
  }
  {
    const weft::backend::CpuInt8Scope off(false);
    CHECK(run(false) == f32);  // switched off: f32 again
  }
  CHECK(run(true) == f32);   // a training pass is f32 ...
  CHECK(run(false) == f32);  // ... and drops the int8 weights, which the next step would make stale
}

TEST_CASE("nn: Maxout gradients") {
  Model m = maxout(4, 6, 3);
  m->initialize(nullptr, nullptr, 1);
  perturb_params(*m, 2);
  grad_check(*m, dense(5, 6, 4));
}

TEST_CASE("nn: LayerNorm gradients") {
  Model m = layer_norm(8);
  m->initialize(nullptr, nullptr, 1);
  perturb_params(*m, 3);
  grad_check(*m, dense(4, 8, 5));
}

TEST_CASE("nn: Residual gradients") {
  Model m = residual(linear(6, 6));
  m->initialize(nullptr, nullptr, 1);
  perturb_params(*m, 3);
  grad_check(*m, dense(5, 6, 6));
  CHECK_THROWS_AS(residual(linear(3, 6))->initialize(nullptr, nullptr, 1), ModelError);
}

TEST_CASE("nn: Dropout gradients and behaviour") {
  Model d = dropout(0.5f);
  Model m = chain({linear(8, 5), d});
  m->initialize(nullptr, nullptr, 1);
  CheckOptions o;
  o.before_forward = [&] { d->initialize(nullptr, nullptr, 7); };  // same mask every pass
  grad_check(*m, dense(6, 5, 6), o);
  // Prediction is the identity; training zeroes about half the values and scales the rest by 2.
  Ragged X = dense(200, 8, 9);
  CHECK(d->predict(X).data.to_vector<float>() == X.data.to_vector<float>());
  const std::vector<float> x = X.data.to_vector<float>(), y = d->forward(X, true).Y.data.to_vector<float>();
  std::size_t zeros = 0;
  for (std::size_t i = 0; i < y.size(); ++i) {
    if (y[i] == 0.f) ++zeros;
    else CHECK(y[i] == doctest::Approx(2.f * x[i]));
  }
  CHECK(zeros > y.size() * 4 / 10);
  CHECK(zeros < y.size() * 6 / 10);
  CHECK_THROWS_AS(dropout(1.f), ValueError);
}

TEST_CASE("nn: chain infers dimensions and its gradients check") {
  Model m = chain({linear(0, 0), maxout(4, 0, 2), layer_norm()});
  Ragged X = dense(5, 7, 8);
  Tensor Y = random_tensor(Shape{5, 4}, 3);
  // Linear's nO cannot be inferred: only the last layer sees the sample output.
  CHECK_THROWS_AS(m->initialize(&X, &Y, 1), ModelError);
  Model ok = chain({linear(6, 0), layer_norm(), maxout(0, 0, 2)});
  ok->initialize(&X, &Y, 1);
  CHECK(ok->nI() == 7);
  CHECK(ok->nO() == 4);
  perturb_params(*ok, 4);
  grad_check(*ok, X);
  // Unlabelled nested chains are spliced in.
  Model nested = chain({chain({linear(2, 3), linear(2, 2)}), linear(2, 2)});
  CHECK(nested->children().size() == 3);
}

TEST_CASE("nn: concat of different widths") {
  Model m = concat({linear(3, 4), linear(5, 4), maxout(2, 4, 2)});
  m->initialize(nullptr, nullptr, 1);
  CHECK(m->nO() == 10);
  perturb_params(*m, 5);
  Ragged X = dense(6, 4, 11);
  // The joined columns are the parts' columns side by side.
  const Tensor Y = m->predict(X).data;
  const std::vector<float> y = Y.to_vector<float>(), a = m->children()[0]->predict(X).data.to_vector<float>(),
                           c = m->children()[2]->predict(X).data.to_vector<float>();
  for (std::int64_t i = 0; i < 6; ++i) {
    for (std::int64_t j = 0; j < 3; ++j) CHECK(y[static_cast<std::size_t>(i * 10 + j)] == a[static_cast<std::size_t>(i * 3 + j)]);
    for (std::int64_t j = 0; j < 2; ++j) CHECK(y[static_cast<std::size_t>(i * 10 + 8 + j)] == c[static_cast<std::size_t>(i * 2 + j)]);
  }
  grad_check(*m, X);
}

TEST_CASE("nn: expand_window gradients respect document boundaries") {
  Model m = chain({expand_window(1), linear(3, 12)});
  Ragged X = dense(7, 4, 12, {3, 1, 3});
  m->initialize(&X, nullptr, 1);
  grad_check(*m, X);
  CHECK_THROWS_AS(m->forward(Ragged{X.data, Tensor()}, false), ValueError);
}

TEST_CASE("nn: HashEmbed gradients and hashing") {
  Model m = hash_embed(5, 11, 3, 1);
  Ragged X{random_keys(9, 2, 4), Tensor()};
  m->initialize(&X, nullptr, 1);
  grad_check(*m, X);
  // Equal keys embed equally; the column chosen is the one read.
  Tensor keys = Tensor::from_vector(std::vector<std::uint64_t>{0, 42, 1, 42, 2, 43}, Shape{3, 2});
  const std::vector<float> y = m->predict({keys, Tensor()}).data.to_vector<float>();
  CHECK(std::equal(y.begin(), y.begin() + 5, y.begin() + 5));
  CHECK(!std::equal(y.begin(), y.begin() + 5, y.begin() + 10));
  CHECK_THROWS_AS(hash_embed(5, 11, 3, 2)->forward({keys, Tensor()}, false), ModelError);
  Model wrong_column = hash_embed(5, 11, 3, 2);
  wrong_column->initialize(nullptr, nullptr, 1);
  CHECK_THROWS_AS(wrong_column->forward({keys, Tensor()}, false), ValueError);
}

TEST_CASE("nn: StaticVectors gradients and missing rows") {
  Tensor vectors = random_tensor(Shape{4, 3}, 5);
  Model m = static_vectors(6, vectors, 0);
  Tensor rows = Tensor::from_vector(std::vector<std::uint64_t>{0, 3, UINT64_MAX, 1, 9}, Shape{5});
  m->initialize(nullptr, nullptr, 1);
  grad_check(*m, {rows, Tensor()});
  const std::vector<float> y = m->predict({rows, Tensor()}).data.to_vector<float>();
  for (std::size_t j = 0; j < 6; ++j) {
    CHECK(y[12 + j] == 0.f);  // UINT64_MAX: no vector
    CHECK(y[24 + j] == 0.f);  // beyond the table
  }
}

TEST_CASE("nn: Softmax with cross-entropy gradients") {
  Model m = softmax(0, 6);
  Tensor labels = Tensor::from_vector(std::vector<std::int32_t>{0, 3, 1, -1, 4}, Shape{5});
  Ragged X = dense(5, 6, 13);
  m->initialize(&X, &labels, 1);
  CHECK(m->nO() == 5);
  perturb_params(*m, 6);
  CheckOptions o;
  o.loss = [&](const Tensor& Y) { return categorical_crossentropy(Y, labels, false).value; };
  o.dloss = [&](const Tensor& Y) { return categorical_crossentropy(Y, labels, false).grad; };
  grad_check(*m, X, o);
  // A uniform prediction costs log(C) per labelled row.
  Model zero = softmax(5, 6);
  zero->initialize(nullptr, nullptr, 1);
  const Loss l = categorical_crossentropy(zero->predict(X).data, labels, true);
  CHECK(l.n_labelled == 4);
  CHECK(l.value == doctest::Approx(std::log(5.0)).epsilon(1e-5));
  const std::vector<float> g = l.grad.to_vector<float>();
  for (std::size_t j = 0; j < 5; ++j) CHECK(g[15 + j] == 0.f);  // the unlabelled row
  CHECK(g[0] == doctest::Approx((0.2 - 1.0) / 4));
}

TEST_CASE("nn: MultiHashEmbed and tok2vec gradients") {
  MultiHashEmbedConfig ec;
  ec.width = 6;
  ec.rows = {13, 7, 7, 5};
  ec.static_vectors = random_tensor(Shape{5, 4}, 3);
  Model embed = multi_hash_embed(ec);
  Tensor keys = random_keys(7, 5, 8, 6);
  Ragged X{keys, lengths_of({4, 3})};
  embed->initialize(&X, nullptr, 1);
  perturb_params(*embed, 9);
  CheckOptions o;
  o.per_tensor = 12;
  grad_check(*embed, X, o);

  Tok2VecConfig tc;
  tc.embed.width = 6;
  tc.embed.rows = {13, 7, 7, 5};
  tc.encode.depth = 2;
  Model t2v = tok2vec(tc);
  Ragged K{random_keys(9, 4, 10, 6), lengths_of({5, 1, 3})};
  t2v->initialize(&K, nullptr, 1);
  perturb_params(*t2v, 11);
  grad_check(*t2v, K, o);
}

TEST_CASE("nn: parameter names of tok2vec") {
  Tok2VecConfig tc;
  Model t2v = tok2vec(tc);
  t2v->initialize(nullptr, nullptr, 1);
  std::vector<std::string> names;
  for (const NamedParam& p : named_params(*t2v)) names.push_back(p.name);
  const std::vector<std::string> expected = {
      "tok2vec.embed.norm.E", "tok2vec.embed.prefix.E", "tok2vec.embed.suffix.E", "tok2vec.embed.shape.E",
      "tok2vec.embed.maxout.W", "tok2vec.embed.maxout.b", "tok2vec.embed.layernorm.G", "tok2vec.embed.layernorm.b",
      "tok2vec.encode.0.maxout.W", "tok2vec.encode.0.maxout.b", "tok2vec.encode.0.layernorm.G", "tok2vec.encode.0.layernorm.b",
      "tok2vec.encode.1.maxout.W", "tok2vec.encode.1.maxout.b", "tok2vec.encode.1.layernorm.G", "tok2vec.encode.1.layernorm.b",
      "tok2vec.encode.2.maxout.W", "tok2vec.encode.2.maxout.b", "tok2vec.encode.2.layernorm.G", "tok2vec.encode.2.layernorm.b",
      "tok2vec.encode.3.maxout.W", "tok2vec.encode.3.maxout.b", "tok2vec.encode.3.layernorm.G", "tok2vec.encode.3.layernorm.b"};
  CHECK(names == expected);
  CHECK(named_params(*t2v)[0].param->value.shape() == Shape{5000, 96});
  CHECK(named_params(*t2v)[4].param->value.shape() == Shape{288, 384});
  CHECK(named_params(*t2v)[8].param->value.shape() == Shape{288, 288});
  // Unlabelled siblings with parameters of one name are told apart by index; a clash is an error.
  Model two = chain({linear(2, 2), linear(2, 2)});
  two->initialize(nullptr, nullptr, 1);
  CHECK(named_params(*two)[2].name == "1.W");
  Model a = linear(2, 2), b = linear(2, 2);
  a->set_label("x");
  b->set_label("x");
  Model clash = chain({a, b});
  clash->initialize(nullptr, nullptr, 1);
  CHECK_THROWS_AS(named_params(*clash), ModelError);
}

TEST_CASE("nn: BiLSTM gradients over ragged sequences, one and two layers") {
  // Sequences of 4, 0, 1 and 3 rows: the recurrence never crosses one.
  Ragged X = dense(8, 5, 31, {4, 0, 1, 3});
  BiLSTMConfig bc;
  bc.width = 6;
  bc.depth = 1;
  Model one = bilstm(bc);
  one->initialize(&X, nullptr, 1);
  CHECK(one->nO() == 6);
  CheckOptions o;
  o.per_tensor = 16;
  grad_check(*one, X, o);
  bc.depth = 2;
  bc.dropout = 0.25f;
  Model two = bilstm(bc);
  two->initialize(&X, nullptr, 2);
  perturb_params(*two, 3);
  // Dropout between the layers: the same mask for every evaluation of the check.
  for (const Model& child : two->children())
    if (auto* d = dynamic_cast<Dropout*>(child.get())) o.before_forward = [d] { d->initialize(nullptr, nullptr, 7); };
  grad_check(*two, X, o);
}

TEST_CASE("nn: BiLSTM directions: forward h depends only on the past, backward only on the future") {
  BiLSTMConfig bc;
  bc.width = 4;
  bc.depth = 1;
  Model m = bilstm(bc);
  Ragged X = dense(6, 3, 41, {4, 2});
  m->initialize(&X, nullptr, 1);
  const std::vector<float> base = m->predict(X).data.to_vector<float>();
  Tensor changed = X.data.clone();
  changed.data<float>()[2 * 3] += 1.f;  // row 2 (third of the first sequence)
  const std::vector<float> y = m->predict({changed, X.lengths}).data.to_vector<float>();
  auto same = [&](int row, int begin, int end) {
    for (int c = begin; c < end; ++c)
      if (y[static_cast<std::size_t>(row * 4 + c)] != base[static_cast<std::size_t>(row * 4 + c)]) return false;
    return true;
  };
  CHECK(same(0, 0, 2));   // forward direction before row 2: unchanged
  CHECK(same(1, 0, 2));
  CHECK(!same(3, 0, 2));  // after it: changed
  CHECK(same(3, 2, 4));   // backward direction after row 2: unchanged
  CHECK(!same(0, 2, 4));
  for (int row : {4, 5}) CHECK(same(row, 0, 4));  // the other sequence: untouched
  // Names follow PyTorch's, per layer.
  std::vector<std::string> names;
  for (const NamedParam& p : named_params(*m)) names.push_back(p.name);
  CHECK(names == std::vector<std::string>{"lstm.0.W_ih", "lstm.0.b", "lstm.0.W_hh", "lstm.0.W_ih_reverse", "lstm.0.b_reverse",
                                          "lstm.0.W_hh_reverse"});
  CHECK(named_params(*m)[0].param->value.shape() == Shape{8, 3});
  CHECK(named_params(*m)[2].param->value.shape() == Shape{8, 2});
  CHECK_THROWS_AS(bilstm({5, 1, 0.f}), ValueError);
  CHECK_THROWS_AS(bilstm({4, 0, 0.f}), ValueError);
  CHECK_THROWS_AS(m->forward(dense(3, 4, 1), false), ModelError);
}

TEST_CASE("nn: CharEmbed gradients, code points and positions") {
  std::uint64_t cps[8];
  CharEmbed::code_points("caf\xc3\xa9s", 8, cps);  // "cafés": first 4, last 4
  CHECK(std::vector<std::uint64_t>(cps, cps + 8) == std::vector<std::uint64_t>{'c', 'a', 'f', 0xe9, 'a', 'f', 0xe9, 's'});
  CharEmbed::code_points("ab", 4, cps);
  CHECK(std::vector<std::uint64_t>(cps, cps + 4) == std::vector<std::uint64_t>{'a', 'b', 'a', 'b'});
  CharEmbed::code_points("a", 4, cps);
  CHECK(std::vector<std::uint64_t>(cps, cps + 4) == std::vector<std::uint64_t>{'a', 0, 0, 'a'});
  // Keys: one lexical column, then 4 character columns.
  std::vector<std::uint64_t> k{7, 'a', 'b', 'a', 'b', 9, 'a', 'b', 'x', 0x4e2d, 7, 'b', 'a', 'b', 'a'};
  Tensor keys = Tensor::from_vector(k, Shape{3, 5});
  Model m = char_embed(3, 4, 200, 1);
  m->initialize(nullptr, nullptr, 1);
  CHECK(m->nO() == 12);
  grad_check(*m, {keys, Tensor()});
  const std::vector<float> y = m->predict({keys, Tensor()}).data.to_vector<float>();
  // Rows 0 and 1 share their first two characters (positions 0, 1), not the last two.
  CHECK(std::equal(y.begin(), y.begin() + 6, y.begin() + 12));
  CHECK(!std::equal(y.begin() + 6, y.begin() + 12, y.begin() + 18));
  // The same character at another position has another vector.
  CHECK(!std::equal(y.begin(), y.begin() + 3, y.begin() + 6 + 0));
  CHECK_THROWS_AS(char_embed(3, 3, 200, 0), ValueError);
  CHECK_THROWS_AS(char_embed(3, 4, 100, 0), ValueError);
  Model wide = char_embed(3, 4, 200, 2);
  wide->initialize(nullptr, nullptr, 1);
  CHECK_THROWS_AS(wide->forward({keys, Tensor()}, false), ModelError);
}

TEST_CASE("nn: tok2vec with character features and a BiLSTM: gradients and parameter names") {
  Tok2VecConfig tc;
  tc.embed.width = 6;
  tc.embed.rows = {13, 7};
  tc.embed.chars = char_embed(2, 4, 150, 2);
  tc.encode.depth = 1;
  tc.sequence = bilstm({4, 1, 0.f});
  Model t2v = tok2vec(tc);
  std::vector<std::uint64_t> k;
  Rng rng(5);
  for (int i = 0; i < 7; ++i) {
    k.push_back(rng.next() % 5);
    k.push_back(rng.next() % 5);
    for (int c = 0; c < 4; ++c) k.push_back('a' + rng.next() % 3);
  }
  Ragged K{Tensor::from_vector(k, Shape{7, 6}), lengths_of({4, 3})};
  t2v->initialize(&K, nullptr, 1);
  CHECK(t2v->nO() == 4);
  perturb_params(*t2v, 12);
  CheckOptions o;
  o.per_tensor = 8;
  grad_check(*t2v, K, o);
  std::vector<std::string> names;
  for (const NamedParam& p : named_params(*t2v)) names.push_back(p.name);
  CHECK(std::find(names.begin(), names.end(), "tok2vec.embed.chars.E") != names.end());
  CHECK(std::find(names.begin(), names.end(), "tok2vec.lstm.0.W_hh_reverse") != names.end());
  CHECK(std::find(names.begin(), names.end(), "tok2vec.encode.0.maxout.W") != names.end());
  // Depth 0: no CNN, the BiLSTM reads the embedding.
  tc.encode.depth = 0;
  tc.embed.chars = nullptr;
  tc.sequence = bilstm({4, 1, 0.f});
  Model no_cnn = tok2vec(tc);
  Ragged K2{random_keys(5, 2, 3), lengths_of({5})};
  no_cnn->initialize(&K2, nullptr, 1);
  CHECK(no_cnn->predict(K2).data.shape() == Shape{5, 4});
}

TEST_CASE("nn: layers refuse use before initialize and bad widths") {
  Model m = linear(3, 4);
  CHECK_THROWS_AS(m->forward(dense(2, 4, 1), false), ModelError);
  m->initialize(nullptr, nullptr, 1);
  Ragged wide = dense(2, 5, 1);
  CHECK_THROWS_AS(m->initialize(&wide, nullptr, 1), ValueError);
  CHECK_THROWS_AS(maxout(2, 3, 0), ValueError);
}

TEST_CASE("rng: named streams differ by name and by seed, and are fixed values") {
  using weft::nn::stream_seed;
  // A run's users of randomness get streams of their own: different names, different seeds.
  CHECK(stream_seed(0, "tagger") != stream_seed(0, "morphologizer"));
  CHECK(stream_seed(0, "tagger") != stream_seed(1, "tagger"));
  CHECK(stream_seed(0, "") != stream_seed(0, "a"));
  // Computed at compile time and the same everywhere (models trained on one machine reproduce on another).
  static_assert(stream_seed(7, "batches") == stream_seed(7, "batches"));
  // Pinned: FNV-1a of the name, mixed with the seed (changing it changes every trained model).
  CHECK(stream_seed(0, "tok2vec") == 0x0df83071cb492807ULL);
  CHECK(stream_seed(5, "tok2vec") == 0x335237564ce98cb4ULL);
  // Their Rng sequences do not overlap at the start, as seed + k offsets of one sequence would.
  weft::nn::Rng a(stream_seed(0, "tagger")), b(stream_seed(0, "morphologizer"));
  std::vector<std::uint64_t> xs, ys;
  for (int i = 0; i < 64; ++i) xs.push_back(a.next()), ys.push_back(b.next());
  for (std::uint64_t x : xs) CHECK(std::find(ys.begin(), ys.end(), x) == ys.end());
}
