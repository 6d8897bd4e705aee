// The dependency parser component: a CI-sized training run whose LAS rises, predicted trees that are
// valid (one root per sentence, no cycle, heads inside their sentence) and survive a CoNLL-U round trip,
// preset sentence boundaries respected, save/load/threads agreement, registry entries and bad configs.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <random>
#include <sstream>

#include "weft/components/parser/parser.hpp"
#include "weft/components/parser/parser_model.hpp"
#include "weft/backend/argmax.hpp"
#include "weft/components/parser/transition_loop.hpp"
#include "weft/doc/conllu.hpp"
#include "weft/doc/doc_chunks.hpp"
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

Json parser_config(std::int64_t steps, std::int64_t eval_every) {
  Json c = Json::object();
  c["nlp"] = {{"pipeline", {"tok2vec", "tagger", "parser"}}};
  c["corpora"] = {{"train", kData + "train.conllu"}, {"dev", kData + "sample.conllu"}, {"max_train_docs", 400}, {"max_dev_docs", 100}};
  c["training"] = {{"max_steps", steps}, {"eval_frequency", eval_every}, {"patience", 0},
                   {"score_weights", {{"UPOS", 0.2}, {"LAS", 0.8}}}};
  c["components"] = Json::parse(R"({
    "tok2vec": {"factory": "tok2vec", "width": 32, "depth": 2},
    "tagger": {"factory": "tagger", "tok2vec": {"upstream": "tok2vec"}},
    "parser": {"factory": "parser", "tok2vec": {"upstream": "tok2vec"}, "model": {"hidden_width": 32}}})");
  return c;
}

// A parser trained once for the cases below, with its training history.
const weft::test::Trained& trained() {
  static const weft::test::Trained t = weft::test::train_model("parser_model", parser_config(150, 50));
  return t;
}

}  // namespace

TEST_CASE("parser: training Docs of several sentences (corpora.sentences_per_doc) train the parser") {
  Json c = parser_config(20, 20);
  c["corpora"]["sentences_per_doc"] = 4;
  c["corpora"]["max_train_docs"] = 120;
  const TrainResult r = train(c);
  REQUIRE(r.history.size() == 1);
  CHECK(r.history.front()["losses"]["parser"].get<double>() > 0.0);
  CHECK(r.best_scores.contains("LAS"));
  // With a sentencizer marking only starts before it (the encoders then read the sentencizer's
  // boundaries inside the joined Docs), the parser adds boundaries of its own at prediction.
  c["nlp"]["pipeline"] = {"sentencizer", "tok2vec", "tagger", "parser"};
  c["components"]["sentencizer"] = {{"factory", "sentencizer"}, {"only_starts", true}};
  const fs::path root = temp_dir("parser_hybrid");
  TrainOptions o;
  o.output = root;
  const TrainResult h = train(c, o);
  CHECK(h.best_scores.contains("LAS"));
  const Pipeline nlp = load(root / "model-last");
  const Doc d = nlp("the cat sat on the mat. then it slept and the dog barked and the bird sang all day");
  for (std::size_t i = 0; i < d.size(); ++i) CHECK(d.data(i).sent_start != 0);
  check_trees(d);
  fs::remove_all(root);
}

TEST_CASE("parser: argmax and argmax_valid find the first best (valid) score, as the plain loops do") {
  std::mt19937 rng(5);
  const float inf = std::numeric_limits<float>::infinity();
  for (int trial = 0; trial < 3000; ++trial) {
    const auto n = static_cast<std::int64_t>(rng() % (trial % 10 == 0 ? 700 : 41));  // up to a morphologizer's labels
    const double density = trial % 3 == 0 ? 0.05 : trial % 3 == 1 ? 0.5 : 1.0;
    std::vector<float> z(static_cast<std::size_t>(n));
    std::vector<std::uint8_t> ok(static_cast<std::size_t>(n));
    for (std::int64_t a = 0; a < n; ++a) {
      // Few distinct values, so ties are common; now and then -inf.
      const auto r = rng() % 6;
      z[static_cast<std::size_t>(a)] = r == 5 ? -inf : static_cast<float>(r) - 2.f;
      ok[static_cast<std::size_t>(a)] = static_cast<std::uint8_t>(std::uniform_real_distribution<double>(0, 1)(rng) < density ? 1 + rng() % 255 : 0);
    }
    std::int64_t expected = -1;
    for (std::int64_t a = 0; a < n; ++a)
      if (ok[static_cast<std::size_t>(a)] && (expected < 0 || z[static_cast<std::size_t>(a)] > z[static_cast<std::size_t>(expected)])) expected = a;
    CAPTURE(trial);
    CHECK(backend::argmax_valid(z.data(), ok.data(), n) == expected);
    const std::int64_t first_max = n == 0 ? -1 : static_cast<std::int64_t>(std::max_element(z.begin(), z.end()) - z.begin());
    CHECK(backend::argmax(z.data(), n) == first_max);
  }
}

TEST_CASE("parser: the hidden layer of a state equals the plain sums and maxout, ties to the first piece") {
  // Small integer values, so sums are exact and equal pieces (ties) are common. The shapes cover the
  // AVX2 path (2 pieces, H a multiple of 16) and the general one.
  std::mt19937 rng(11);
  const auto draw = [&](std::vector<float>& v, std::size_t n) {
    v.resize(n);
    for (float& x : v) x = static_cast<float>(static_cast<int>(rng() % 5) - 2);
  };
  struct Case {
    std::int64_t hidden;
    int pieces;
  };
  for (const Case c : {Case{64, 2}, Case{16, 2}, Case{12, 2}, Case{64, 3}, Case{8, 1}}) {
    CAPTURE(c.hidden);
    CAPTURE(c.pieces);
    ParserModelShape shape;
    shape.width = 8;
    shape.token_slots = 5;
    shape.label_slots = 2;
    shape.n_labels = 3;
    shape.n_actions = 4;
    shape.hidden = c.hidden;
    shape.pieces = c.pieces;
    const ParserModel m(shape);
    const std::int64_t HP = m.row_width(), F = shape.token_slots, K = shape.label_slots;
    std::vector<float> b, pad, lab, rows_buf;
    draw(b, static_cast<std::size_t>(HP));
    draw(pad, static_cast<std::size_t>(F * HP));
    draw(lab, static_cast<std::size_t>(K * (shape.n_labels + 1) * HP));
    draw(rows_buf, static_cast<std::size_t>(F * HP));
    ParserModel::HostView v;
    v.b = b.data();
    v.pad = pad.data();
    v.lab = lab.data();
    ParserModel::Scratch s;
    for (int trial = 0; trial < 50; ++trial) {
      CAPTURE(trial);
      draw(rows_buf, rows_buf.size());
      std::vector<const float*> rows(static_cast<std::size_t>(F));
      for (std::int64_t f = 0; f < F; ++f) rows[static_cast<std::size_t>(f)] = rng() % 4 == 0 ? nullptr : rows_buf.data() + f * HP;
      std::vector<std::int32_t> labels(static_cast<std::size_t>(K));
      for (std::int32_t& l : labels) l = static_cast<std::int32_t>(rng() % (shape.n_labels + 1)) - 1;  // -1: none
      std::vector<float> h(static_cast<std::size_t>(c.hidden));
      m.hidden(v, rows.data(), labels.data(), h.data(), s);
      for (std::int64_t o = 0; o < c.hidden; ++o) {
        std::int64_t best = -1;
        float best_z = 0.f;
        for (int p = 0; p < c.pieces; ++p) {
          const std::int64_t j = o * c.pieces + p;
          float z = b[static_cast<std::size_t>(j)];
          for (std::int64_t f = 0; f < F; ++f)
            z += rows[static_cast<std::size_t>(f)] ? rows[static_cast<std::size_t>(f)][j] : pad[static_cast<std::size_t>(f * HP + j)];
          for (std::int64_t k = 0; k < K; ++k) {
            const std::int64_t l = labels[static_cast<std::size_t>(k)] >= 0 ? labels[static_cast<std::size_t>(k)] : shape.n_labels;
            z += lab[static_cast<std::size_t>((k * (shape.n_labels + 1) + l) * HP + j)];
          }
          if (best < 0 || z > best_z) {
            best = p;
            best_z = z;
          }
        }
        CAPTURE(o);
        CHECK(h[static_cast<std::size_t>(o)] == best_z);
        CHECK(static_cast<std::int64_t>(s.which[static_cast<std::size_t>(o)]) == best);
      }
    }
  }
}

TEST_CASE("parser: corpora.join_fraction joins only that share of the sentence groups") {
  Json c = parser_config(1, 1);
  c["corpora"]["sentences_per_doc"] = 4;
  c["corpora"]["max_train_docs"] = 120;
  const auto docs_trained = [&](double fraction) {
    c["corpora"]["join_fraction"] = fraction;
    std::ostringstream log;
    TrainOptions o;
    o.log = &log;
    train(c, o);
    const std::string head = log.str().substr(0, log.str().find('\n'));
    CAPTURE(head);
    REQUIRE(head.find("(120 sentences)") != std::string::npos);
    return std::stoi(head.substr(std::string("training on ").size()));
  };
  CHECK(docs_trained(1.0) == 30);
  const int mixed = docs_trained(0.5);
  CHECK(mixed > 30);
  CHECK(mixed < 120);
  for (const double bad : {0.0, -0.5, 1.5}) {
    c["corpora"]["join_fraction"] = bad;
    CHECK_THROWS_WITH_AS(train(c), doctest::Contains("join_fraction"), ValueError);
  }
}

TEST_CASE("parser: a CI-sized run lowers the loss and raises LAS") {
  const TrainResult& r = trained().result;
  REQUIRE(r.history.size() == 3);
  const double first = r.history.front()["losses"]["parser"].get<double>();
  const double last = r.history.back()["losses"]["parser"].get<double>();
  CHECK(last < first * 0.8);
  const double las0 = r.history.front()["scores"]["LAS"].get<double>();
  const double las2 = r.history.back()["scores"]["LAS"].get<double>();
  CHECK(las2 > las0 + 5.0);
  CHECK(r.best_scores["UAS"].get<double>() > 40.0);
}

TEST_CASE("parser: a CI-sized run on the GPU's paths (through the CPU's ops) lowers the loss and raises LAS too") {
  // Training on a device: the encoder and heads through the backend's ops, the oracle's states of a
  // batch in lockstep (transition::oracle_rounds), evaluation on the device paths.
  TrainResult r;
  {
    const weft::test::DevicePaths on;
    r = train(parser_config(150, 50));
  }
  REQUIRE(r.history.size() == 3);
  const double first = r.history.front()["losses"]["parser"].get<double>();
  const double last = r.history.back()["losses"]["parser"].get<double>();
  CHECK(last < first * 0.8);
  CHECK(r.history.back()["scores"]["LAS"].get<double>() > r.history.front()["scores"]["LAS"].get<double>() + 5.0);
  CHECK(r.best_scores["UAS"].get<double>() > 40.0);
}

TEST_CASE("parser: predicted trees are valid, survive CoNLL-U and agree across save, load and threads") {
  const Pipeline nlp = load(trained().dir);
  CHECK(nlp.pipe_names() == std::vector<std::string>{"tok2vec", "tagger", "parser"});
  const std::vector<std::string> texts{"The cats were sitting on the mat. They did not move at all!",
                                       "", "Go to https://example.com now", "Yes", "I saw the man with the telescope ."};
  const std::vector<Doc> a = nlp.pipe(texts);
  for (const Doc& d : a) check_trees(d);
  CHECK(a[0].has_annotation(Attr::DEP));
  // CoNLL-U out and back in: the same heads and labels.
  for (const Doc& d : a) {
    if (d.empty()) continue;
    std::istringstream in(to_conllu(d));
    ConlluReader reader(in, nlp.vocab(), "<predicted>");
    auto back = reader.next();
    REQUIRE(back);
    REQUIRE(back->size() == d.size());
    for (std::size_t i = 0; i < d.size(); ++i) {
      CHECK(back->data(i).head == d.data(i).head);
      CHECK(back->str(back->data(i).dep) == d.str(d.data(i).dep));
    }
  }
  weft::test::check_same_parses_after_save_and_threads(nlp, texts, a, "parser_resaved");
}

TEST_CASE("parser: sentence starts set before it are kept, and a token marked as no start gets none") {
  const Pipeline nlp = load(trained().dir);
  Doc d = nlp.make_doc("I came . I saw . I conquered .");
  REQUIRE(d.size() == 9);
  d.data(3).sent_start = 1;
  d.data(6).sent_start = 1;
  for (std::size_t i : {1, 2, 4, 5, 7, 8}) d.data(i).sent_start = -1;
  nlp.annotate(d);
  check_trees(d);
  CHECK(d.data(3).sent_start == 1);
  CHECK(d.data(6).sent_start == 1);
  for (std::size_t i : {1, 2, 4, 5, 7, 8}) CHECK(d.data(i).sent_start == -1);
  CHECK(d.sents().size() == 3);
}

TEST_CASE("parser: registry entries and bad configs") {
  const Registry& r = Registry::global();
  CHECK(r.has("components", "parser"));
  CHECK(r.has("components", "weft.DependencyParser.v1"));
  CHECK(r.has("transition_systems", "weft.ArcEager.v1"));
  CHECK(r.has("architectures", "weft.TransitionParserModel.v1"));
  auto vocab = std::make_shared<Vocab>();
  CHECK_THROWS_WITH_AS(DependencyParser("parser", Json::parse(R"({"transitions": "weft.ArcStandard.v9"})"), vocab),
                       doctest::Contains("weft.ArcStandard.v9"), KeyError);
  CHECK_THROWS_WITH_AS(DependencyParser("parser", Json::parse(R"({"features": 7})"), vocab), doctest::Contains("features"),
                       ValueError);
  CHECK_THROWS_WITH_AS(DependencyParser("parser", Json::parse(R"({"beam": 4})"), vocab), doctest::Contains("\"beam\""), ValueError);
  CHECK_THROWS_WITH_AS(DependencyParser("parser", Json::parse(R"({"model": {"hidden": 3}})"), vocab), doctest::Contains("hidden"),
                       ValueError);
  CHECK_THROWS_WITH_AS(DependencyParser("parser", Json::parse(R"({"model": {"maxout_pieces": 0}})"), vocab),
                       doctest::Contains("maxout_pieces"), ValueError);
  Json joined = parser_config(1, 1);
  joined["corpora"]["sentences_per_doc"] = 0;
  CHECK_THROWS_WITH_AS(train(joined), doctest::Contains("sentences_per_doc"), ValueError);
  Json weights = parser_config(1, 1);
  weights["training"]["score_weights"]["LASS"] = 1.0;
  CHECK_THROWS_WITH_AS(train(weights), doctest::Contains("LASS"), ValueError);
  DependencyParser p("parser", Json::object(), vocab);
  CHECK_THROWS_WITH_AS(p.initialize({}, 32, 0), doctest::Contains("no training Doc"), ValueError);
  CHECK_THROWS_WITH_AS(DependencyParser("parser", Json::parse(R"({"dropout": 1.0})"), vocab), doctest::Contains("dropout"),
                       ValueError);
  CHECK(p.config()["transitions"] == "weft.ArcEager.v1");
  CHECK(p.config()["dropout"] == 0.0);
  CHECK(p.config()["model"]["@architectures"] == "weft.TransitionParserModel.v1");
  CHECK(p.metrics() == std::vector<std::string>{"UAS", "LAS"});
}

TEST_CASE("parser: a corrupt labels.json fails naming the file") {
  const fs::path broken = temp_dir("parser_broken");
  fs::copy(trained().dir, broken, fs::copy_options::recursive);
  {
    std::ofstream(broken / "parser" / "labels.json") << R"({"width": 32, "labels": ["root"], "root": "nsubj", "actions": []})";
  }
  CHECK_THROWS_WITH_AS(load(broken), doctest::Contains("labels.json"), ModelError);
  fs::remove_all(broken);
  fs::copy(trained().dir, broken, fs::copy_options::recursive);
  fs::resize_file(broken / "parser" / "weights.safetensors", 30);
  CHECK_THROWS_WITH_AS(load(broken), doctest::Contains("weights.safetensors"), ModelError);
  fs::remove_all(broken);
}

TEST_CASE("parser: beam search gives valid trees, and a beam of one is the greedy parse") {
  const fs::path beam_dir = temp_dir("parser_beam");
  fs::copy(trained().dir, beam_dir, fs::copy_options::recursive);
  Json config;
  {
    std::ifstream in(beam_dir / "config.json");
    config = Json::parse(in);
  }
  config["components"]["parser"]["beam_width"] = 8;
  {
    std::ofstream(beam_dir / "config.json") << config.dump();
  }
  const Pipeline greedy = load(trained().dir), beam = load(beam_dir);
  CHECK(dynamic_cast<const DependencyParser&>(beam.get_pipe("parser")).config()["beam_width"] == 8);
  const std::vector<std::string> texts{"The old man the boats because they like sailing a lot .",
                                       "She said that he knew what they wanted and why , but nobody asked ."};
  const std::vector<Doc> g = greedy.pipe(texts), b = beam.pipe(texts);
  for (const Doc& d : b) check_trees(d);
  config["components"]["parser"]["beam_width"] = 1;
  {
    std::ofstream(beam_dir / "config.json") << config.dump();
  }
  const std::vector<Doc> one = load(beam_dir).pipe(texts);
  for (std::size_t k = 0; k < texts.size(); ++k)
    for (std::size_t i = 0; i < g[k].size(); ++i) {
      CHECK(one[k].data(i).head == g[k].data(i).head);
      CHECK(one[k].data(i).dep == g[k].data(i).dep);
    }
  CHECK_THROWS_WITH_AS(DependencyParser("parser", Json::parse(R"({"beam_width": 0})"), std::make_shared<Vocab>()),
                       doctest::Contains("beam_width"), ValueError);
  fs::remove_all(beam_dir);
}

TEST_CASE("parser: every Doc of a batch is parsed from its own rows (regression: all read the first Doc's)") {
  const Pipeline nlp = load(trained().dir);
  const std::vector<std::string> texts{"Dogs bark loudly at night .", "The committee approved the new budget yesterday .",
                                       "I think that she left early because she was tired ."};
  const std::vector<Doc> batch = nlp.pipe(texts);
  for (std::size_t k = 0; k < texts.size(); ++k) {
    const Doc alone = nlp(texts[k]);
    REQUIRE(alone.size() == batch[k].size());
    for (std::size_t i = 0; i < alone.size(); ++i) {
      CHECK(alone.data(i).head == batch[k].data(i).head);
      CHECK(alone.data(i).dep == batch[k].data(i).dep);
    }
  }
}
