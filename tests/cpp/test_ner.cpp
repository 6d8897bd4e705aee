// The entity recognizer: the BILUO transition system (valid moves, preset entities, the dynamic
// oracle's costs on hand-made states and, on all of train, costs that add up along any path to the
// final number of errors), Doc.ents / set_ents, and the component (a CI-sized training run whose entity
// F rises, save/load/threads agreement, entities set before it kept, registry entries, bad configs and
// a corrupt labels.json).
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <tuple>

#include "weft/components/ner/ner.hpp"
#include "weft/doc/conllu.hpp"
#include "weft/error.hpp"
#include "weft/pipeline/model_io.hpp"
#include "weft/pipeline/registry.hpp"
#include "weft/train/trainer.hpp"
#include "test_paths.hpp"
#include "trained_model.hpp"

using namespace weft;
using weft::test::temp_dir;
namespace fs = std::filesystem;
using biluo::Action;
using biluo::Move;

namespace {

const std::string kData = weft::test::data_path("en_ewt/");

biluo::Constraints free_words(std::int32_t n) {
  biluo::Constraints c;
  c.sent_start.assign(static_cast<std::size_t>(n), 0);
  c.preset_label.assign(static_cast<std::size_t>(n), -1);
  c.preset_begin.assign(static_cast<std::size_t>(n), 0);
  return c;
}

std::vector<Action> all_actions(std::int32_t n_labels) {
  std::vector<Action> out{Action::out()};
  for (std::int32_t l = 0; l < n_labels; ++l)
    for (const Move m : {Move::Begin, Move::In, Move::Last, Move::Unit}) out.push_back({m, l});
  return out;
}

using Ent = std::tuple<std::int32_t, std::int32_t, std::int32_t>;

std::set<Ent> entities(const biluo::State& s) {
  std::set<Ent> out;
  for (const auto& e : s.ents) out.insert({e.start, e.end, e.label});
  return out;
}

}  // namespace

TEST_CASE("biluo: valid moves inside and outside an entity, at the end and at a sentence start") {
  biluo::Constraints c = free_words(4);
  c.sent_start[2] = 1;
  biluo::State s(4);
  CHECK(biluo::valid(s, Action::out(), c));
  CHECK(biluo::valid(s, {Move::Unit, 0}, c));
  CHECK(biluo::valid(s, {Move::Begin, 1}, c));
  CHECK_FALSE(biluo::valid(s, {Move::In, 0}, c));
  CHECK_FALSE(biluo::valid(s, {Move::Last, 0}, c));
  biluo::apply(s, {Move::Begin, 1});
  CHECK(s.open == 0);
  // Word 1: the next word starts a sentence, so the entity must end here, with its own label.
  CHECK_FALSE(biluo::valid(s, Action::out(), c));
  CHECK_FALSE(biluo::valid(s, {Move::In, 1}, c));
  CHECK_FALSE(biluo::valid(s, {Move::Last, 0}, c));
  CHECK(biluo::valid(s, {Move::Last, 1}, c));
  biluo::apply(s, {Move::Last, 1});
  CHECK(entities(s) == std::set<Ent>{{0, 2, 1}});
  biluo::apply(s, Action::out());
  // The last word: no BEGIN (nothing can follow).
  CHECK_FALSE(biluo::valid(s, {Move::Begin, 0}, c));
  CHECK(biluo::valid(s, {Move::Unit, 0}, c));
  biluo::apply(s, {Move::Unit, 0});
  CHECK(biluo::is_final(s));
  CHECK(entities(s) == std::set<Ent>{{0, 2, 1}, {3, 4, 0}});
}

TEST_CASE("biluo: entities already set are reproduced, foreign ones left alone") {
  // Words: 0 1 2 3 4 5; a preset entity [1, 3) of label 0, a foreign one at 4.
  biluo::Constraints c = free_words(6);
  c.preset_label = {-1, 0, 0, -1, biluo::FOREIGN, -1};
  c.preset_begin = {0, 1, 0, 0, 1, 0};
  biluo::State s(6);
  CHECK_FALSE(biluo::valid(s, {Move::Begin, 0}, c));  // would run into the preset entity
  CHECK(biluo::valid(s, {Move::Unit, 1}, c));
  biluo::apply(s, Action::out());
  for (const Action& a : all_actions(2)) CHECK(biluo::valid(s, a, c) == (a.move == Move::Begin && a.label == 0));
  biluo::apply(s, {Move::Begin, 0});
  for (const Action& a : all_actions(2)) CHECK(biluo::valid(s, a, c) == (a.move == Move::Last && a.label == 0));
  biluo::apply(s, {Move::Last, 0});
  CHECK_FALSE(biluo::valid(s, {Move::Begin, 1}, c));  // would run into the foreign word
  CHECK(biluo::valid(s, {Move::Unit, 1}, c));
  biluo::apply(s, Action::out());
  for (const Action& a : all_actions(2)) CHECK(biluo::valid(s, a, c) == (a.move == Move::Out));
}

TEST_CASE("biluo: the oracle's costs on hand-made states") {
  // "Ada Lovelace met Charles Babbage in London": PER [0, 2), PER [3, 5), LOC [6, 7); labels 0 = LOC, 1 = PER.
  biluo::Gold g(7);
  g.add(0, 2, 1);
  g.add(3, 5, 1);
  g.add(6, 7, 0);
  biluo::State s(7);
  CHECK(biluo::cost(s, {Move::Begin, 1}, g) == 0);
  CHECK(biluo::cost(s, {Move::Begin, 0}, g) == 2);  // wrong entity + the gold one lost
  CHECK(biluo::cost(s, {Move::Unit, 1}, g) == 2);
  CHECK(biluo::cost(s, Action::out(), g) == 1);
  biluo::apply(s, {Move::Begin, 1});
  CHECK(biluo::cost(s, {Move::Last, 1}, g) == 0);
  CHECK(biluo::cost(s, {Move::In, 1}, g) == 2);  // runs past the gold end: one lost, one wrong (word 2 starts nothing)
  biluo::apply(s, {Move::Last, 1});
  CHECK(biluo::cost(s, Action::out(), g) == 0);
  CHECK(biluo::cost(s, {Move::Begin, 1}, g) == 2);  // wrong, and takes word 3 where a gold entity starts
  CHECK(biluo::cost(s, {Move::Unit, 0}, g) == 1);
  biluo::apply(s, Action::out());
  // At word 3 a wrong BEGIN (label LOC): from now on the open entity is wrong.
  biluo::apply(s, {Move::Begin, 0});
  CHECK(biluo::cost(s, {Move::Last, 0}, g) == 0);
  CHECK(biluo::cost(s, {Move::In, 0}, g) == 0);  // word 5 starts no gold entity
  biluo::apply(s, {Move::In, 0});
  CHECK(biluo::cost(s, {Move::In, 0}, g) == 1);  // would take word 6, where LOC starts
  CHECK(biluo::cost(s, {Move::Last, 0}, g) == 0);
  // Missing gold annotation: nothing costs anything.
  biluo::Gold unknown(3);
  unknown.missing.assign(3, 1);
  CHECK(biluo::cost(biluo::State(3), {Move::Unit, 0}, unknown) == 0);
}

TEST_CASE("biluo: on all of train, the cheapest path reproduces the gold entities and costs add up to the errors") {
  auto vocab = std::make_shared<Vocab>();
  const std::vector<Doc> docs = read_conllu_file(kData + "train.conllu", vocab);
  REQUIRE(docs.size() > 500);  // whole documents
  std::map<hash_t, std::int32_t> ids;
  std::mt19937_64 rng(7);
  std::size_t n_ents = 0;
  for (const Doc& d : docs) {
    const auto n = static_cast<std::int32_t>(d.size());
    biluo::Gold g(n);
    std::set<Ent> gold;
    for (const Span& e : d.ents()) {
      const std::int32_t l = ids.emplace(e.label(), static_cast<std::int32_t>(ids.size())).first->second;
      g.add(static_cast<std::int32_t>(e.start()), static_cast<std::int32_t>(e.end()), l);
      gold.insert({static_cast<std::int32_t>(e.start()), static_cast<std::int32_t>(e.end()), l});
    }
    n_ents += gold.size();
    const biluo::Constraints c = free_words(n);
    const std::vector<Action> actions = all_actions(3);
    // Cheapest path: exactly the gold entities.
    biluo::State best(n);
    while (!biluo::is_final(best)) {
      const Action* pick = nullptr;
      std::int32_t least = INT32_MAX;
      for (const Action& a : actions)
        if (biluo::valid(best, a, c) && biluo::cost(best, a, g) < least) least = biluo::cost(best, a, g), pick = &a;
      REQUIRE(pick != nullptr);
      REQUIRE(least == 0);
      biluo::apply(best, *pick);
    }
    REQUIRE(entities(best) == gold);
    // A random path: the summed costs are the missed gold entities plus the wrong predicted ones.
    biluo::State s(n);
    std::int64_t total = 0;
    std::vector<const Action*> ok;
    while (!biluo::is_final(s)) {
      ok.clear();
      for (const Action& a : actions)
        if (biluo::valid(s, a, c)) ok.push_back(&a);
      const Action& a = *ok[rng() % ok.size()];
      total += biluo::cost(s, a, g);
      biluo::apply(s, a);
    }
    const std::set<Ent> pred = entities(s);
    std::int64_t errors = 0;
    for (const Ent& e : gold) errors += !pred.count(e);
    for (const Ent& e : pred) errors += !gold.count(e);
    REQUIRE(total == errors);
  }
  CHECK(ids.size() == 3);
  CHECK(n_ents > 5000);
}

TEST_CASE("doc: ents reads IOB codes, set_ents writes them") {
  auto vocab = std::make_shared<Vocab>();
  Doc d = Doc::from_words(vocab, {"Ada", "Lovelace", "met", "Charles", "Babbage", "in", "London"});
  CHECK(d.ents().empty());
  const hash_t per = vocab->strings().add("PER"), loc = vocab->strings().add("LOC");
  const std::vector<Span> ents{Span(&d, 0, 2, per), Span(&d, 6, 7, loc)};
  d.set_ents(ents);
  REQUIRE(d.ents().size() == 2);
  CHECK(d.ents()[0] == Span(&d, 0, 2, per));
  CHECK(d.ents()[1].text() == "London");
  CHECK(d.data(2).ent_iob == EntIob::O);
  CHECK(d.data(1).ent_iob == EntIob::I);
  // "unmodified" keeps the others; a new entity cutting an old one leaves its rest as an entity.
  const std::vector<Span> more{Span(&d, 3, 5, per), Span(&d, 1, 2, loc)};
  d.set_ents(more, "unmodified");
  const std::vector<Span> now = d.ents();
  REQUIRE(now.size() == 4);
  CHECK(now[0] == Span(&d, 0, 1, per));
  CHECK(now[1] == Span(&d, 1, 2, loc));
  CHECK(now[2] == Span(&d, 3, 5, per));
  // "missing" clears the rest.
  const std::vector<Span> one{Span(&d, 6, 7, loc)};
  d.set_ents(one, "missing");
  CHECK(d.data(0).ent_iob == EntIob::MISSING);
  CHECK(d.ents().size() == 1);
  // An I without an entity of its label before it starts one, as in spaCy.
  d.data(2).ent_iob = EntIob::I;
  d.data(2).ent_type = per;
  CHECK(d.ents().front() == Span(&d, 2, 3, per));
  const std::vector<Span> overlap{Span(&d, 0, 2, per), Span(&d, 1, 3, loc)};
  CHECK_THROWS_WITH_AS(d.set_ents(overlap), doctest::Contains("overlap"), ValueError);
  // Spans without a label are ignored, as spaCy's set_ents does (the others become "O").
  const std::vector<Span> unlabelled{Span(&d, 0, 2)};
  d.set_ents(unlabelled);
  CHECK(d.ents().empty());
  CHECK(d.data(0).ent_iob == EntIob::O);
  const std::vector<Span> outside{Span(&d, 5, 9, per)};
  CHECK_THROWS_WITH_AS(d.set_ents(outside), doctest::Contains("outside"), ValueError);
  CHECK_THROWS_WITH_AS(d.set_ents(one, "nope"), doctest::Contains("default"), ValueError);
  Doc other = Doc::from_words(vocab, {"x"});
  const std::vector<Span> foreign{Span(&other, 0, 1, per)};
  CHECK_THROWS_WITH_AS(d.set_ents(foreign), doctest::Contains("another Doc"), ValueError);
}

namespace {

Json ner_config(std::int64_t steps, std::int64_t eval_every) {
  Json c = Json::object();
  c["nlp"] = {{"pipeline", {"tok2vec", "ner"}}};
  c["corpora"] = {{"train", kData + "train.conllu"}, {"dev", kData + "sample.conllu"}, {"max_train_docs", 1500}, {"max_dev_docs", 200}};
  c["training"] = {{"max_steps", steps}, {"eval_frequency", eval_every}, {"patience", 0}, {"score_weights", {{"ENTS_F", 1.0}}}};
  c["components"] = Json::parse(R"({
    "tok2vec": {"factory": "tok2vec", "width": 32, "depth": 2},
    "ner": {"factory": "ner", "tok2vec": {"upstream": "tok2vec"}, "model": {"hidden_width": 32}}})");
  return c;
}

const weft::test::Trained& trained() {
  static const weft::test::Trained t = weft::test::train_model("ner_model", ner_config(240, 80));
  return t;
}

}  // namespace

TEST_CASE("ner: a CI-sized run lowers the loss and raises entity F") {
  const TrainResult& r = trained().result;
  REQUIRE(r.history.size() == 3);
  const double first = r.history.front()["losses"]["ner"].get<double>();
  const double last = r.history.back()["losses"]["ner"].get<double>();
  CHECK(last < first * 0.8);
  const double f0 = r.history.front()["scores"]["ENTS_F"].get<double>();
  const double f2 = r.history.back()["scores"]["ENTS_F"].get<double>();
  MESSAGE("ENTS_F ", f0, " -> ", f2);
  CHECK(f2 > f0 + 5.0);
}

TEST_CASE("ner: predictions agree across save, load and threads, and survive CoNLL-U") {
  const Pipeline nlp = load(trained().dir);
  const std::vector<std::string> texts{"Barack Obama visited Paris and met officials of the United Nations .", "",
                                       "I work at Google in London .", "Yes", "John Smith and Mary Jones live in New York City ."};
  const std::vector<Doc> a = nlp.pipe(texts);
  for (const Doc& d : a) {
    for (std::size_t i = 0; i < d.size(); ++i) CHECK(d.data(i).ent_iob != EntIob::MISSING);
    std::size_t covered = 0;
    for (const Span& e : d.ents()) {
      covered += e.size();
      CHECK(d.data(e.start()).ent_iob == EntIob::B);
    }
    CHECK(covered <= d.size());
  }
  const weft::test::Reruns r = weft::test::rerun_after_save_and_with_threads(nlp, texts, "ner_resaved");
  const std::vector<Doc>& b = r.reloaded;
  const std::vector<Doc>& c = r.threaded;
  for (std::size_t k = 0; k < texts.size(); ++k) {
    REQUIRE(a[k].size() == b[k].size());
    for (std::size_t i = 0; i < a[k].size(); ++i) {
      CHECK(a[k].data(i).ent_iob == b[k].data(i).ent_iob);
      CHECK(a[k].data(i).ent_type == b[k].data(i).ent_type);
      CHECK(a[k].data(i).ent_iob == c[k].data(i).ent_iob);
      CHECK(a[k].data(i).ent_type == c[k].data(i).ent_type);
    }
    if (a[k].empty()) continue;
    std::istringstream in(to_conllu(a[k]));
    ConlluReader reader(in, nlp.vocab(), "<predicted>");
    auto back = reader.next();
    REQUIRE(back);
    REQUIRE(back->ents().size() == a[k].ents().size());
    for (std::size_t e = 0; e < a[k].ents().size(); ++e) {
      CHECK(back->ents()[e].start() == a[k].ents()[e].start());
      CHECK(back->ents()[e].end() == a[k].ents()[e].end());
      CHECK(back->ents()[e].label_() == a[k].ents()[e].label_());
    }
  }
}

TEST_CASE("ner: entities set before it are kept, those of labels it lacks too") {
  const Pipeline nlp = load(trained().dir);
  Doc d = nlp.make_doc("The zebra Stripes met Ada Lovelace in London yesterday .");
  const hash_t animal = nlp.vocab()->strings().add("ANIMAL"), org = nlp.vocab()->strings().add("ORG");
  const std::vector<Span> preset{Span(&d, 1, 3, animal), Span(&d, 8, 9, org)};
  d.set_ents(preset);
  std::vector<Doc> docs;
  docs.push_back(std::move(d));
  nlp.annotate(std::span<Doc>(docs));
  const Doc& out = docs.front();
  bool kept_animal = false, kept_org = false;
  for (const Span& e : out.ents()) {
    kept_animal |= e.start() == 1 && e.end() == 3 && e.label_() == "ANIMAL";
    kept_org |= e.start() == 8 && e.end() == 9 && e.label_() == "ORG";
    // No predicted entity overlaps a preset one.
    if (!(e.start() == 1 && e.end() == 3) && !(e.start() == 8 && e.end() == 9)) {
      CHECK((e.end() <= 1 || e.start() >= 3));
      CHECK((e.end() <= 8 || e.start() >= 9));
    }
  }
  CHECK(kept_animal);
  CHECK(kept_org);
}

TEST_CASE("ner: registry entries, bad configs and a corrupt labels.json") {
  const Registry& r = Registry::global();
  CHECK(r.has("components", "ner"));
  CHECK(r.has("components", "weft.EntityRecognizer.v1"));
  auto vocab = std::make_shared<Vocab>();
  CHECK_THROWS_WITH_AS(EntityRecognizer("ner", Json::parse(R"({"beam_width": 4})"), vocab), doctest::Contains("beam_width"),
                       ValueError);
  CHECK_THROWS_WITH_AS(EntityRecognizer("ner", Json::parse(R"({"explore": 2})"), vocab), doctest::Contains("explore"), ValueError);
  CHECK_THROWS_WITH_AS(EntityRecognizer("ner", Json::parse(R"({"model": {"hidden": 3}})"), vocab), doctest::Contains("hidden"),
                       ValueError);
  EntityRecognizer ner("ner", Json::object(), vocab);
  CHECK(ner.metrics() == std::vector<std::string>{"ENTS_F"});
  CHECK(ner.config()["model"]["@architectures"] == "weft.TransitionParserModel.v1");
  const std::vector<Doc> none{Doc::from_words(vocab, {"no", "entities"})};
  CHECK_THROWS_WITH_AS(ner.initialize(none, 32, 0), doctest::Contains("no training Doc has an entity"), ValueError);

  const fs::path broken = temp_dir("ner_broken");
  fs::copy(trained().dir, broken, fs::copy_options::recursive);
  { std::ofstream(broken / "ner" / "labels.json") << R"({"width": 32, "labels": ["PER", "LOC"]})"; }
  CHECK_THROWS_WITH_AS(load(broken), doctest::Contains("labels.json"), ModelError);
  fs::remove_all(broken);
  fs::copy(trained().dir, broken, fs::copy_options::recursive);
  fs::resize_file(broken / "ner" / "weights.safetensors", 30);
  CHECK_THROWS_WITH_AS(load(broken), doctest::Contains("weights.safetensors"), ModelError);
  fs::remove_all(broken);
}

TEST_CASE("ner: a listener with grad_factor 0 leaves the shared tok2vec as the other heads train it") {
  // tok2vec + ner only: with grad_factor 0 nothing trains the tok2vec, so its saved weights are the
  // same after 2 and after 4 steps; with the default factor they change.
  auto tok2vec_weights = [](float factor, std::int64_t steps) {
    Json c = ner_config(steps, steps);
    c["corpora"]["max_train_docs"] = 200;
    c["corpora"]["max_dev_docs"] = 20;
    // No weight decay, and no weight averages (their running update drifts by rounding even when the
    // weights stand still).
    c["training"]["optimizer"] = {{"weight_decay", 0.0}, {"use_averages", false}};
    c["components"]["ner"]["tok2vec"]["grad_factor"] = factor;
    const fs::path root = temp_dir("ner_grad_factor");
    TrainOptions o;
    o.output = root;
    (void)train(c, o);
    std::ifstream in(root / "model-last" / "tok2vec" / "weights.safetensors", std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    fs::remove_all(root);
    REQUIRE(!bytes.empty());
    return bytes;
  };
  CHECK(tok2vec_weights(0.f, 2) == tok2vec_weights(0.f, 4));
  CHECK(tok2vec_weights(1.f, 2) != tok2vec_weights(1.f, 4));
  auto vocab = std::make_shared<Vocab>();
  const EntityRecognizer frozen("ner", Json::parse(R"({"tok2vec": {"upstream": "tok2vec", "grad_factor": 0}})"), vocab);
  CHECK(frozen.grad_factor() == 0.f);
  CHECK(frozen.config()["tok2vec"]["grad_factor"] == 0.0);
  CHECK(EntityRecognizer("ner", Json::object(), vocab).config()["tok2vec"].contains("grad_factor") == false);
  CHECK_THROWS_WITH_AS(EntityRecognizer("ner", Json::parse(R"({"tok2vec": {"upstream": "tok2vec", "grad_factor": -1}})"), vocab),
                       doctest::Contains("grad_factor"), ValueError);
  CHECK_THROWS_WITH_AS(EntityRecognizer("ner", Json::parse(R"({"tok2vec": {"upstream": "tok2vec", "grad": 0}})"), vocab),
                       doctest::Contains("listener config"), ValueError);
}
