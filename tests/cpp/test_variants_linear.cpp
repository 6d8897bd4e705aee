// Issue 22 part B: the classic linear variants behind the registry: weft.PerceptronTagger.v1 (NLTK's
// averaged perceptron) learnt from gold Docs epoch by epoch, by weft train and by learn_from_gold;
// configs, saving and loading, corrupt model folders.
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "test_paths.hpp"
#include "weft/components/crf/crf_entity_recognizer.hpp"
#include "weft/components/perceptron/perceptron_tagger.hpp"
#include "weft/doc/conllu.hpp"
#include "weft/error.hpp"
#include "weft/pipeline/model_io.hpp"
#include "weft/pipeline/pipeline.hpp"
#include "weft/pipeline/registry.hpp"
#include "weft/train/evaluate.hpp"
#include "weft/train/trainer.hpp"

using namespace weft;

namespace {

std::vector<Doc> sample_sentences(const std::shared_ptr<Vocab>& vocab) {
  return read_conllu_file(test::data_path("en_ewt/sample.conllu"), vocab, {ConlluReadOptions::Group::Sentence, false});
}

// "UPOS/XPOS" of every token, one string per Doc.
std::string tags(const Doc& d) {
  std::string out;
  for (std::size_t i = 0; i < d.size(); ++i)
    out += std::string(upos_name(d.data(i).pos)) + "/" + std::string(d.data(i).tag ? d.str(d.data(i).tag) : "") + " ";
  return out;
}

void flip_byte(const std::filesystem::path& path, std::size_t from_end) {
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  f.seekg(-static_cast<std::streamoff>(from_end), std::ios::end);
  char c = 0;
  f.read(&c, 1);
  c = static_cast<char>(c ^ 0x5A);
  f.seekp(-static_cast<std::streamoff>(from_end), std::ios::end);
  f.write(&c, 1);
}

Json perceptron_config(const std::filesystem::path& dir) {
  Json config = read_json_file(test::source_path("models/configs/variants/perceptron_tagger.json"));
  config["components"]["tagger"]["lexicon"] = test::data_path("lexicon/en_clusters.tsv");
  config["corpora"]["train"] = test::data_path("en_ewt/sample.conllu");
  config["corpora"]["dev"] = test::data_path("en_ewt/sample.conllu");
  config["corpora"]["max_dev_docs"] = 60;
  config["training"]["max_epochs"] = 3;
  (void)dir;
  return config;
}

}  // namespace

TEST_CASE("variants: the perceptron tagger is registered with a description") {
  REQUIRE(Registry::global().has("components", "weft.PerceptronTagger.v1"));
  CHECK(Registry::global().entry("components", "weft.PerceptronTagger.v1").description.find("averaged perceptron") !=
        std::string::npos);
  Pipeline nlp = Pipeline::blank("en");
  Component& c = nlp.add_pipe("weft.PerceptronTagger.v1", "tagger");
  CHECK(as_gold_learner(c) != nullptr);
  CHECK(c.assigns() == std::vector<std::string>{"token.pos", "token.tag"});
  CHECK(c.config()["features"] == "extended");
  // Untrained, it refuses to annotate rather than tag everything alike.
  CHECK_THROWS_WITH_AS(nlp("A text."), doctest::Contains("has not been trained"), ModelError);
}

TEST_CASE("variants: the perceptron tagger learns from gold Docs, saves and loads the same tagger") {
  Pipeline nlp = Pipeline::blank("en");
  auto& tagger = dynamic_cast<PerceptronTagger&>(nlp.add_pipe("weft.PerceptronTagger.v1", "tagger"));
  const std::vector<Doc> gold = sample_sentences(nlp.vocab());
  REQUIRE(gold.size() > 100);
  const std::vector<Doc> train(gold.begin() + 40, gold.end()), held(gold.begin(), gold.begin() + 40);
  const std::vector<double> losses = learn_from_gold(tagger, train, 5, 7);
  REQUIRE(losses.size() == 5);
  CHECK(losses.back() < losses.front() / 2);  // errors fall epoch by epoch
  CHECK(tagger.trained());
  CHECK(tagger.n_features() > 1000);
  const auto labels = tagger.labels();
  REQUIRE(labels.size() == 2);
  CHECK(labels[0].first == "pos");
  CHECK(std::find(labels[0].second.begin(), labels[0].second.end(), "NOUN") != labels[0].second.end());
  // It fits what it learnt from, and generalizes to sentences it did not see.
  const Evaluation fit = evaluate(nlp, train);
  CHECK(fit.value("UPOS") > 0.97);
  const Evaluation e = evaluate(nlp, held);
  CHECK(e.value("UPOS") > 0.75);
  CHECK(e.value("XPOS") > 0.7);
  // Learning is deterministic for a seed.
  Pipeline again = Pipeline::blank("en");
  auto& tagger2 = dynamic_cast<PerceptronTagger&>(again.add_pipe("weft.PerceptronTagger.v1", "tagger"));
  learn_from_gold(tagger2, std::vector<Doc>(train), 5, 7);
  for (const Doc& g : held) CHECK(tags(again(g.text())) == tags(nlp(g.text())));

  const auto dir = test::temp_dir("variants_perceptron");
  save_pipeline(nlp, dir);
  for (const char* f : {"labels.json", "weights.bin", "words.txt"}) CHECK(std::filesystem::exists(dir / "tagger" / f));
  CHECK_FALSE(std::filesystem::exists(dir / "tagger" / "lexicon.tsv"));  // no lexicon configured
  Pipeline back = load(dir);
  for (const std::string& line : test::dev_lines(60)) CHECK(tags(back(line)) == tags(nlp(line)));
  // Sentence boundaries reset the tag history: tagging two sentences at once is tagging each alone.
  Doc two = nlp.make_doc("The dog barked . It ran away .");
  two.data(4).sent_start = 1;
  for (std::size_t i = 1; i < two.size(); ++i)
    if (i != 4) two.data(i).sent_start = -1;
  nlp.get_pipe("tagger")(two);
  CHECK(tags(two) == tags(nlp("The dog barked .")) + tags(nlp("It ran away .")));

  // Corrupt folders are ModelErrors naming the file.
  const auto weights = dir / "tagger" / "weights.bin";
  flip_byte(weights, 3);
  CHECK_THROWS_WITH_AS(load(dir), doctest::Contains("weights.bin: checksum mismatch"), ModelError);
  std::filesystem::resize_file(weights, std::filesystem::file_size(weights) - 5);
  CHECK_THROWS_WITH_AS(load(dir), doctest::Contains("weights.bin: its size does not match"), ModelError);
  write_file(weights.string(), "garbage");
  CHECK_THROWS_WITH_AS(load(dir), doctest::Contains("weights.bin: not a weft linear-model weights file"), ModelError);
  std::filesystem::remove(weights);
  CHECK_THROWS_WITH_AS(load(dir), doctest::Contains("weights.bin"), ModelError);
  save_pipeline(nlp, dir);
  const auto labels_path = dir / "tagger" / "labels.json";
  write_file(labels_path.string(), R"({"labels": {"pos": ["NOUN", "BOGUS"], "tag": ["NN"]}, "tagdict": {}})");
  CHECK_THROWS_WITH_AS(load(dir), doctest::Contains("\"BOGUS\" is not a UPOS tag"), ModelError);
  write_file(labels_path.string(), R"({"labels": {"pos": ["NOUN"], "tag": ["NN"]}, "tagdict": {}})");
  CHECK_THROWS_WITH_AS(load(dir), doctest::Contains("weights.bin: weights for"), ModelError);
  write_file(labels_path.string(), R"({"labels": {"pos": ["NOUN"], "tag": ["NN"]}, "tagdict": {"pos": {"the": "DET"}}})");
  CHECK_THROWS_WITH_AS(load(dir), doctest::Contains("tag dictionary entry \"the\""), ModelError);
  write_file(labels_path.string(), "{not json");
  CHECK_THROWS_WITH_AS(load(dir), doctest::Contains("labels.json"), ModelError);
  // The word cache's forms: one per line, no whitespace.
  save_pipeline(nlp, dir);
  write_file((dir / "tagger" / "words.txt").string(), "the\nnew york\n");
  CHECK_THROWS_WITH_AS(load(dir), doctest::Contains("words.txt:2: not a word form"), ModelError);
  std::filesystem::remove(dir / "tagger" / "words.txt");
  CHECK_THROWS_WITH_AS(load(dir), doctest::Contains("words.txt is missing"), ModelError);
  std::filesystem::remove_all(dir);
}

TEST_CASE("variants: bad perceptron tagger configs are ConfigErrors naming the key") {
  Pipeline nlp = Pipeline::blank("en");
  const auto bad = [&](const Json& config, const std::string& message) {
    CAPTURE(config.dump());
    CHECK_THROWS_WITH_AS(nlp.add_pipe("weft.PerceptronTagger.v1", "p", config), doctest::Contains(message.c_str()),
                         ConfigError);
  };
  bad(Json{{"n_iter", 5}}, "unknown key \"n_iter\"");
  bad(Json{{"heads", Json::array()}}, "\"heads\" must be a non-empty list");
  bad(Json{{"heads", {"pos", "morph"}}}, "unknown head \"morph\"");
  bad(Json{{"heads", {"pos", "pos"}}}, "names \"pos\" twice");
  bad(Json{{"features", "rich"}}, "\"features\" must be \"nltk\" or \"extended\"");
  bad(Json{{"features", "nltk"}, {"lexicon", "data/lexicon/en_clusters.tsv"}}, "\"lexicon\" needs \"features\": \"extended\"");
  bad(Json{{"lexicon", 3}}, "\"lexicon\" must be a path");
  bad(Json{{"tagdict_min_count", -1}}, "\"tagdict_min_count\" must be an integer >= 0");
  bad(Json{{"tagdict_min_share", 1.5}}, "\"tagdict_min_share\" must be a number in (0, 1]");
  CHECK_FALSE(nlp.has_pipe("p"));
  // A lexicon that cannot be read fails when learning starts, naming it.
  auto& t = dynamic_cast<PerceptronTagger&>(nlp.add_pipe("weft.PerceptronTagger.v1", "p", Json{{"lexicon", "/nonexistent/lex.tsv"}}));
  const std::vector<Doc> gold = sample_sentences(nlp.vocab());
  CHECK_THROWS_WITH_AS(learn_from_gold(t, gold, 1), doctest::Contains("/nonexistent/lex.tsv"), ConfigError);
}

TEST_CASE("variants: weft train trains the perceptron tagger config epoch by epoch") {
  const auto dir = test::temp_dir("variants_train_perceptron");
  Json config = perceptron_config(dir);
  std::ostringstream log;
  const TrainResult r = train(config, {dir, &log});
  CAPTURE(log.str());
  CHECK(r.steps == 3);
  CHECK(r.history.size() == 3);
  CHECK(log.str().find("LOSS tagger") != std::string::npos);
  CHECK(log.str().find("tag-dictionary words") != std::string::npos);
  CHECK(r.best_scores["UPOS"].get<double>() > 90.0);  // dev is the training text here
  const Pipeline nlp = load(dir / "model-best");
  CHECK(nlp.pipe_names() == std::vector<std::string>{"tagger"});
  CHECK(std::filesystem::exists(dir / "model-best" / "tagger" / "lexicon.tsv"));  // the model keeps its copy
  const std::vector<Doc> gold = sample_sentences(nlp.vocab());
  const Evaluation e = evaluate(nlp, std::vector<Doc>(gold.begin(), gold.begin() + 60));
  CHECK(e.value("UPOS") * 100.0 == doctest::Approx(r.best_scores["UPOS"].get<double>()));
  // The lexicon copy is part of the model: without it the folder is refused, naming the file.
  std::filesystem::remove(dir / "model-last" / "tagger" / "lexicon.tsv");
  CHECK_THROWS_WITH_AS(load(dir / "model-last"), doctest::Contains("lexicon.tsv is missing"), ModelError);

  // Epochs must be given; networks and perceptrons are trained in separate configs.
  Json no_epochs = config;
  no_epochs["training"]["max_epochs"] = 0;
  CHECK_THROWS_WITH_AS(train(no_epochs), doctest::Contains("training.max_epochs must be at least 1"), ValueError);
  Json mixed = config;
  mixed["nlp"]["pipeline"] = Json::array({"tok2vec", "ner", "tagger"});
  mixed["components"]["tok2vec"] = Json{{"factory", "tok2vec"}, {"width", 32}};
  mixed["components"]["ner"] = Json{{"factory", "ner"}, {"tok2vec", {{"upstream", "tok2vec"}}}};
  CHECK_THROWS_WITH_AS(train(mixed), doctest::Contains("train them in separate configs"), ValueError);
  std::filesystem::remove_all(dir);
}

namespace {

// "text/LABEL" of every entity, one string per Doc.
std::string ents(const Doc& d) {
  std::string out;
  for (std::size_t i = 0; i < d.size(); ++i) {
    const TokenData& t = d.data(i);
    if (t.ent_iob == EntIob::B) out += (out.empty() ? "" : " ") + std::string("[");
    if (t.ent_iob == EntIob::B || t.ent_iob == EntIob::I) {
      out += std::string(d.token_text(i));
      if (i + 1 == d.size() || d.data(i + 1).ent_iob != EntIob::I) out += "/" + std::string(d.str(t.ent_type)) + "]";
      else out += " ";
    }
  }
  return out;
}

}  // namespace

TEST_CASE("variants: the CRF entity recognizer learns entities, decodes valid tag sequences, saves and loads") {
  REQUIRE(Registry::global().has("components", "weft.CRFEntityRecognizer.v1"));
  CHECK(Registry::global().entry("components", "weft.CRFEntityRecognizer.v1").description.find("CRF") != std::string::npos);
  const auto dir = test::temp_dir("variants_crf");
  std::filesystem::create_directories(dir);
  // A gazetteer: EntityRuler patterns whose matches become features.
  write_file((dir / "patterns.jsonl").string(),
             "{\"label\": \"LOC\", \"pattern\": \"Iraq\"}\n{\"label\": \"PER\", \"pattern\": [{\"LOWER\": \"bush\"}]}\n");
  Pipeline nlp = Pipeline::blank("en");
  auto& crf = dynamic_cast<CRFEntityRecognizer&>(nlp.add_pipe(
      "weft.CRFEntityRecognizer.v1", "ner", Json{{"patterns", (dir / "patterns.jsonl").string()}}));
  CHECK(crf.assigns() == std::vector<std::string>{"doc.ents", "token.ent_iob", "token.ent_type"});
  CHECK_THROWS_WITH_AS(nlp("Text."), doctest::Contains("has not been trained"), ModelError);
  const std::vector<Doc> gold = sample_sentences(nlp.vocab());
  const std::vector<double> losses = learn_from_gold(crf, gold, 4, 1);
  CHECK(losses.back() < losses.front() / 2);
  CHECK(crf.labels() == std::vector<std::string>{"LOC", "ORG", "PER"});
  CHECK(crf.tags().size() == 13);  // O + 4 BILUO tags per label
  const Evaluation fit = evaluate(nlp, gold);
  REQUIRE(fit.ents.has_value());
  CHECK(fit.value("ENTS_F") > 0.9);
  // Decoded sequences are valid BILUO: an I or L only continues a B or I of its label, no entity is left open.
  for (const std::string& line : test::dev_lines(80)) {
    Doc d = nlp.make_doc(line);
    const std::vector<std::int32_t> path = crf.viterbi(d, 0, d.size());
    std::string prev = "O";
    for (const std::int32_t t : path) {
      const std::string& tag = crf.tags()[static_cast<std::size_t>(t)];
      const bool cont = tag[0] == 'I' || tag[0] == 'L';
      const bool open = prev[0] == 'B' || prev[0] == 'I';
      CHECK(cont == open);
      if (cont) CHECK(tag.substr(2) == prev.substr(2));
      prev = tag;
    }
    CHECK((prev[0] != 'B' && prev[0] != 'I'));
  }
  save_pipeline(nlp, dir / "model");
  for (const char* f : {"labels.json", "weights.bin", "gazetteer/patterns.jsonl"}) CHECK(std::filesystem::exists(dir / "model" / "ner" / f));
  Pipeline back = load(dir / "model");
  for (const std::string& line : test::dev_lines(80)) CHECK(ents(back(line)) == ents(nlp(line)));
  // Entities already on the Doc are kept.
  Doc d = nlp.make_doc("George Bush went to Iraq .");
  d.data(4).ent_iob = EntIob::B;
  d.data(4).ent_type = d.intern("ORG");
  nlp.get_pipe("ner")(d);
  CHECK(ents(d).find("[Iraq/ORG]") != std::string::npos);
  // Corrupt folders are ModelErrors naming the file.
  const auto model = dir / "model" / "ner";
  flip_byte(model / "weights.bin", 9);
  CHECK_THROWS_WITH_AS(load(dir / "model"), doctest::Contains("weights.bin: checksum mismatch"), ModelError);
  save_pipeline(nlp, dir / "model");
  write_file((model / "labels.json").string(), R"({"labels": ["PER"], "transitions": [0.5]})");
  CHECK_THROWS_WITH_AS(load(dir / "model"), doctest::Contains("\"transitions\" must hold 30 numbers"), ModelError);
  write_file((model / "labels.json").string(), R"({"labels": []})");
  CHECK_THROWS_WITH_AS(load(dir / "model"), doctest::Contains("labels.json: expected"), ModelError);
  save_pipeline(nlp, dir / "model");
  std::filesystem::remove(model / "gazetteer" / "patterns.jsonl");
  CHECK_THROWS_WITH_AS(load(dir / "model"), doctest::Contains("patterns.jsonl is missing"), ModelError);
  std::filesystem::remove_all(dir);
}

TEST_CASE("variants: bad CRF entity recognizer configs are ConfigErrors naming the key") {
  Pipeline nlp = Pipeline::blank("en");
  const auto bad = [&](const Json& config, const std::string& message) {
    CAPTURE(config.dump());
    CHECK_THROWS_WITH_AS(nlp.add_pipe("weft.CRFEntityRecognizer.v1", "p", config), doctest::Contains(message.c_str()),
                         ConfigError);
  };
  bad(Json{{"algorithm", "lbfgs"}}, "unknown key \"algorithm\"");
  bad(Json{{"scheme", "IOB2"}}, "\"scheme\" must be \"BILUO\" or \"BIO\"");
  bad(Json{{"learn_rate", 0}}, "\"learn_rate\" must be a number > 0");
  bad(Json{{"l2", -1}}, "\"l2\" must be a number >= 0");
  bad(Json{{"min_feature_count", 0}}, "\"min_feature_count\" must be an integer >= 1");
  bad(Json{{"patterns", true}}, "\"patterns\" must be a path");
  CHECK_FALSE(nlp.has_pipe("p"));
  auto& crf = dynamic_cast<CRFEntityRecognizer&>(nlp.add_pipe("weft.CRFEntityRecognizer.v1", "p", Json{{"patterns", "/nonexistent/p.jsonl"}}));
  const std::vector<Doc> gold = sample_sentences(nlp.vocab());
  CHECK_THROWS_WITH_AS(learn_from_gold(crf, gold, 1), doctest::Contains("/nonexistent/p.jsonl"), ConfigError);
}

TEST_CASE("variants: weft train trains the CRF entity recognizer config, BILUO and BIO") {
  const auto dir = test::temp_dir("variants_train_crf");
  Json config = read_json_file(test::source_path("models/configs/variants/crf_entity_recognizer.json"));
  config["components"]["ner"]["lexicon"] = test::data_path("lexicon/en_clusters.tsv");
  config["corpora"]["train"] = test::data_path("en_ewt/sample.conllu");
  config["corpora"]["dev"] = test::data_path("en_ewt/sample.conllu");
  config["corpora"]["max_dev_docs"] = 80;
  config["training"]["max_epochs"] = 3;
  for (const char* scheme : {"BILUO", "BIO"}) {
    CAPTURE(scheme);
    config["components"]["ner"]["scheme"] = scheme;
    std::ostringstream log;
    const TrainResult r = train(config, {dir / scheme, &log});
    CAPTURE(log.str());
    CHECK(r.steps == 3);
    CHECK(r.best_scores["ENTS_F"].get<double>() > 70.0);  // dev is the training text here
    const Pipeline nlp = load(dir / scheme / "model-best");
    CHECK(nlp.get_pipe("ner").config()["scheme"] == scheme);
    const auto& crf = dynamic_cast<const CRFEntityRecognizer&>(nlp.get_pipe("ner"));
    CHECK(crf.tags().size() == (std::string(scheme) == "BIO" ? 7u : 13u));
    const std::vector<Doc> gold = sample_sentences(nlp.vocab());
    const Evaluation e = evaluate(nlp, std::vector<Doc>(gold.begin(), gold.begin() + 80));
    CHECK(e.value("ENTS_F") * 100.0 == doctest::Approx(r.best_scores["ENTS_F"].get<double>()));
  }
  std::filesystem::remove_all(dir);
}
