// The parser's scoring model. See include/weft/components/parser/parser_model.hpp.
#include "weft/components/parser/parser_model.hpp"

#if defined(__AVX2__)
#include <immintrin.h>
#endif

#include <Eigen/Core>
#include <algorithm>

#include "weft/error.hpp"
#include "weft/nn/init.hpp"

namespace weft {

namespace {

using RowMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

std::vector<float> host_copy(const nn::Tensor& t) {
  const nn::Tensor h = t.to(nn::Device::cpu());
  return std::vector<float>(h.data<float>(), h.data<float>() + h.numel());
}

}  // namespace

ParserModel::ParserModel(const ParserModelShape& shape)
    : nn::Layer("TransitionParserModel.v1", shape.token_slots * shape.hidden * shape.pieces, shape.width), shape_(shape) {
  if (shape.token_slots < 1 || shape.label_slots < 0 || shape.n_labels < 1 || shape.n_actions < 1 || shape.hidden < 1)
    throw ValueError("TransitionParserModel.v1: slots, labels, actions and hidden_width must be positive");
  if (shape.pieces < 1 || shape.pieces > 255)
    throw ValueError("TransitionParserModel.v1: maxout_pieces must be in 1..255, got " + std::to_string(shape.pieces));
  register_param(W_, "W");
  register_param(b_, "b");
  register_param(pad_, "pad");
  register_param(lab_, "labels");
  register_param(Wo_, "out.W");
  register_param(bo_, "out.b");
}

void ParserModel::initialize_self(const nn::Ragged* X, const nn::Tensor*, nn::Rng& rng) {
  infer_nI(X);
  shape_.width = nI_;
  require_dims();
  const std::int64_t HP = row_width(), F = shape_.token_slots, K = shape_.label_slots;
  // The hidden pre-activation sums F token parts: fan-in F * width.
  set_param(W_, nn::Shape{F * HP, nI_}, nn::init::glorot_uniform(F * HP * nI_, F * nI_, shape_.hidden, rng));
  set_param(b_, nn::Shape{HP}, nn::init::constant(HP, 0.f));
  set_param(pad_, nn::Shape{F, HP}, nn::init::uniform(F * HP, -0.1f, 0.1f, rng));
  const std::int64_t lab_rows = std::max<std::int64_t>(1, K * (shape_.n_labels + 1));
  set_param(lab_, nn::Shape{lab_rows, HP}, nn::init::uniform(lab_rows * HP, -0.1f, 0.1f, rng));
  // spaCy starts the output layer at zero: every action equally likely until the oracle says otherwise.
  set_param(Wo_, nn::Shape{shape_.n_actions, shape_.hidden}, nn::init::constant(shape_.n_actions * shape_.hidden, 0.f));
  set_param(bo_, nn::Shape{shape_.n_actions}, nn::init::constant(shape_.n_actions, 0.f));
}

nn::Forward ParserModel::forward(const nn::Ragged& X, bool is_train) {
  check_ready();
  if (is_train) W8_ = {};
  nn::Tensor P = nn::Tensor::empty(nn::Shape{X.data.dim(0), nO_}, nn::DType::F32, device());
  ops().gemm(X.data, false, W_.value, true, P);
  if (!is_train) return {{P, X.lengths}, no_backprop()};
  nn::Tensor x = X.data;
  nn::Backprop back = [this, x](const nn::Tensor& dP) {
    backend::Ops& o = ops();
    o.gemm(dP, true, x, false, W_.grad, 1.f, 1.f);
    nn::Tensor dX = nn::Tensor::empty(x.shape(), nn::DType::F32, device());
    o.gemm(dP, false, W_.value, false, dX);
    return dX;
  };
  return {{P, X.lengths}, std::move(back)};
}

void ParserModel::precompute(const nn::Tensor& X, nn::Tensor& P) const {
  check_ready();
  if (!W8_.empty() && device().is_cpu() && backend::int8_available()) backend::int8_gemm(X, W8_, P);
  else ops().gemm(X, false, W_.value, true, P);
}

void ParserModel::prepare_inference() {
  W8_ = initialized() && device().is_cpu() ? backend::quantize_weights(W_.value) : backend::Int8Weights{};
}

ParserModel::DeviceRows::DeviceRows(const ParserModel& m, const nn::Tensor& X, std::int64_t before)
    : m_(m), before_(before), words_(X.dim(0)) {
  m.check_ready();
  const ParserModelShape& sh = m.shape_;
  const std::int64_t F = sh.token_slots, HP = m.row_width();
  pad_row_ = words_ * F;
  label_row_ = pad_row_ + F;
  bias_row_ = label_row_ + m.lab_.value.dim(0);
  table_ = nn::Tensor::empty(nn::Shape{bias_row_ + 1, HP}, nn::DType::F32, m.device());
  if (words_ > 0) {
    nn::Tensor P = table_.rows(0, pad_row_).reshape(nn::Shape{words_, F * HP});
    m.precompute(X, P);
  }
  table_.rows(pad_row_, label_row_).copy_from(m.pad_.value);
  table_.rows(label_row_, bias_row_).copy_from(m.lab_.value);
  table_.rows(bias_row_, bias_row_ + 1).copy_from(m.b_.value.reshape(nn::Shape{1, HP}));
}

ParserModel::DeviceRows::DeviceRows(ParserModel& m, const nn::Tensor& P) : m_(m), train_(&m), before_(0), words_(P.dim(0)) {
  m.check_ready();
  const std::int64_t F = m.shape_.token_slots, HP = m.row_width();
  if (P.ndim() != 2 || P.dim(1) != F * HP) throw ModelError(m.describe() + ": precomputed rows of another shape");
  pad_row_ = words_ * F;
  label_row_ = pad_row_ + F;
  bias_row_ = label_row_ + m.lab_.value.dim(0);
  table_ = nn::Tensor::empty(nn::Shape{bias_row_ + 1, HP}, nn::DType::F32, m.device());
  if (words_ > 0) table_.rows(0, pad_row_).reshape(P.shape()).copy_from(P);
  table_.rows(pad_row_, label_row_).copy_from(m.pad_.value);
  table_.rows(label_row_, bias_row_).copy_from(m.lab_.value);
  table_.rows(bias_row_, bias_row_ + 1).copy_from(m.b_.value.reshape(nn::Shape{1, HP}));
  d_table_ = nn::Tensor::zeros(table_.shape(), nn::DType::F32, m.device());
}

void ParserModel::DeviceRows::score(const std::int64_t* words, const std::int32_t* labels, std::int64_t S, float* scores,
                                    const float* dropout_mask) {
  const ParserModelShape& sh = m_.shape_;
  const std::int64_t F = sh.token_slots, K = sh.label_slots, per = 1 + F + K;
  last_S_ = S;
  if (S == 0) return;
  ids_.resize(static_cast<std::size_t>(S * per));
  std::int32_t* id = ids_.data();
  for (std::int64_t k = 0; k < S; ++k, words += F, labels += K) {
    *id++ = static_cast<std::int32_t>(bias_row_);
    for (std::int64_t f = 0; f < F; ++f) {
      const std::int64_t w = words[f];
      if (w >= 0 && w + before_ >= words_) throw ModelError(m_.describe() + ": a state reads a word outside its chunk (a bug)");
      *id++ = static_cast<std::int32_t>(w >= 0 && w + before_ >= 0 ? (w + before_) * F + f : pad_row_ + f);
    }
    for (std::int64_t q = 0; q < K; ++q) {
      const std::int64_t l = labels[q] >= 0 ? labels[q] : sh.n_labels;
      *id++ = static_cast<std::int32_t>(label_row_ + q * (sh.n_labels + 1) + l);
    }
  }
  const nn::Device dev = m_.device();
  backend::Ops& o = m_.ops();
  const nn::Tensor ids = nn::Tensor::from_vector(ids_, nn::Shape{S, per}, dev);
  nn::Tensor pre = nn::Tensor::empty(nn::Shape{S, m_.row_width()}, nn::DType::F32, dev);
  o.gather_sum_rows(table_, ids, pre);
  nn::Tensor h = nn::Tensor::empty(nn::Shape{S, sh.hidden}, nn::DType::F32, dev);
  nn::Tensor which = nn::Tensor::empty(nn::Shape{S, sh.hidden}, nn::DType::U8, dev);
  o.maxout(pre, sh.pieces, h, which);
  nn::Tensor mask;
  if (dropout_mask != nullptr) {
    mask = nn::Tensor::from_host(dropout_mask, static_cast<std::size_t>(S * sh.hidden) * sizeof(float), nn::Shape{S, sh.hidden},
                                 nn::DType::F32, dev);
    o.mul(h, mask, h);
  }
  nn::Tensor out = nn::Tensor::empty(nn::Shape{S, sh.n_actions}, nn::DType::F32, dev);
  o.gemm(h, false, m_.Wo_.value, true, out, 1.f, 0.f, &m_.bo_.value);
  out.copy_to_host(scores);
  if (train_ != nullptr) {
    last_ids_ = ids;
    last_h_ = h;
    last_which_ = which;
    last_mask_ = mask;
    masked_ = dropout_mask != nullptr;
  }
}

void ParserModel::DeviceRows::backprop(const float* d_scores) {
  if (train_ == nullptr) throw ModelError(m_.describe() + ": backprop of rows made for inference (a bug)");
  const std::int64_t S = last_S_;
  if (S == 0) return;
  const ParserModelShape& sh = m_.shape_;
  const nn::Device dev = m_.device();
  backend::Ops& o = m_.ops();
  const nn::Tensor d = nn::Tensor::from_host(d_scores, static_cast<std::size_t>(S * sh.n_actions) * sizeof(float),
                                             nn::Shape{S, sh.n_actions}, nn::DType::F32, dev);
  // The output layer: dWo += d^T h, dbo += the column sums of d, dh = d Wo (times the mask).
  o.gemm(d, true, last_h_, false, train_->Wo_.grad, 1.f, 1.f);
  o.sum_rows(d, train_->bo_.grad, true);
  nn::Tensor dh = nn::Tensor::empty(nn::Shape{S, sh.hidden}, nn::DType::F32, dev);
  o.gemm(d, false, m_.Wo_.value, false, dh);
  if (masked_) o.mul(dh, last_mask_, dh);
  // The maxout sends each unit's gradient to its winning piece; every row the state summed gets it.
  nn::Tensor dpre = nn::Tensor::empty(nn::Shape{S, m_.row_width()}, nn::DType::F32, dev);
  o.backprop_maxout(dh, last_which_, sh.pieces, dpre);
  o.scatter_add_rows(d_table_, last_ids_, dpre);
}

nn::Tensor ParserModel::DeviceRows::finish() {
  if (train_ == nullptr) throw ModelError(m_.describe() + ": gradients of rows made for inference (a bug)");
  backend::Ops& o = m_.ops();
  o.axpy(1.f, d_table_.rows(pad_row_, label_row_), train_->pad_.grad);
  o.axpy(1.f, d_table_.rows(label_row_, bias_row_), train_->lab_.grad);
  nn::Tensor db = train_->b_.grad.reshape(nn::Shape{1, m_.row_width()});
  o.axpy(1.f, d_table_.rows(bias_row_, bias_row_ + 1), db);
  return d_table_.rows(0, pad_row_).reshape(nn::Shape{words_, m_.shape_.token_slots * m_.row_width()});
}

ParserModel::HostView ParserModel::host_view(bool with_grads) const {
  check_ready();
  HostView v;
  const nn::Param* ps[] = {&b_, &pad_, &lab_, &Wo_, &bo_};
  const float** dst[] = {&v.b, &v.pad, &v.lab, &v.Wo, &v.bo};
  if (device().is_cpu()) {
    for (int i = 0; i < 5; ++i) *dst[i] = ps[i]->value.data<float>();
  } else {
    std::size_t total = 0;
    for (const nn::Param* p : ps) total += static_cast<std::size_t>(p->value.numel());
    v.own.reserve(total);
    std::vector<std::size_t> at;
    for (const nn::Param* p : ps) {
      at.push_back(v.own.size());
      const std::vector<float> h = host_copy(p->value);
      v.own.insert(v.own.end(), h.begin(), h.end());
    }
    for (int i = 0; i < 5; ++i) *dst[i] = v.own.data() + at[static_cast<std::size_t>(i)];
  }
  if (with_grads) {
    v.db.assign(static_cast<std::size_t>(b_.value.numel()), 0.f);
    v.dpad.assign(static_cast<std::size_t>(pad_.value.numel()), 0.f);
    v.dlab.assign(static_cast<std::size_t>(lab_.value.numel()), 0.f);
    v.dWo.assign(static_cast<std::size_t>(Wo_.value.numel()), 0.f);
    v.dbo.assign(static_cast<std::size_t>(bo_.value.numel()), 0.f);
  }
  return v;
}

void ParserModel::add_grads(const HostView& v) {
  const std::pair<nn::Param*, const std::vector<float>*> parts[] = {
      {&b_, &v.db}, {&pad_, &v.dpad}, {&lab_, &v.dlab}, {&Wo_, &v.dWo}, {&bo_, &v.dbo}};
  for (const auto& [p, g] : parts) {
    if (g->size() != static_cast<std::size_t>(p->grad.numel())) throw ModelError(describe() + ": gradient of another shape");
    nn::Tensor h = nn::Tensor::empty(p->grad.shape(), nn::DType::F32, nn::Device::cpu());
    std::copy(g->begin(), g->end(), h.data<float>());
    ops().axpy(1.f, device().is_cpu() ? h : h.to(device()), p->grad);
  }
}

void ParserModel::hidden(const HostView& v, const float* const* rows, const std::int32_t* labels, float* h,
                         Scratch& s) const {
  const std::int64_t HP = row_width(), H = shape_.hidden, F = shape_.token_slots, K = shape_.label_slots;
  const int P = shape_.pieces;
  s.pre.resize(static_cast<std::size_t>(HP));
  s.which.resize(static_cast<std::size_t>(H));
  float* pre = s.pre.data();
  std::uint8_t* which = s.which.data();
  // The rows to sum: the bias, each token slot's row (or its pad) and each label slot's row.
  const std::int64_t n_rows = 1 + F + K;
  s.row_ptrs.resize(static_cast<std::size_t>(n_rows));
  const float** r = s.row_ptrs.data();
  r[0] = v.b;
  for (std::int64_t f = 0; f < F; ++f) r[1 + f] = rows[f] != nullptr ? rows[f] : v.pad + f * HP;
  for (std::int64_t k = 0; k < K; ++k) {
    const std::int64_t l = labels[k] >= 0 ? labels[k] : shape_.n_labels;
    r[1 + F + k] = v.lab + (k * (shape_.n_labels + 1) + l) * HP;
  }
  std::int64_t j = 0;
#if defined(__AVX2__)
  if (P == 2 && HP % 32 == 0) {
    // The default shape: the sums and the maxout in registers, 16 units at a time.
    for (; j < HP; j += 32) {
      __m256 a[4];
      for (int q = 0; q < 4; ++q) a[q] = _mm256_loadu_ps(r[0] + j + 8 * q);
      for (std::int64_t q = 1; q < n_rows; ++q) {
        const float* x = r[q] + j;
        for (int c = 0; c < 4; ++c) a[c] = _mm256_add_ps(a[c], _mm256_loadu_ps(x + 8 * c));
      }
      for (int half = 0; half < 2; ++half) {
        // Units interleaved (u0 piece 0, u0 piece 1, u1 piece 0, ...): the even floats are piece 0
        // (in the lane order u0 u1 u4 u5 | u2 u3 u6 u7), the odd ones piece 1.
        const __m256 p0 = _mm256_shuffle_ps(a[2 * half], a[2 * half + 1], 0x88);
        const __m256 p1 = _mm256_shuffle_ps(a[2 * half], a[2 * half + 1], 0xDD);
        const __m256 second = _mm256_cmp_ps(p1, p0, _CMP_GT_OQ);  // the first largest piece wins ties
        const auto in_order = [](__m256 v) {
          return _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(v), _MM_SHUFFLE(3, 1, 2, 0)));
        };
        const std::int64_t o = j / 2 + 8 * half;
        _mm256_storeu_ps(h + o, in_order(_mm256_blendv_ps(p0, p1, second)));
        const int bits = _mm256_movemask_ps(in_order(second));
        for (int u = 0; u < 8; ++u) which[o + u] = static_cast<std::uint8_t>((bits >> u) & 1);
      }
    }
    return;
  }
  // 32 floats at a time in four registers, summed in the rows' order (as the scalar loop below).
  for (; j + 32 <= HP; j += 32) {
    __m256 a0 = _mm256_loadu_ps(r[0] + j), a1 = _mm256_loadu_ps(r[0] + j + 8), a2 = _mm256_loadu_ps(r[0] + j + 16),
           a3 = _mm256_loadu_ps(r[0] + j + 24);
    for (std::int64_t q = 1; q < n_rows; ++q) {
      const float* x = r[q] + j;
      a0 = _mm256_add_ps(a0, _mm256_loadu_ps(x));
      a1 = _mm256_add_ps(a1, _mm256_loadu_ps(x + 8));
      a2 = _mm256_add_ps(a2, _mm256_loadu_ps(x + 16));
      a3 = _mm256_add_ps(a3, _mm256_loadu_ps(x + 24));
    }
    _mm256_storeu_ps(pre + j, a0);
    _mm256_storeu_ps(pre + j + 8, a1);
    _mm256_storeu_ps(pre + j + 16, a2);
    _mm256_storeu_ps(pre + j + 24, a3);
  }
#endif
  for (; j < HP; ++j) {
    float a = r[0][j];
    for (std::int64_t q = 1; q < n_rows; ++q) a += r[q][j];
    pre[j] = a;
  }
  // The maxout without branches (which piece wins is data, and mispredicted branches cost more than the
  // sums above): the first largest piece, as the backend's maxout.
  for (std::int64_t o = 0; o < H; ++o) {
    const float* z = pre + o * P;
    float best = z[0];
    std::uint8_t w = 0;
    for (int p = 1; p < P; ++p) {
      const bool gt = z[p] > best;
      best = gt ? z[p] : best;
      w = gt ? static_cast<std::uint8_t>(p) : w;
    }
    h[o] = best;
    which[o] = w;
  }
}

void ParserModel::output(const HostView& v, const float* H, std::int64_t S, float* scores) const {
  // The CPU backend's gemm (oneDNN where built with it) on views of the host buffers.
  const auto view = [](const float* p, const nn::Shape& shape) {
    return nn::Tensor::wrap(const_cast<float*>(p), shape, nn::DType::F32, nn::Device::cpu());
  };
  const nn::Tensor h = view(H, nn::Shape{S, shape_.hidden}), Wo = view(v.Wo, nn::Shape{shape_.n_actions, shape_.hidden}),
                   bo = view(v.bo, nn::Shape{shape_.n_actions});
  nn::Tensor out = view(scores, nn::Shape{S, shape_.n_actions});
  backend::ops(nn::Device::cpu()).gemm(h, false, Wo, true, out, 1.f, 0.f, &bo);
}

void ParserModel::score(const HostView& v, const float* const* rows, const std::int32_t* labels, float* scores,
                        Scratch& s, const float* dropout_mask) const {
  s.hidden.resize(static_cast<std::size_t>(shape_.hidden));
  hidden(v, rows, labels, s.hidden.data(), s);
  if (dropout_mask != nullptr) {
    s.mask.assign(dropout_mask, dropout_mask + shape_.hidden);
    for (std::size_t o = 0; o < s.hidden.size(); ++o) s.hidden[o] *= s.mask[o];
  } else {
    s.mask.clear();
  }
  const Eigen::Map<const RowMatrix> Wo(v.Wo, shape_.n_actions, shape_.hidden);
  const Eigen::Map<const Eigen::VectorXf> h(s.hidden.data(), shape_.hidden);
  const Eigen::Map<const Eigen::VectorXf> bo(v.bo, shape_.n_actions);
  Eigen::Map<Eigen::VectorXf> out(scores, shape_.n_actions);
  out.noalias() = Wo * h + bo;
}

void ParserModel::backprop_score(HostView& v, float* const* d_rows, const std::int32_t* labels, const float* d_scores,
                                 Scratch& s) const {
  const std::int64_t HP = row_width(), H = shape_.hidden, F = shape_.token_slots, K = shape_.label_slots, A = shape_.n_actions;
  const int P = shape_.pieces;
  const Eigen::Map<const Eigen::VectorXf> d(d_scores, A);
  const Eigen::Map<const Eigen::VectorXf> h(s.hidden.data(), H);
  Eigen::Map<RowMatrix> dWo(v.dWo.data(), A, H);
  dWo.noalias() += d * h.transpose();
  Eigen::Map<Eigen::VectorXf>(v.dbo.data(), A) += d;
  s.d_hidden.resize(static_cast<std::size_t>(H));
  Eigen::Map<Eigen::VectorXf> dh(s.d_hidden.data(), H);
  dh.noalias() = Eigen::Map<const RowMatrix>(v.Wo, A, H).transpose() * d;
  if (!s.mask.empty()) dh.array() *= Eigen::Map<const Eigen::ArrayXf>(s.mask.data(), H);
  s.d_pre.assign(static_cast<std::size_t>(HP), 0.f);
  float* dpre = s.d_pre.data();
  for (std::int64_t o = 0; o < H; ++o) dpre[o * P + s.which[static_cast<std::size_t>(o)]] = dh[o];
  for (std::int64_t j = 0; j < HP; ++j) v.db[static_cast<std::size_t>(j)] += dpre[j];
  for (std::int64_t f = 0; f < F; ++f) {
    float* r = d_rows[f] != nullptr ? d_rows[f] : v.dpad.data() + f * HP;
    for (std::int64_t j = 0; j < HP; ++j) r[j] += dpre[j];
  }
  for (std::int64_t k = 0; k < K; ++k) {
    const std::int64_t l = labels[k] >= 0 ? labels[k] : shape_.n_labels;
    float* r = v.dlab.data() + (k * (shape_.n_labels + 1) + l) * HP;
    for (std::int64_t j = 0; j < HP; ++j) r[j] += dpre[j];
  }
}

}  // namespace weft
