// The heads' softmax cross-entropy: gradients against the one-hot or label-smoothed target, rows
// without a gold label, and the columns of one head inside a wider score matrix.
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "weft/components/tagger/tagger.hpp"
#include "weft/error.hpp"
#include "weft/pipeline/trainable.hpp"

using namespace weft;

TEST_CASE("losses: softmax cross-entropy with and without label smoothing") {
  // Two rows of a [2, 5] score matrix; the head is columns 1..3 (C = 3); row 1 has no gold label.
  const std::vector<float> logits{9.f, 1.f, 2.f, 3.f, 9.f,  //
                                  9.f, 0.f, 0.f, 0.f, 9.f};
  const std::vector<std::int32_t> labels{2, -1};
  const double z = std::exp(1.0) + std::exp(2.0) + std::exp(3.0);
  const double p[3] = {std::exp(1.0) / z, std::exp(2.0) / z, std::exp(3.0) / z};
  for (const float s : {0.f, 0.1f}) {
    CAPTURE(s);
    std::vector<float> grad(10, 0.f);
    const double loss = softmax_xent(logits.data(), 2, 5, 1, 3, labels, 2.f, grad.data(), s);
    double expected = -(1.0 - s) * std::log(p[2]);
    for (double pc : p) expected -= s / 3.0 * std::log(pc);
    CHECK(loss == doctest::Approx(expected));
    for (int c = 0; c < 3; ++c) {
      const double target = (c == 2 ? 1.0 - s : 0.0) + s / 3.0;
      CHECK(grad[static_cast<std::size_t>(1 + c)] == doctest::Approx((p[c] - target) / 2.0));
    }
    CHECK(grad[0] == 0.f);  // other heads' columns
    CHECK(grad[4] == 0.f);
    for (int c = 5; c < 10; ++c) CHECK(grad[static_cast<std::size_t>(c)] == 0.f);  // unlabelled row
  }
}

TEST_CASE("losses: a classifier's label_smoothing is kept in its config and checked") {
  auto vocab = std::make_shared<Vocab>("en");
  const TokenClassifier tagger("tagger", "weft.Tagger.v1", Json::parse(R"({"label_smoothing": 0.1})"), vocab);
  CHECK(tagger.config()["label_smoothing"].get<double>() == doctest::Approx(0.1));
  CHECK_THROWS_AS(TokenClassifier("tagger", "weft.Tagger.v1", Json::parse(R"({"label_smoothing": 1.5})"), vocab), ValueError);
}
