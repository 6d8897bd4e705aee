// The graph-based parser (weft.BiaffineParser.v1) and the statistical sentence segmenter
// (weft.SentenceRecognizer.v1): maximum spanning trees on hand-made and random score matrices against
// exhaustive search, the loss's gradient against finite differences, a CI-sized training run whose UAS
// rises, valid trees that agree across save, load and threads, preset sentences, bad configs, corrupt
// model folders, and a senter that learns sentence starts.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <random>

#include "weft/components/biaffine/biaffine_parser.hpp"
#include "weft/components/biaffine/mst.hpp"
#include "weft/components/tagger/tagger.hpp"
#include "weft/doc/conllu.hpp"
#include "weft/error.hpp"
#include "weft/pipeline/model_io.hpp"
#include "weft/pipeline/registry.hpp"
#include "weft/train/trainer.hpp"
#include "test_paths.hpp"
#include "trained_model.hpp"

using namespace weft;
using weft::test::check_trees;
using weft::test::temp_dir;
namespace fs = std::filesystem;

namespace {

const std::string kData = weft::test::data_path("en_ewt/");

// The score of a head assignment (0: root, j: word j - 1), or -inf unless it is a tree with one root arc.
double tree_score(const std::vector<float>& s, const std::vector<std::int32_t>& heads) {
  const auto n = static_cast<std::int32_t>(heads.size());
  int roots = 0;
  double total = 0.0;
  for (std::int32_t i = 0; i < n; ++i) {
    const std::int32_t h = heads[static_cast<std::size_t>(i)];
    if (h == i + 1) return -std::numeric_limits<double>::infinity();
    roots += h == 0;
    total += s[static_cast<std::size_t>(i * (n + 1) + h)];
    std::int32_t w = i, steps = 0;  // reaches the root without a cycle
    while (w >= 0 && steps <= n) {
      w = heads[static_cast<std::size_t>(w)] - 1;
      ++steps;
    }
    if (w >= 0) return -std::numeric_limits<double>::infinity();
  }
  return roots == 1 ? total : -std::numeric_limits<double>::infinity();
}

// The best single-root tree by trying every head assignment.
double brute_force_best(const std::vector<float>& s, std::int32_t n) {
  std::vector<std::int32_t> heads(static_cast<std::size_t>(n), 0);
  double best = -std::numeric_limits<double>::infinity();
  while (true) {
    best = std::max(best, tree_score(s, heads));
    std::int32_t k = 0;
    while (k < n && ++heads[static_cast<std::size_t>(k)] > n) heads[static_cast<std::size_t>(k++)] = 0;
    if (k == n) return best;
  }
}

Json biaffine_config(std::int64_t steps, std::int64_t eval_every) {
  Json c = Json::object();
  c["nlp"] = {{"pipeline", {"tok2vec", "biaffine_parser"}}};
  c["corpora"] = {{"train", kData + "train.conllu"}, {"dev", kData + "sample.conllu"}, {"max_train_docs", 400}, {"max_dev_docs", 100}};
  c["training"] = {{"max_steps", steps}, {"eval_frequency", eval_every}, {"patience", 0}, {"score_weights", {{"LAS", 1.0}}}};
  c["components"] = Json::parse(R"({
    "tok2vec": {"factory": "tok2vec", "width": 32, "depth": 2},
    "biaffine_parser": {"factory": "biaffine_parser", "tok2vec": {"upstream": "tok2vec"}, "arc_width": 32, "label_width": 16}})");
  return c;
}

const weft::test::Trained& trained() {
  static const weft::test::Trained t = weft::test::train_model("biaffine_model", biaffine_config(150, 50));
  return t;
}


}  // namespace

TEST_CASE("biaffine: the maximum spanning tree of hand-made scores, non-projective and with one root") {
  // Three words; rows are dependents, column 0 the root, column j word j - 1.
  // Each word's best head is a tree: taken as it is (0 <- w1, w1 <- w0, w1 <- w2).
  const std::vector<float> chain{0, 0, 9, 0,  //
                                 9, 0, 0, 1,  //
                                 0, 0, 9, 0};
  CHECK(biaffine::max_spanning_tree(chain, 3) == std::vector<std::int32_t>{2, 0, 2});
  // Greedy heads put two words on the root (w0 and w2); the best tree with one root arc keeps the
  // stronger one (w0, 10) and hangs w2 on w1 (score 5) rather than on w0 (4).
  const std::vector<float> two_roots{10, 0, 1, 0,  //
                                     1, 8, 0, 0,   //
                                     9, 4, 5, 0};
  CHECK(biaffine::max_spanning_tree(two_roots, 3) == std::vector<std::int32_t>{0, 1, 2});
  CHECK(brute_force_best(two_roots, 3) == doctest::Approx(tree_score(two_roots, {0, 1, 2})));
  // A cycle (w0 <-> w1) in the greedy heads: Chu-Liu/Edmonds breaks it where it loses least.
  const std::vector<float> cycle{1, 0, 10, 0,  //
                                 2, 10, 0, 0,  //
                                 0, 9, 1, 0};
  const std::vector<std::int32_t> t = biaffine::max_spanning_tree(cycle, 3);
  CHECK(tree_score(cycle, t) == doctest::Approx(brute_force_best(cycle, 3)));
  CHECK(t == std::vector<std::int32_t>{2, 0, 1});
  // Non-projective: four words, w0 <- root, w2 <- w0, w1 <- w3, w3 <- w0: the arcs w3 -> w1 and
  // w0 -> w2 cross, and no projective tree scores as well.
  const std::vector<float> crossing{9, 0, 0, 0, 0,  //
                                    0, 0, 0, 0, 9,  //
                                    0, 9, 0, 0, 0,  //
                                    0, 9, 0, 0, 0};
  CHECK(biaffine::max_spanning_tree(crossing, 4) == std::vector<std::int32_t>{0, 4, 1, 1});
  // One word: the root; none: nothing; a wrong size: an error.
  CHECK(biaffine::max_spanning_tree(std::vector<float>{-3, 7}, 1) == std::vector<std::int32_t>{0});
  CHECK(biaffine::max_spanning_tree({}, 0).empty());
  CHECK_THROWS_AS(biaffine::max_spanning_tree(chain, 2), ValueError);
  const std::vector<float> nan{std::nanf(""), 0};
  CHECK_THROWS_AS(biaffine::max_spanning_tree(nan, 1), ValueError);
}

TEST_CASE("biaffine: maximum spanning trees of random scores equal exhaustive search") {
  std::mt19937 rng(7);
  std::normal_distribution<float> normal(0.f, 3.f);
  for (std::int32_t n = 1; n <= 6; ++n)
    for (int trial = 0; trial < 60; ++trial) {
      std::vector<float> s(static_cast<std::size_t>(n * (n + 1)));
      for (float& x : s) x = std::round(normal(rng) * 4.f) / 4.f;  // ties happen
      if (trial % 3 == 0)
        for (std::int32_t i = 0; i < n; ++i) s[static_cast<std::size_t>(i * (n + 1))] += 6.f;  // many roots want in
      CAPTURE(n); CAPTURE(trial);
      const std::vector<std::int32_t> heads = biaffine::max_spanning_tree(s, n);
      REQUIRE(heads.size() == static_cast<std::size_t>(n));
      CHECK(std::isfinite(tree_score(s, heads)));
      CHECK(tree_score(s, heads) == doctest::Approx(brute_force_best(s, n)));
    }
}

TEST_CASE("biaffine: the loss's gradient matches finite differences") {
  auto vocab = std::make_shared<Vocab>();
  std::ifstream in(kData + "sample.conllu");
  ConlluReader reader(in, vocab, "sample.conllu");
  std::vector<Doc> gold;
  while (gold.size() < 3) gold.push_back(*reader.next());
  BiaffineParser p("parser", Json::parse(R"({"arc_width": 4, "label_width": 3, "dropout": 0})"), vocab);
  p.initialize(gold, 8, 1);
  auto& m = static_cast<BiaffineModel&>(p.model());
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> uni(-0.5f, 0.5f);
  for (nn::Param* q : {&m.U, &m.u}) {  // they start at zero
    float* v = q->value.data<float>();
    for (std::int64_t i = 0; i < q->value.numel(); ++i) v[i] = uni(rng);
  }
  std::int64_t n = 0;
  for (const Doc& d : gold) n += static_cast<std::int64_t>(d.size());
  backend::Tensor R = backend::Tensor::empty({n * m.packed_width()}, backend::DType::F32);
  for (std::int64_t i = 0; i < R.numel(); ++i) R.data<float>()[i] = uni(rng);
  m.zero_grads();
  const nn::Loss loss = p.get_loss(gold, R);
  REQUIRE(loss.n_labelled > 0);
  const double norm = static_cast<double>(loss.n_labelled);
  const std::vector<float> analytic = loss.grad.to_vector<float>();
  const std::vector<float> dU = m.U.grad.to_vector<float>(), d_root = m.root_label.grad.to_vector<float>();
  const std::vector<float> d_dist = m.W_dist.grad.to_vector<float>(), d_both = m.W_both.grad.to_vector<float>();
  const auto value = [&] { return p.get_loss(gold, R).value / norm; };
  const auto check = [&](float* x, float want) {
    const float keep = *x, eps = 1e-2f;
    *x = keep + eps;
    const double up = value();
    *x = keep - eps;
    const double down = value();
    *x = keep;
    CHECK((up - down) / (2.0 * eps) == doctest::Approx(want).epsilon(0.03).scale(0.05));
  };
  for (std::int64_t i = 0; i < R.numel(); i += 7) check(R.data<float>() + i, analytic[static_cast<std::size_t>(i)]);
  for (std::int64_t i = 0; i < m.U.value.numel(); i += 3) check(m.U.value.data<float>() + i, dU[static_cast<std::size_t>(i)]);
  for (std::int64_t i = 0; i < m.root_label.value.numel(); ++i) check(m.root_label.value.data<float>() + i, d_root[static_cast<std::size_t>(i)]);
  for (std::int64_t i = 0; i < m.W_dist.value.numel(); i += 5) check(m.W_dist.value.data<float>() + i, d_dist[static_cast<std::size_t>(i)]);
  for (std::int64_t i = 0; i < m.W_both.value.numel(); i += 2) check(m.W_both.value.data<float>() + i, d_both[static_cast<std::size_t>(i)]);
}

TEST_CASE("biaffine: a CI-sized run lowers the loss and raises UAS and LAS") {
  const TrainResult& r = trained().result;
  REQUIRE(r.history.size() == 3);
  const double first = r.history.front()["losses"]["biaffine_parser"].get<double>();
  const double last = r.history.back()["losses"]["biaffine_parser"].get<double>();
  CHECK(last < first * 0.8);
  CHECK(r.history.back()["scores"]["UAS"].get<double>() > r.history.front()["scores"]["UAS"].get<double>() + 5.0);
  CHECK(r.best_scores["UAS"].get<double>() > 40.0);
  CHECK(r.best_scores["LAS"].get<double>() > 25.0);
}

TEST_CASE("biaffine: predicted trees are valid and agree across save, load and threads") {
  const Pipeline nlp = load(trained().dir);
  CHECK(nlp.pipe_names() == std::vector<std::string>{"tok2vec", "biaffine_parser"});
  const std::vector<std::string> texts{"The cats were sitting on the mat. They did not move at all!", "",
                                       "Go to https://example.com now", "Yes", "I saw the man with the telescope ."};
  const std::vector<Doc> a = nlp.pipe(texts);
  for (const Doc& d : a) {
    check_trees(d);
    if (!d.empty()) CHECK(d.data(0).sent_start == 1);
  }
  CHECK(a[0].has_annotation(Attr::DEP));
  CHECK(a[0].sents().size() == 1);  // no sentence starts set: one sentence
  weft::test::check_same_parses_after_save_and_threads(nlp, texts, a, "biaffine_resaved");
}

TEST_CASE("biaffine: it parses within the sentences already set, and cuts one longer than max_sentence_length") {
  const Pipeline nlp = load(trained().dir);
  Doc d = nlp.make_doc("I came . I saw . I conquered .");
  REQUIRE(d.size() == 9);
  d.data(3).sent_start = 1;
  d.data(6).sent_start = 1;
  nlp.annotate(d);
  check_trees(d);
  CHECK(d.sents().size() == 3);
  const fs::path dir = temp_dir("biaffine_short");
  fs::copy(trained().dir, dir, fs::copy_options::recursive);
  Json full = read_model_json(dir / "config.json");
  full["components"]["biaffine_parser"]["max_sentence_length"] = 4;
  write_model_json(dir / "config.json", full, 2);
  const Pipeline short_nlp = load(dir);
  Doc e = short_nlp.make_doc("I came . I saw . I conquered .");
  short_nlp.annotate(e);
  check_trees(e);
  CHECK(e.sents().size() == 3);  // 4 + 4 + 1 words
  fs::remove_all(dir);
}

TEST_CASE("biaffine: registry entries and bad configs") {
  const Registry& r = Registry::global();
  CHECK(r.has("components", "biaffine_parser"));
  CHECK(r.has("components", "weft.BiaffineParser.v1"));
  auto vocab = std::make_shared<Vocab>();
  CHECK_THROWS_WITH_AS(BiaffineParser("p", Json::parse(R"({"arc_width": 0})"), vocab), doctest::Contains("\"arc_width\" must be in"),
                       ConfigError);
  CHECK_THROWS_WITH_AS(BiaffineParser("p", Json::parse(R"({"label_width": "wide"})"), vocab), doctest::Contains("label_width"),
                       ConfigError);
  CHECK_THROWS_WITH_AS(BiaffineParser("p", Json::parse(R"({"dropout": 1.5})"), vocab), doctest::Contains("dropout"), ConfigError);
  CHECK_THROWS_WITH_AS(BiaffineParser("p", Json::parse(R"({"max_sentence_length": 1})"), vocab), doctest::Contains("max_sentence_length"),
                       ConfigError);
  CHECK_THROWS_WITH_AS(BiaffineParser("p", Json::parse(R"({"arcs": 3})"), vocab), doctest::Contains("unknown key \"arcs\""), ConfigError);
  CHECK_THROWS_WITH_AS(BiaffineParser("p", Json::parse(R"({"storage": "f8"})"), vocab), doctest::Contains("storage"), ConfigError);
  BiaffineParser p("p", Json::object(), vocab);
  CHECK_THROWS_WITH_AS(p.initialize({}, 32, 0), doctest::Contains("no training Doc"), ValueError);
  CHECK(p.config()["arc_width"] == 256);
  CHECK(p.metrics() == std::vector<std::string>{"UAS", "LAS"});
}

TEST_CASE("biaffine: a corrupt model folder fails naming the file") {
  const fs::path broken = temp_dir("biaffine_broken");
  fs::copy(trained().dir, broken, fs::copy_options::recursive);
  { std::ofstream(broken / "biaffine_parser" / "labels.json") << R"({"width": 32, "labels": ["root"], "root": "nsubj"})"; }
  CHECK_THROWS_WITH_AS(load(broken), doctest::Contains("labels.json"), ModelError);
  fs::remove_all(broken);
  fs::copy(trained().dir, broken, fs::copy_options::recursive);
  fs::resize_file(broken / "biaffine_parser" / "weights.safetensors", 30);
  CHECK_THROWS_WITH_AS(load(broken), doctest::Contains("weights.safetensors"), ModelError);
  fs::remove_all(broken);
  // Weights of another shape (a wider label scorer): named too.
  fs::copy(trained().dir, broken, fs::copy_options::recursive);
  Json full = read_model_json(broken / "config.json");
  full["components"]["biaffine_parser"]["label_width"] = 17;
  write_model_json(broken / "config.json", full, 2);
  CHECK_THROWS_WITH_AS(load(broken), doctest::Contains("weights.safetensors"), ModelError);
  fs::remove_all(broken);
}

TEST_CASE("senter: learns sentence starts from joined training Docs, scored from raw text") {
  Json c = Json::object();
  c["nlp"] = {{"pipeline", {"tok2vec", "senter"}}};
  c["corpora"] = {{"train", kData + "train.conllu"}, {"dev", kData + "sample.conllu"}, {"max_train_docs", 600},
                  {"max_dev_docs", 100}, {"sentences_per_doc", 4}};
  c["training"] = {{"max_steps", 120}, {"eval_frequency", 40}, {"patience", 0}, {"score_weights", {{"Sentences", 1.0}}}};
  c["components"] = Json::parse(R"({"tok2vec": {"factory": "tok2vec", "width": 32, "depth": 2},
                                    "senter": {"factory": "senter", "tok2vec": {"upstream": "tok2vec"}}})");
  const fs::path root = temp_dir("senter_model");
  TrainOptions o;
  o.output = root;
  const TrainResult r = train(c, o);
  REQUIRE(r.history.size() == 3);
  // Scored from the dev documents' raw text, so not the gold sentences' 100.
  const double s = r.best_scores["Sentences"].get<double>();
  CHECK(s > 50.0);
  CHECK(s < 100.0);
  const Pipeline nlp = load(root / "model-best");
  const auto& senter = dynamic_cast<const TokenClassifier&>(nlp.get_pipe("senter"));
  CHECK(senter.factory_name() == "weft.SentenceRecognizer.v1");
  CHECK(senter.assigns() == std::vector<std::string>{"token.is_sent_start"});
  CHECK(senter.config()["overwrite"] == false);
  Doc d = nlp("I came here yesterday. Then I saw the house and it was big. We left.");
  for (std::size_t i = 0; i < d.size(); ++i) CHECK(d.data(i).sent_start != 0);  // decided everywhere
  CHECK(d.data(0).sent_start == 1);
  CHECK(d.sents().size() >= 2);
  // A start decided before it is kept ("overwrite": false), and decided again with "overwrite": true.
  Doc e = nlp.make_doc("I came here yesterday. Then I saw the house.");
  e.data(2).sent_start = 1;
  nlp.annotate(e);
  CHECK(e.data(2).sent_start == 1);
  auto vocab = std::make_shared<Vocab>();
  CHECK_THROWS_WITH_AS(TokenClassifier("tagger", "weft.Tagger.v1", Json::parse(R"({"overwrite": true})"), vocab),
                       doctest::Contains("\"sent_start\" head"), ValueError);
  CHECK_THROWS_WITH_AS(TokenClassifier("senter", "weft.SentenceRecognizer.v1", Json::parse(R"({"overwrite": 1})"), vocab),
                       doctest::Contains("overwrite"), ValueError);
  fs::remove_all(root);
}
