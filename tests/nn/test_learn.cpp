// End to end: a MultiHashEmbed + window CNN + Softmax tagger learns a synthetic task whose tag depends
// on a token and its right neighbour, so both the embeddings and the window encoder must work.
#include <doctest/doctest.h>

#include <chrono>
#include <vector>

#include "weft/nn/chain.hpp"
#include "weft/nn/loss.hpp"
#include "weft/nn/optimizer.hpp"
#include "weft/nn/softmax.hpp"
#include "weft/nn/tok2vec.hpp"

using namespace weft;
using namespace weft::nn;

namespace {

struct Batch {
  Ragged X;
  Tensor labels;
};

// Tokens are ids 0..39; features are the id and three coarser views of it (as NORM, PREFIX, SUFFIX,
// SHAPE would be); the tag is (id + next id) mod 4, with next = 0 at a document's end.
Batch make_batch(Rng& rng, int docs) {
  std::vector<std::uint64_t> keys;
  std::vector<std::int32_t> labels, lengths;
  for (int d = 0; d < docs; ++d) {
    const int len = 6 + static_cast<int>(rng.next() % 7);
    std::vector<std::uint64_t> ids(static_cast<std::size_t>(len));
    for (auto& id : ids) id = rng.next() % 40;
    for (int i = 0; i < len; ++i) {
      const std::uint64_t id = ids[static_cast<std::size_t>(i)];
      const std::uint64_t next = i + 1 < len ? ids[static_cast<std::size_t>(i + 1)] : 0;
      keys.insert(keys.end(), {id, 1000 + id % 7, 2000 + id % 5, 3000 + id % 3});
      labels.push_back(static_cast<std::int32_t>((id + next) % 4));
    }
    lengths.push_back(len);
  }
  const auto n = static_cast<std::int64_t>(labels.size());
  return {{Tensor::from_vector(keys, Shape{n, 4}), Tensor::from_vector(lengths, Shape{static_cast<std::int64_t>(lengths.size())})},
          Tensor::from_vector(labels, Shape{n})};
}

}  // namespace

TEST_CASE("nn: a tok2vec tagger learns a synthetic task") {
  Tok2VecConfig c;
  c.embed.width = 32;
  c.embed.rows = {500, 100, 100, 100};
  c.encode.depth = 2;
  Model model = chain({tok2vec(c), softmax()});
  Rng data(17);
  Batch sample = make_batch(data, 4);
  model->initialize(&sample.X, &sample.labels, 3);
  CHECK(model->nO() == 4);
  AdamConfig ac;
  ac.learn_rate = constant_schedule(0.01f);
  Adam adam(ac);
  const auto start = std::chrono::steady_clock::now();
  double first = 0, last = 0;
  for (int step = 0; step < 300; ++step) {
    Batch b = make_batch(data, 24);
    Forward f = model->forward(b.X, true);
    const Loss loss = categorical_crossentropy(f.Y.data, b.labels);
    f.backprop(loss.grad);
    adam.step(*model);
    if (step == 0) first = loss.value;
    last = loss.value;
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  MESSAGE("loss " << first << " -> " << last << " in " << seconds << " s");
  CHECK(first > 1.0);
  CHECK(last < 0.05);
#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
  CHECK(seconds < 10.0);  // not under sanitizers (scripts/sanitize.sh), which run several times slower
#endif
  // Held-out accuracy with the averaged weights.
  Batch test = make_batch(data, 50);
  auto averaged = adam.use_averages(*model);
  const std::vector<float> probs = model->predict(test.X).data.to_vector<float>();
  const std::vector<std::int32_t> gold = test.labels.to_vector<std::int32_t>();
  std::size_t right = 0;
  for (std::size_t i = 0; i < gold.size(); ++i) {
    std::size_t best = 0;
    for (std::size_t k = 1; k < 4; ++k)
      if (probs[i * 4 + k] > probs[i * 4 + best]) best = k;
    right += best == static_cast<std::size_t>(gold[i]);
  }
  CHECK(static_cast<double>(right) / static_cast<double>(gold.size()) > 0.98);
}
