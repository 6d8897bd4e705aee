// Training and trained components: a CI-sized training run whose loss falls and accuracy rises, model
// folders that round-trip, the folded tok2vec inference path against the layers as trained, the
// listener wiring, and bad configs and models that fail with clear errors.
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "weft/backend/cpu_int8.hpp"
#include "weft/components/tok2vec/tok2vec.hpp"
#include "weft/doc/conllu.hpp"
#include "weft/error.hpp"
#include "weft/pipeline/model_io.hpp"
#include "weft/train/conll18.hpp"
#include "weft/train/evaluate.hpp"
#include "weft/train/trainer.hpp"
#include "test_paths.hpp"

using namespace weft;
using weft::test::temp_dir;
namespace fs = std::filesystem;

namespace {

const std::string kData = std::string(WEFT_SOURCE_DIR) + "/data/en_ewt/";

Json tiny_config(std::int64_t steps, std::int64_t eval_every) {
  Json c = Json::object();
  c["corpora"] = {{"train", kData + "train.conllu"}, {"dev", kData + "sample.conllu"}, {"max_train_docs", 300}, {"max_dev_docs", 100}};
  c["training"] = {{"max_steps", steps}, {"eval_frequency", eval_every}, {"patience", 0}};
  c["components"] = Json::parse(R"({
    "tok2vec": {"factory": "tok2vec", "width": 32, "depth": 2},
    "tagger": {"factory": "tagger", "tok2vec": {"upstream": "tok2vec"}},
    "morphologizer": {"factory": "morphologizer", "tok2vec": {"upstream": "tok2vec"}},
    "lemmatizer": {"factory": "lemmatizer", "tok2vec": {"upstream": "tok2vec"}}})");
  return c;
}

// Trains `config` into a fresh temporary folder (returned in `out`).
TrainResult train_to(const Json& config, const std::string& name, fs::path& out) {
  out = temp_dir(name);
  TrainOptions o;
  o.output = out;
  return train(config, o);
}

// A trained tiny model, made once for the cases below.
const fs::path& tiny_model() {
  static const fs::path dir = [] {
    fs::path out;
    train_to(tiny_config(40, 40), "tiny_model", out);
    return out / "model-best";
  }();
  return dir;
}

// The same with word dropout, so unseen words take the unknown-word key.
const fs::path& tiny_word_dropout_model() {
  static const fs::path dir = [] {
    Json c = tiny_config(20, 20);
    c["components"]["tok2vec"]["word_dropout"] = 0.5;
    fs::path out;
    train_to(c, "tiny_wd_model", out);
    return out / "model-best";
  }();
  return dir;
}

std::vector<Doc> annotate(const Pipeline& nlp, const std::vector<std::string>& texts) { return nlp.pipe(texts); }

}  // namespace

TEST_CASE("training: a CI-sized run lowers the loss and raises accuracy") {
  const TrainResult r = train(tiny_config(60, 20));
  REQUIRE(r.history.size() == 3);
  for (const char* comp : {"tagger", "morphologizer", "lemmatizer"}) {
    CAPTURE(comp);
    CHECK(r.history.back()["losses"][comp].get<double>() < r.history.front()["losses"][comp].get<double>());
  }
  CHECK(r.history.back()["score"].get<double>() > r.history.front()["score"].get<double>());
  CHECK(r.history.back()["scores"]["UPOS"].get<double>() > 60.0);
  CHECK(r.best_step == 60);
}

TEST_CASE("training: runs are reproducible, and score_minimums choose model-best among the evaluations that meet them") {
  // A second run of the same config (one thread, same seed) repeats the first evaluation by evaluation,
  // so a run can be repeated with another selection rule.
  const TrainResult a = train(tiny_config(60, 10));
  const TrainResult b = train(tiny_config(60, 10));
  REQUIRE(a.history.size() == 6);
  REQUIRE(b.history.size() == 6);
  for (std::size_t k = 0; k < a.history.size(); ++k) CHECK(a.history[k]["scores"] == b.history[k]["scores"]);
  CHECK(a.best_meets_minimums);
  // The minimum is the best UPOS of the run: only evaluations that reach it are eligible, whatever
  // their weighted score.
  double top = 0.0;
  for (const Json& e : a.history) top = std::max(top, e["scores"]["UPOS"].get<double>());
  std::int64_t expected = 0;
  double expected_score = -1.0;
  for (const Json& e : a.history)
    if (e["scores"]["UPOS"].get<double>() >= top && e["score"].get<double>() > expected_score)
      expected = e["step"].get<std::int64_t>(), expected_score = e["score"].get<double>();
  Json c = tiny_config(60, 10);
  c["training"]["score_minimums"] = {{"UPOS", top}};
  const TrainResult m = train(c);
  CHECK(m.best_meets_minimums);
  CHECK(m.best_step == expected);
  // Unreachable minimums: the weighted score decides, and the result says none met them.
  c["training"]["score_minimums"] = {{"UPOS", 101.0}};
  const TrainResult none = train(c);
  CHECK_FALSE(none.best_meets_minimums);
  CHECK(none.best_step == a.best_step);
  c["training"]["score_minimums"] = {{"LAS", 80.0}};  // no parser here
  CHECK_THROWS_WITH_AS(train(c), doctest::Contains("does not score \"LAS\""), ValueError);
  c["training"]["score_minimums"] = {{"UPOS", "high"}};
  CHECK_THROWS_WITH_AS(train(c), doctest::Contains("must be a number"), ValueError);
}

TEST_CASE("training: config resolution fills defaults and rejects unknown keys") {
  const Json c = resolve_training_config(Json::object(), {{"training.max_steps", "7"}, {"corpora.train", "x.conllu"}});
  CHECK(c["training"]["max_steps"] == 7);
  CHECK(c["corpora"]["train"] == "x.conllu");
  CHECK(c["components"].contains("tagger"));
  CHECK_THROWS_AS(resolve_training_config(Json::object(), {{"training.max_stepz", "7"}}), ValueError);
  CHECK_THROWS_AS(resolve_training_config(Json::parse(R"({"trainin": {}})")), ValueError);
  Json bad = tiny_config(1, 1);
  bad["components"]["tagger"]["tok2vec"] = {{"upstream", "nope"}};
  CHECK_THROWS_WITH_AS(train(bad), doctest::Contains("nope"), ValueError);
  Json feature = tiny_config(1, 1);
  feature["components"]["tok2vec"]["features"] = Json::parse(R"([{"attr": "SUFFIXX"}])");
  CHECK_THROWS_WITH_AS(train(feature), doctest::Contains("SUFFIXX"), ValueError);
}

TEST_CASE("training: a saved model loads and annotates identically; threads agree") {
  const Pipeline nlp = load(tiny_model());
  CHECK(nlp.pipe_names() == std::vector<std::string>{"tok2vec", "tagger", "morphologizer", "lemmatizer"});
  CHECK(nlp.meta()["scores"].contains("UPOS"));
  const std::vector<std::string> texts{"The cats were sitting on the mat.", "I didn't know that!", "",
                                       "Go to https://example.com now."};
  const std::vector<Doc> a = annotate(nlp, texts);
  for (const Doc& d : a)
    for (std::size_t i = 0; i < d.size(); ++i) {
      CHECK(d.data(i).pos != UPOS::NONE);
      CHECK(d.data(i).tag != 0);
      CHECK(d.data(i).lemma != 0);
    }
  const fs::path copy = temp_dir("resaved");
  save_pipeline(nlp, copy, Json::object(), nlp.meta());
  const Pipeline again = load(copy);
  const std::vector<Doc> b = annotate(again, texts);
  PipeOptions two;
  two.n_threads = 2;
  two.batch_size = 1;
  const std::vector<Doc> c = nlp.pipe(texts, two);
  for (std::size_t k = 0; k < texts.size(); ++k)
    for (std::size_t i = 0; i < a[k].size(); ++i) {
      CHECK(a[k].data(i).pos == b[k].data(i).pos);
      CHECK(a[k].data(i).tag == b[k].data(i).tag);
      CHECK(a[k].data(i).morph == b[k].data(i).morph);
      CHECK(a[k].str(a[k].data(i).lemma) == b[k].str(b[k].data(i).lemma));
      CHECK(a[k].data(i).pos == c[k].data(i).pos);
      CHECK(a[k].str(a[k].data(i).lemma) == c[k].str(c[k].data(i).lemma));
    }
  fs::remove_all(copy);
}

TEST_CASE("training: the folded tok2vec inference path equals the layers as trained") {
  // The inference path also runs the encoder a chunk of Docs at a time: Docs across chunk ends, a Doc
  // longer than a chunk, an empty Doc, a one-word Doc and sentence starts inside a Doc (context stops
  // there). Its first block sums folded parts of known and unknown words (Folded::word_window).
  // With int8 products off it is the same arithmetic up to rounding; with them on (the default where
  // oneDNN is built in) the other blocks' products are quantized, and it stays within a few percent.
  for (const bool int8 : {false, true})
  for (const bool word_dropout : {false, true}) {
    CAPTURE(int8);
    CAPTURE(word_dropout);
    const weft::backend::CpuInt8Scope scope(int8);
    Pipeline nlp = load(word_dropout ? tiny_word_dropout_model() : tiny_model());
    auto& t2v = dynamic_cast<Tok2Vec&>(nlp.get_pipe("tok2vec"));
    CHECK(t2v.settings().word_dropout == (word_dropout ? 0.5f : 0.f));
    std::vector<Doc> docs;
    docs.push_back(nlp.make_doc("Unseenwordzz and the cat sat. It sat again!"));
    docs.push_back(nlp.make_doc("A second document"));
    docs[0].data(0).norm = docs[0].vocab().strings().add("override");  // a norm override takes the slow path
    for (std::size_t i = 0; i < docs[0].size(); ++i) docs[0].data(i).sent_start = i == 0 || i == 6 ? 1 : -1;
    docs.push_back(nlp.make_doc(""));
    docs.push_back(nlp.make_doc("Unseenwordyy"));
    std::string long_text;
    for (int k = 0; k < 80; ++k) long_text += "The cat sat on the mat today . ";
    docs.push_back(nlp.make_doc(long_text));  // 640 words, more than a chunk (512)
    for (int k = 0; k < 40; ++k) docs.push_back(nlp.make_doc("Short document number " + std::to_string(k) + " here ."));
    // The largest difference, relative to the largest value of the plain path.
    const auto worst_difference = [&](const std::vector<Doc>& batch) {
      const nn::Ragged folded = t2v.predict(batch);
      t2v.discard_inference();
      const nn::Ragged plain = t2v.predict(batch);
      t2v.prepare_inference();
      REQUIRE(folded.data.shape() == plain.data.shape());
      const auto x = folded.data.to_vector<float>(), y = plain.data.to_vector<float>();
      double worst = 0.0, largest = 0.0;
      for (std::size_t i = 0; i < x.size(); ++i) {
        worst = std::max(worst, std::abs(static_cast<double>(x[i]) - y[i]));
        largest = std::max(largest, std::abs(static_cast<double>(y[i])));
      }
      REQUIRE(largest > 0.1);
      return worst / largest;
    };
    const double bound = int8 && weft::backend::int8_available() ? 0.03 : 1e-5;
    CHECK(worst_difference(docs) < bound);
    // A batch of cached words only (no unknown words' parts).
    std::vector<Doc> known;
    known.push_back(nlp.make_doc("the and of to the"));  // in any EWT training sample
    CHECK(worst_difference(known) < bound);
  }
}

TEST_CASE("training: a missing or corrupt model fails naming the file") {
  CHECK_THROWS_WITH_AS(load("/nonexistent/model"), doctest::Contains("/nonexistent/model"), ModelError);
  const fs::path broken = temp_dir("broken");
  fs::copy(tiny_model(), broken, fs::copy_options::recursive);
  {
    std::ofstream(broken / "config.json") << "{not json";
  }
  CHECK_THROWS_WITH_AS(load(broken), doctest::Contains("config.json"), ModelError);
  fs::remove_all(broken);
  fs::copy(tiny_model(), broken, fs::copy_options::recursive);
  fs::resize_file(broken / "tagger" / "weights.safetensors", 20);
  CHECK_THROWS_WITH_AS(load(broken), doctest::Contains("weights.safetensors"), ModelError);
  fs::remove_all(broken);
  fs::copy(tiny_model(), broken, fs::copy_options::recursive);
  fs::remove(broken / "lemmatizer" / "trees.bin");
  CHECK_THROWS_WITH_AS(load(broken), doctest::Contains("trees.bin"), ModelError);
  fs::remove_all(broken);
}

TEST_CASE("training: a listener outside its pipeline says what it listens to") {
  const Pipeline nlp = load(tiny_model());
  Doc d = nlp.make_doc("Hello there.");
  CHECK_THROWS_WITH_AS(nlp.get_pipe("tagger")(d), doctest::Contains("tok2vec"), ValueError);
}

TEST_CASE("training: a component with its own tok2vec trains, saves and runs alone") {
  Json c = tiny_config(20, 20);
  c["nlp"] = {{"pipeline", {"tagger"}}};
  c["components"] = Json::parse(R"({"tagger": {"factory": "tagger", "heads": ["pos"],
                                    "tok2vec": {"width": 32, "depth": 1, "features": [{"attr": "NORM", "rows": 500}]}}})");
  fs::path out;
  const TrainResult r = train_to(c, "own_tok2vec", out);
  CHECK(r.best_scores.contains("UPOS"));
  CHECK_FALSE(r.best_scores.contains("XPOS"));
  const Pipeline nlp = load(out / "model-best");
  CHECK(nlp.component_names() == std::vector<std::string>{"tagger"});
  CHECK(fs::exists(out / "model-best" / "tagger" / "tok2vec" / "weights.safetensors"));
  Doc d = nlp.make_doc("The dog barked.");
  nlp.get_pipe("tagger")(d);  // alone: it needs no upstream
  for (std::size_t i = 0; i < d.size(); ++i) CHECK(d.data(i).pos != UPOS::NONE);
  fs::remove_all(out);
}

TEST_CASE("training: an auxiliary dep head trains with the tagger and is dropped on saving") {
  Json c = tiny_config(20, 20);
  c["nlp"] = {{"pipeline", {"tok2vec", "tagger"}}};
  c["components"]["tagger"]["heads"] = {"dep", "pos", "tag"};  // dep goes last whatever its place
  c["components"]["tagger"]["storage"] = "f32";                // so the saved model scores exactly the same
  c["components"]["tok2vec"]["storage"] = "f32";
  fs::path out;
  const TrainResult r = train_to(c, "aux_dep", out);
  CHECK(r.best_scores.contains("UPOS"));
  CHECK(r.best_scores.contains("XPOS"));
  const fs::path best = out / "model-best";
  std::ifstream labels(best / "tagger" / "labels.json");
  const Json j = Json::parse(labels);
  CHECK(j["labels"].contains("pos"));
  CHECK(j["labels"].contains("tag"));
  CHECK_FALSE(j["labels"].contains("dep"));
  const Pipeline nlp = load(best);
  CHECK(nlp.get_pipe("tagger").config()["heads"] == Json::parse(R"(["pos", "tag"])"));
  const Doc d = nlp("The dog barked at the mailman.");
  for (std::size_t i = 0; i < d.size(); ++i) {
    CHECK(d.data(i).pos != UPOS::NONE);
    CHECK(d.data(i).dep == 0);  // the auxiliary head annotates nothing
  }
  // The saved weights hold the annotating heads' rows: the loaded model scores what training measured.
  std::vector<Doc> gold = read_conllu_file(kData + "sample.conllu", nlp.vocab(), {ConlluReadOptions::Group::Sentence, false});
  gold.erase(gold.begin() + 100, gold.end());
  std::vector<Doc> sys;
  for (const Doc& g : gold) sys.push_back(strip_annotations(g));
  nlp.annotate(sys);
  const Conll18Scores s = conll18_evaluate(gold, sys);
  CHECK(s.at("UPOS").f1 * 100.0 == doctest::Approx(r.best_scores["UPOS"].get<double>()).epsilon(1e-6));
  CHECK(s.at("XPOS").f1 * 100.0 == doctest::Approx(r.best_scores["XPOS"].get<double>()).epsilon(1e-6));
  Json bad = tiny_config(1, 1);
  bad["components"]["tagger"]["heads"] = {"pos", "deps"};
  CHECK_THROWS_WITH_AS(train(bad), doctest::Contains("pos, tag, morph, feats, dep"), ValueError);
  bad["components"]["tagger"]["heads"] = {"dep"};
  CHECK_THROWS_WITH_AS(train(bad), doctest::Contains("needs a head that annotates"), ValueError);
  fs::remove_all(out);
}

TEST_CASE("training: one evaluation routine scores what the pipeline predicts, gold or raw") {
  const Pipeline nlp = load(tiny_model());
  const std::vector<Doc> gold = read_conllu_file(kData + "sample.conllu", nlp.vocab());
  const Evaluation e = evaluate(nlp, gold, 7);  // batches of 7: the same as one pass
  // The same as annotating stripped copies by hand and scoring them.
  std::vector<Doc> system;
  for (const Doc& g : gold) system.push_back(strip_annotations(g, nlp.vocab()));
  nlp.annotate_sentences(std::span<Doc>(system));
  const Conll18Scores by_hand = conll18_evaluate(gold, system);
  for (const char* m : {"UPOS", "XPOS", "UFeats", "Lemmas", "LAS"}) {
    CAPTURE(m);
    CHECK(e.scores.at(m).correct == by_hand.at(m).correct);
    CHECK(e.value(m) == by_hand.at(m).f1);
  }
  // Reports keep the metrics of what it predicts: tags, features, lemmas; no trees, no entities.
  const Conll18Scores shown = e.reported();
  CHECK(shown.count("UPOS") == 1);
  CHECK(shown.count("Lemmas") == 1);
  CHECK(shown.count("LAS") == 0);
  CHECK_FALSE(e.ents.has_value());
  CHECK(e.value("ENTS_F") == 0.0);
  const Json j = e.to_json();
  CHECK(j.contains("UPOS"));
  CHECK(j["UPOS"]["aligned_accuracy"].get<double>() > 0.0);
  CHECK_FALSE(j.contains("LAS"));
  CHECK_FALSE(j.contains("ENTS_F"));
  std::size_t words = 0;
  for (const Doc& g : gold) words += g.size();
  CHECK(e.words == words);
  // From raw text the tokens are the pipeline's own; with the gold text they all match here.
  Pipeline raw = load(tiny_model());
  raw.add_pipe("sentencizer", "", Json::object(), raw.pipe_names().front());
  const Evaluation r = evaluate_raw(raw, gold, true);
  CHECK(r.scores.at("Tokens").f1 > 0.9);
  CHECK(r.scores.at("UPOS").f1 > 0.0);
  CHECK(r.words == words);
}

namespace {

// tiny_config's pipeline over a tok2vec with a BiLSTM after a CNN of `cnn_depth` blocks (0: none;
// and, with `chars`, character features).
Json lstm_config(bool chars, std::int64_t steps, int cnn_depth = 1) {
  Json c = tiny_config(steps, steps);
  c["components"]["tok2vec"]["depth"] = cnn_depth;
  c["components"]["tok2vec"]["encoder"] = {{"@architectures", "weft.BiLSTMEncoder.v1"}, {"width", 24}, {"depth", 2}, {"dropout", 0.1}};
  if (chars) c["components"]["tok2vec"]["char_embed"] = {{"@architectures", "weft.CharEmbed.v1"}, {"nM", 4}, {"nC", 4}, {"rows", 200}};
  return c;
}

}  // namespace

TEST_CASE("training: a tok2vec with a BiLSTM encoder (and character features) trains, saves, loads and predicts alike") {
  for (const int variant : {0, 1, 2}) {
    const bool chars = variant == 1;
    const int cnn_depth = variant == 2 ? 0 : 1;  // variant 2: no CNN, the BiLSTM reads the embedding
    CAPTURE(chars);
    CAPTURE(cnn_depth);
    fs::path out;
    const TrainResult r = train_to(lstm_config(chars, 30, cnn_depth), "lstm_model_" + std::to_string(variant), out);
    (void)r;
    Pipeline nlp = load(out / "model-best");
    auto& t2v = dynamic_cast<Tok2Vec&>(nlp.get_pipe("tok2vec"));
    CHECK(t2v.width() == 24);
    CHECK(t2v.settings().encoder["@architectures"] == "weft.BiLSTMEncoder.v1");
    std::vector<Doc> docs;
    docs.push_back(nlp.make_doc("Unseenwordzz and the cat sat. It sat again!"));
    for (std::size_t i = 0; i < docs[0].size(); ++i) docs[0].data(i).sent_start = i == 0 || i == 6 ? 1 : -1;
    docs.push_back(nlp.make_doc(""));
    std::string long_text;
    for (int k = 0; k < 70; ++k) long_text += "The cat sat on the mat today . ";
    docs.push_back(nlp.make_doc(long_text));  // one sentence of 560 words, longer than a chunk (512)
    for (int k = 0; k < 30; ++k) docs.push_back(nlp.make_doc("Short document number " + std::to_string(k) + " here ."));
    const nn::Ragged batch = t2v.predict(docs);
    REQUIRE(batch.data.shape() == backend::Shape{batch.data.dim(0), 24});
    // The layers as trained over the whole batch at once (the LSTM sees every sequence whole).
    const nn::Ragged all = t2v.model().predict(t2v.keys(docs));
    // Each Doc alone gives its rows of the batch (sequences never interact), and the folded CNN path
    // equals the layers (int8 off).
    const weft::backend::CpuInt8Scope f32(false);
    const nn::Ragged again = t2v.predict(docs);
    const auto x = again.data.to_vector<float>(), y = all.data.to_vector<float>();
    REQUIRE(x.size() == y.size());
    double worst = 0.0;
    for (std::size_t i = 0; i < x.size(); ++i) worst = std::max(worst, std::abs(static_cast<double>(x[i]) - y[i]));
    CHECK(worst < 1e-4);
    // The layers' own chunked path (encode_layers, what a GPU runs) gives the same.
    t2v.discard_inference();
    const auto layered = t2v.predict(docs).data.to_vector<float>();
    t2v.prepare_inference();
    REQUIRE(layered.size() == y.size());
    double worst_layers = 0.0;
    for (std::size_t i = 0; i < y.size(); ++i) worst_layers = std::max(worst_layers, std::abs(static_cast<double>(layered[i]) - y[i]));
    CHECK(worst_layers < 1e-5);
    std::int64_t row = 0;
    for (const Doc& d : docs) {
      const nn::Ragged alone = t2v.predict(std::span<const Doc>(&d, 1));
      const auto a = alone.data.to_vector<float>();
      for (std::size_t i = 0; i < a.size(); ++i) CHECK(std::abs(a[i] - x[static_cast<std::size_t>(row * 24) + i]) < 1e-5);
      row += static_cast<std::int64_t>(d.size());
    }
    // Saved and loaded: the same vectors and tags.
    const fs::path copy = temp_dir("lstm_resaved_" + std::to_string(variant));
    save_pipeline(nlp, copy, Json::object(), nlp.meta());
    Pipeline loaded = load(copy);
    const nn::Ragged reloaded = dynamic_cast<const Tok2Vec&>(loaded.get_pipe("tok2vec")).predict(docs);
    CHECK(reloaded.data.to_vector<float>() == again.data.to_vector<float>());
    fs::remove_all(copy);
    fs::remove_all(out);
  }
}

TEST_CASE("training: bad encoder and char_embed sections fail naming the key") {
  auto make = [](const Json& t2v) {
    Json c = tiny_config(1, 1);
    c["components"]["tok2vec"].update(t2v);
    fs::path out;
    train_to(c, "bad_encoder", out);
  };
  CHECK_THROWS_WITH(make({{"encoder", 3}}), doctest::Contains("\"encoder\" must be null or an object naming its \"@architectures\""));
  CHECK_THROWS_WITH(make({{"encoder", {{"@architectures", "weft.BiLSTMEncoder.v1"}, {"widht", 4}}}}), doctest::Contains("widht"));
  CHECK_THROWS_WITH(make({{"encoder", {{"@architectures", "weft.BiLSTMEncoder.v1"}, {"width", 5}}}}), doctest::Contains("even"));
  CHECK_THROWS_WITH(make({{"encoder", {{"@architectures", "weft.NoSuchEncoder.v1"}}}}), doctest::Contains("weft.NoSuchEncoder.v1"));
  CHECK_THROWS_WITH(make({{"char_embed", {{"@architectures", "weft.BiLSTMEncoder.v1"}}}}),
                    doctest::Contains("makes no character embedding"));
  CHECK_THROWS_WITH(make({{"char_embed", {{"@architectures", "weft.CharEmbed.v1"}, {"nC", 3}}}}), doctest::Contains("even nC"));
}
