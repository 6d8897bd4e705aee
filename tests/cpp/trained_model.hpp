// Shared helpers of the tests of trained components: a CI-sized model trained once into a temporary
// folder, the check that every sentence of a parsed Doc is one tree, and that parses survive saving
// and threads.
#pragma once

#include <doctest/doctest.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "test_paths.hpp"
#include "weft/doc/doc.hpp"
#include "weft/pipeline/model_io.hpp"
#include "weft/pipeline/pipeline.hpp"
#include "weft/train/trainer.hpp"

namespace weft::test {

// A model trained by `config` into temp_dir(name), with its training history (model-best in dir).
struct Trained {
  std::filesystem::path dir;
  TrainResult result;
};
inline Trained train_model(const std::string& name, const Json& config) {
  Trained out;
  const std::filesystem::path root = temp_dir(name);
  TrainOptions o;
  o.output = root;
  out.result = train(config, o);
  out.dir = root / "model-best";
  return out;
}

// Checks that every sentence of `d` is one tree: heads inside the sentence, one root, no cycle, a
// label on every word; every token after a sentence's first is marked as no start.
inline void check_trees(const Doc& d) {
  const auto n = static_cast<std::int64_t>(d.size());
  std::int64_t start = 0;
  while (start < n) {
    std::int64_t end = start + 1;
    while (end < n && d.data(static_cast<std::size_t>(end)).sent_start != 1) ++end;
    int roots = 0;
    for (std::int64_t i = start; i < end; ++i) {
      const TokenData& t = d.data(static_cast<std::size_t>(i));
      CHECK(t.dep != 0);
      const std::int64_t h = i + t.head;
      REQUIRE(h >= start);
      REQUIRE(h < end);
      roots += h == i;
      // Following heads from i reaches the root within the sentence's length.
      std::int64_t w = i, steps = 0;
      while (d.data(static_cast<std::size_t>(w)).head != 0 && steps <= end - start) {
        w += d.data(static_cast<std::size_t>(w)).head;
        ++steps;
      }
      CHECK(steps <= end - start);
    }
    CHECK(roots == 1);
    if (start > 0) CHECK(d.data(static_cast<std::size_t>(start)).sent_start == 1);
    for (std::int64_t i = start + 1; i < end; ++i) CHECK(d.data(static_cast<std::size_t>(i)).sent_start == -1);
    start = end;
  }
}

// `texts` through `nlp` saved and loaded again, and through `nlp` with two threads over batches of one:
// what a trained component's output must not depend on.
struct Reruns {
  std::vector<Doc> reloaded, threaded;
};
inline Reruns rerun_after_save_and_with_threads(const Pipeline& nlp, const std::vector<std::string>& texts,
                                                const std::string& name) {
  const std::filesystem::path copy = temp_dir(name);
  save_pipeline(nlp, copy, Json::object(), nlp.meta());
  Reruns r;
  r.reloaded = load(copy).pipe(texts);
  PipeOptions two;
  two.n_threads = 2;
  two.batch_size = 1;
  r.threaded = nlp.pipe(texts, two);
  std::filesystem::remove_all(copy);
  return r;
}

// Checks that `nlp` parses `texts` as `parsed` says (heads, labels, sentence starts) after a save and
// load, and with two threads over batches of one.
inline void check_same_parses_after_save_and_threads(const Pipeline& nlp, const std::vector<std::string>& texts,
                                                     const std::vector<Doc>& parsed, const std::string& name) {
  const Reruns r = rerun_after_save_and_with_threads(nlp, texts, name);
  for (std::size_t k = 0; k < texts.size(); ++k)
    for (std::size_t i = 0; i < parsed[k].size(); ++i)
      for (const Doc* other : {&r.reloaded[k], &r.threaded[k]}) {
        CHECK(parsed[k].data(i).head == other->data(i).head);
        CHECK(parsed[k].data(i).dep == other->data(i).dep);
        CHECK(parsed[k].data(i).sent_start == other->data(i).sent_start);
      }
}

}  // namespace weft::test
