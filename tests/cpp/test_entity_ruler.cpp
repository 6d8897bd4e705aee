// The entity ruler: phrase and token patterns, LOWER phrases, overlaps (longest, then earliest, wins),
// overwrite_ents against entities already on the Doc, ids (keys, ent_ids, remove), saving and loading
// through a model folder, corrupt and bad patterns (with their index or file and line), empty input,
// the pipeline's tokenizer making the phrases, and the ruler before and after a trained NER.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <tuple>
#include <vector>

#include "test_paths.hpp"
#include "weft/components/entity_ruler/entity_ruler.hpp"
#include "weft/error.hpp"
#include "weft/pipeline/model_io.hpp"
#include "weft/pipeline/pipeline.hpp"
#include "weft/pipeline/registry.hpp"
#include "weft/train/trainer.hpp"

using namespace weft;
using weft::test::error_message;
using weft::test::temp_dir;
namespace fs = std::filesystem;

namespace {

using Ent = std::tuple<std::string, std::string>;  // (text, label)

std::vector<Ent> ents(const Doc& d) {
  std::vector<Ent> out;
  for (const Span& e : d.ents()) out.emplace_back(std::string(e.text()), std::string(e.label_()));
  return out;
}

// A blank English pipeline with an entity ruler of the given config.
Pipeline with_ruler(const Json& config) {
  Pipeline nlp = Pipeline::blank("en");
  nlp.add_pipe("entity_ruler", "", config);
  return nlp;
}

EntityRuler& ruler_of(const Pipeline& nlp, const std::string& name = "entity_ruler") {
  return dynamic_cast<EntityRuler&>(nlp.get_pipe(name));
}

// Sets entities by hand on a Doc, standing in for a statistical NER.
void preset(Doc& d, const std::vector<std::tuple<std::size_t, std::size_t, std::string>>& spans) {
  std::vector<Span> v;
  for (const auto& [s, e, label] : spans) v.emplace_back(&d, s, e, d.intern(label));
  d.set_ents(v);
}

const Json kPatterns = Json::parse(R"([
  {"label": "ORG", "pattern": "Apple"},
  {"label": "GPE", "pattern": [{"LOWER": "san"}, {"LOWER": "francisco"}]},
  {"label": "PERSON", "pattern": "Tim Cook", "id": "cook"}
])");

}  // namespace

TEST_CASE("entity_ruler: phrase and token patterns set entities") {
  Pipeline nlp = with_ruler(Json{{"patterns", kPatterns}});
  const Doc d = nlp("Tim Cook said Apple will open a store in San Francisco and SAN FRANCISCO.");
  CHECK(ents(d) == std::vector<Ent>{{"Tim Cook", "PERSON"}, {"Apple", "ORG"}, {"San Francisco", "GPE"}, {"SAN FRANCISCO", "GPE"}});
  // Tokens outside the entities are left as they were (no annotation), B/I inside.
  CHECK(d.data(2).ent_iob == EntIob::MISSING);
  CHECK(d.data(0).ent_iob == EntIob::B);
  CHECK(d.data(1).ent_iob == EntIob::I);
  const EntityRuler& r = ruler_of(nlp);
  CHECK(r.size() == 3);
  CHECK(r.labels() == std::vector<std::string>{"GPE", "ORG", "PERSON"});
  CHECK(r.contains("ORG"));
  CHECK_FALSE(r.contains("LOC"));
  CHECK(r.patterns() == kPatterns);
  CHECK(r.factory_name() == "weft.EntityRuler.v1");
  // The phrase is case-sensitive by default (ORTH); "apple" stays outside.
  CHECK(ents(nlp("an apple a day")).empty());
  // A token pattern is matched on any Doc, also one made elsewhere.
  Doc direct = nlp.make_doc("Flying to san francisco");
  r(direct);
  CHECK(ents(direct) == std::vector<Ent>{{"san francisco", "GPE"}});
}

TEST_CASE("entity_ruler: LOWER phrases match any case; the config keeps the attribute") {
  Pipeline nlp = with_ruler(Json{{"phrase_matcher_attr", "lower"}, {"patterns", Json::parse(R"([{"label": "ORG", "pattern": "Apple Inc"}])")}});
  CHECK(ents(nlp("APPLE INC and apple inc and Apple Inc today")) ==
        std::vector<Ent>{{"APPLE INC", "ORG"}, {"apple inc", "ORG"}, {"Apple Inc", "ORG"}});
  const Json c = ruler_of(nlp).config();
  CHECK(c["phrase_matcher_attr"] == "LOWER");
  CHECK(c["overwrite_ents"] == false);
  CHECK(c["ent_id_sep"] == "||");
  CHECK_FALSE(c.contains("patterns"));  // saved in patterns.jsonl instead
  CHECK(with_ruler(Json::object()).get_pipe("entity_ruler").config()["phrase_matcher_attr"].is_null());
}

TEST_CASE("entity_ruler: overlapping matches: the longest wins, then the earliest") {
  Pipeline nlp = with_ruler(Json{{"patterns", Json::parse(R"([
    {"label": "CITY", "pattern": "New York"},
    {"label": "GPE", "pattern": "New York City"},
    {"label": "ORG", "pattern": "York City Council"},
    {"label": "A", "pattern": "b c"},
    {"label": "B", "pattern": "c d"},
    {"label": "PHRASE", "pattern": "x y"},
    {"label": "TOKENS", "pattern": [{"ORTH": "x"}, {"ORTH": "y"}]}
  ])")}});
  // "New York City" (3) and "York City Council" (3) overlap: equal length, the earlier wins; "New York"
  // is inside the winner.
  CHECK(ents(nlp("New York City Council")) == std::vector<Ent>{{"New York City", "GPE"}});
  CHECK(ents(nlp("in New York today")) == std::vector<Ent>{{"New York", "CITY"}});
  CHECK(ents(nlp("a b c d e")) == std::vector<Ent>{{"b c", "A"}});
  // One span under a phrase and a token pattern: the token pattern's label.
  CHECK(ents(nlp("x y")) == std::vector<Ent>{{"x y", "TOKENS"}});
  // match() is spaCy's: distinct matches, longest first, then earliest.
  const EntityRuler& r = ruler_of(nlp);
  const Doc d = nlp.make_doc("New York City Council");
  std::vector<std::tuple<std::string, std::size_t, std::size_t>> got;
  for (const RulerMatch& m : r.match(d)) got.emplace_back(r.key(m.match_id)->label, m.start, m.end);
  CHECK(got == std::vector<std::tuple<std::string, std::size_t, std::size_t>>{
                   {"GPE", 0, 3}, {"ORG", 1, 4}, {"CITY", 0, 2}});
  // The same phrase added twice counts twice (spaCy's len) and matches once.
  EntityRuler& w = ruler_of(nlp);
  w.add_patterns(Json::parse(R"([{"label": "CITY", "pattern": "New York"}])"));
  CHECK(w.size() == 8);
  CHECK(w.match(nlp.make_doc("New York")).size() == 1);
}

TEST_CASE("entity_ruler: entities already on the Doc, with and without overwrite_ents") {
  const Json patterns = Json::parse(R"([{"label": "ORG", "pattern": "Acme Corp"}, {"label": "LOC", "pattern": "Paris"}])");
  SUBCASE("kept: overlapping matches are dropped, the others added") {
    Pipeline nlp = with_ruler(Json{{"patterns", patterns}});
    Doc d = nlp.make_doc("Jo Acme Corp visited Paris");
    preset(d, {{0, 2, "PER"}});  // "Jo Acme": overlaps the ORG match
    nlp.annotate(d);
    CHECK(ents(d) == std::vector<Ent>{{"Jo Acme", "PER"}, {"Paris", "LOC"}});
    CHECK(d.data(3).ent_iob == EntIob::O);  // set_ents(preset) marked the rest "O"; the ruler kept that
  }
  SUBCASE("overwritten: overlapping entities go entirely") {
    Pipeline nlp = with_ruler(Json{{"patterns", patterns}, {"overwrite_ents", true}});
    Doc d = nlp.make_doc("Jo Acme Corp visited Paris");
    preset(d, {{0, 2, "PER"}, {4, 5, "GPE"}});
    nlp.annotate(d);
    CHECK(ents(d) == std::vector<Ent>{{"Acme Corp", "ORG"}, {"Paris", "LOC"}});
    CHECK(d.data(0).ent_iob == EntIob::O);  // "Jo", left of the removed "Jo Acme"
    CHECK(d.data(0).ent_type == 0);
  }
  SUBCASE("entities the ruler does not touch stay") {
    Pipeline nlp = with_ruler(Json{{"patterns", patterns}, {"overwrite_ents", true}});
    Doc d = nlp.make_doc("Bob met Acme Corp");
    preset(d, {{0, 1, "PER"}});
    nlp.annotate(d);
    CHECK(ents(d) == std::vector<Ent>{{"Bob", "PER"}, {"Acme Corp", "ORG"}});
    // select(ignore_existing) ignores them too, as weft match does.
    Pipeline keep = with_ruler(Json{{"patterns", patterns}});
    Doc e = keep.make_doc("Jo Acme Corp");
    preset(e, {{0, 2, "PER"}});
    CHECK(ruler_of(keep).select(e).empty());
    CHECK(ruler_of(keep).select(e, true).size() == 1);
  }
}

TEST_CASE("entity_ruler: ids make keys of their own; ent_ids, remove") {
  Pipeline nlp = with_ruler(Json{{"patterns", Json::parse(R"([
    {"label": "ORG", "pattern": "Apple", "id": "apple"},
    {"label": "ORG", "pattern": [{"LOWER": "apple"}, {"LOWER": "inc"}], "id": "apple"},
    {"label": "ORG", "pattern": "Google", "id": "google"},
    {"label": "ORG", "pattern": "Acme"},
    {"label": "GPE", "pattern": "Cupertino", "id": ""}
  ])")}});
  EntityRuler& r = ruler_of(nlp);
  CHECK(r.ent_ids() == std::vector<std::string>{"apple", "google"});
  CHECK(r.labels() == std::vector<std::string>{"GPE", "ORG"});
  const Doc d = nlp("Apple Inc and Google and Acme in Cupertino");
  CHECK(ents(d) == std::vector<Ent>{{"Apple Inc", "ORG"}, {"Google", "ORG"}, {"Acme", "ORG"}, {"Cupertino", "GPE"}});
  const std::vector<RulerMatch> sel = r.select(nlp.make_doc("Apple Inc and Google"));
  REQUIRE(sel.size() == 2);
  CHECK(r.key(sel[0].match_id)->name == "ORG||apple");
  CHECK(r.key(sel[0].match_id)->id == "apple");
  CHECK(r.key(sel[1].match_id)->label == "ORG");
  CHECK(r.key(hash_string("nothing")) == nullptr);
  // An empty id is none: the pattern is listed without one.
  CHECK_FALSE(r.patterns()[4].contains("id"));
  CHECK(r.patterns()[0]["id"] == "apple");

  r.remove("apple");
  CHECK(r.size() == 3);
  CHECK(r.ent_ids() == std::vector<std::string>{"google"});
  CHECK(ents(nlp("Apple Inc and Google")) == std::vector<Ent>{{"Google", "ORG"}});
  CHECK(error_message<ValueError>([&] { r.remove("apple"); }, "remove twice").find("no pattern has the id \"apple\"") !=
        std::string::npos);
  r.clear();
  CHECK(r.empty());
  CHECK(r.labels().empty());
  CHECK(ents(nlp("Google")).empty());

  // A custom separator; a key string two (label, id) pairs would share is refused.
  Pipeline sep = with_ruler(Json{{"ent_id_sep", "#"}, {"patterns", Json::parse(R"([{"label": "A", "pattern": "x", "id": "b#c"}])")}});
  CHECK(ruler_of(sep).select(sep.make_doc("x")).size() == 1);
  CHECK(ruler_of(sep).key(hash_string("A#b#c")) != nullptr);
  const std::string clash = error_message<ValueError>(
      [&] { ruler_of(sep).add_patterns(Json::parse(R"([{"label": "A#b", "pattern": "y", "id": "c"}])")); }, "clash");
  CHECK(clash.find("\"A#b#c\"") != std::string::npos);
}

TEST_CASE("entity_ruler: saved with the pipeline and loaded back") {
  Pipeline nlp = with_ruler(Json{{"phrase_matcher_attr", "LOWER"}, {"overwrite_ents", true}, {"ent_id_sep", "::"}, {"patterns", kPatterns}});
  ruler_of(nlp).add_patterns(Json::parse(R"([{"label": "ÉCOLE", "pattern": "École Polytechnique", "id": "é"}])"));
  const fs::path dir = temp_dir("entity_ruler_model");
  save_pipeline(nlp, dir);
  REQUIRE(fs::exists(dir / "entity_ruler" / "patterns.jsonl"));
  {
    std::ifstream in(dir / "entity_ruler" / "patterns.jsonl");
    std::string line;
    std::size_t n = 0;
    while (std::getline(in, line)) ++n;
    CHECK(n == 4);  // one pattern per line
  }
  const Pipeline back = load(dir);
  const EntityRuler& r = ruler_of(back);
  CHECK(r.patterns() == ruler_of(nlp).patterns());
  CHECK(r.config() == ruler_of(nlp).config());
  CHECK(r.settings().overwrite_ents);
  CHECK(r.settings().ent_id_sep == "::");
  const std::string text = "tim cook of APPLE went to san francisco and the école polytechnique";
  CHECK(ents(back(text)) == ents(nlp(text)));
  CHECK(ents(back(text)).size() == 4);
  CHECK(r.key(hash_string("ÉCOLE::é")) != nullptr);
  // Saving the loaded pipeline again gives the same file.
  const fs::path again = temp_dir("entity_ruler_model2");
  save_pipeline(back, again);
  CHECK(read_file((dir / "entity_ruler" / "patterns.jsonl").string()) ==
        read_file((again / "entity_ruler" / "patterns.jsonl").string()));
  // An empty ruler saves an empty file and loads empty.
  Pipeline empty = with_ruler(Json::object());
  const fs::path edir = temp_dir("entity_ruler_empty");
  save_pipeline(empty, edir);
  CHECK(read_file((edir / "entity_ruler" / "patterns.jsonl").string()).empty());
  CHECK(ruler_of(load(edir)).empty());
  fs::remove_all(dir);
  fs::remove_all(again);
  fs::remove_all(edir);
}

TEST_CASE("entity_ruler: a corrupt patterns.jsonl names the file and line") {
  Pipeline nlp = with_ruler(Json{{"patterns", kPatterns}});
  const fs::path dir = temp_dir("entity_ruler_corrupt");
  save_pipeline(nlp, dir);
  const fs::path file = dir / "entity_ruler" / "patterns.jsonl";
  const std::string good = read_file(file.string());
  auto load_error = [&](const std::string& content) {
    write_file(file.string(), content);
    return error_message<ModelError>([&] { load(dir); }, content);
  };
  std::string e = load_error(good + "\n{\"label\": \"X\", \"pattern\": \n");
  CHECK(e.find(file.string()) != std::string::npos);
  CHECK(e.find("line 5") != std::string::npos);  // the blank line 4 is skipped but counted
  CHECK(e.find("invalid JSON") != std::string::npos);
  e = load_error(good + "{\"label\": \"X\", \"pattern\": 3}\n");
  CHECK(e.find("line 4") != std::string::npos);
  CHECK(e.find("label \"X\"") != std::string::npos);
  CHECK(e.find("\"pattern\" must be a string") != std::string::npos);
  e = load_error("{\"label\": \"X\", \"pattern\": [{\"LOWER\": \"a\"}, {\"NOPE\": 1}]}\n");
  CHECK(e.find("line 1") != std::string::npos);
  CHECK(e.find("token 1") != std::string::npos);
  CHECK(e.find("NOPE") != std::string::npos);
  fs::remove(file);
  e = error_message<ModelError>([&] { load(dir); }, "missing patterns.jsonl");
  CHECK(e.find(file.string()) != std::string::npos);
  fs::remove_all(dir);
}

TEST_CASE("entity_ruler: bad patterns name the index and cause, and change nothing") {
  Pipeline nlp = with_ruler(Json{{"patterns", kPatterns}});
  EntityRuler& r = ruler_of(nlp);
  auto error = [&](const std::string& patterns) {
    return error_message<ValueError>([&] { r.add_patterns(Json::parse(patterns)); }, patterns);
  };
  auto has = [](const std::string& msg, const std::string& part) {
    INFO(msg);
    CHECK(msg.find(part) != std::string::npos);
  };
  std::string e = error(R"([{"label": "A", "pattern": "ok"}, {"pattern": "x"}])");
  has(e, "pattern 1");
  has(e, "no \"label\"");
  e = error(R"([{"label": "A", "pattern": 5}])");
  has(e, "pattern 0 (label \"A\")");
  has(e, "must be a string (a phrase) or a list of token specs");
  e = error(R"([{"label": "", "pattern": "x"}])");
  has(e, "non-empty string");
  e = error(R"([{"label": "A"}])");
  has(e, "no \"pattern\"");
  e = error(R"([{"label": "A", "pattern": "x", "id": 3}])");
  has(e, "\"id\" must be a string");
  e = error(R"(["Apple"])");
  has(e, "must be a dict");
  e = error(R"([{"label": "A", "pattern": "x"}, {"label": "B", "pattern": [{"LOWER": "a"}, {"LENGTH": "long"}]}])");
  has(e, "pattern 1 (label \"B\")");
  has(e, "token 1");
  has(e, "LENGTH");
  e = error(R"([{"label": "B", "pattern": []}])");
  has(e, "pattern 0 (label \"B\")");
  e = error(R"({"label": "A", "pattern": "x"})");
  has(e, "takes a list");
  // Nothing of a failed call was added.
  CHECK(r.size() == 3);
  CHECK(r.labels() == std::vector<std::string>{"GPE", "ORG", "PERSON"});
  CHECK(ents(nlp("ok a x")).empty());
  // Bad configs.
  auto config_error = [](const std::string& config) {
    return error_message<ValueError>([&] { with_ruler(Json::parse(config)); }, config);
  };
  has(config_error(R"({"phrase_matcher_attr": "POS"})"), "only tokenizes");
  has(config_error(R"({"phrase_matcher_attr": "NOPE"})"), "NOPE");
  has(config_error(R"({"phrase_matcher_attr": 3})"), "phrase_matcher_attr");
  has(config_error(R"({"overwrite": true})"), "unknown key \"overwrite\"");
  has(config_error(R"({"ent_id_sep": ""})"), "ent_id_sep");
  has(config_error(R"({"patterns": {"label": "A"}})"), "\"patterns\" must be a list");
  has(config_error(R"({"patterns": [{"label": "A", "pattern": [{"BAD": 1}]}]})"), "pattern 0 (label \"A\")");
  // A token pattern on an annotation the Doc lacks: the Matcher's error, raised when the ruler runs.
  Pipeline pos = with_ruler(Json{{"patterns", Json::parse(R"([{"label": "N", "pattern": [{"POS": "NOUN"}]}])")}});
  has(error_message<ValueError>([&] { pos("a cat"); }, "POS"), "POS annotation");
}

TEST_CASE("entity_ruler: empty docs and rulers without patterns leave Docs alone") {
  Pipeline nlp = with_ruler(Json::object());
  CHECK(ruler_of(nlp).empty());
  Doc d = nlp.make_doc("Apple in Paris");
  preset(d, {{2, 3, "LOC"}});
  nlp.annotate(d);
  CHECK(ents(d) == std::vector<Ent>{{"Paris", "LOC"}});
  const Doc blank = nlp("Apple");
  CHECK(blank.data(0).ent_iob == EntIob::MISSING);
  ruler_of(nlp).add_patterns(Json::array());
  CHECK(ruler_of(nlp).empty());
  ruler_of(nlp).add_patterns(kPatterns);
  CHECK(nlp("").empty());
  CHECK(ents(nlp("   ")).empty());
  // An empty phrase is kept as a pattern (spaCy's len counts it) and never matches.
  ruler_of(nlp).add_patterns(Json::parse(R"([{"label": "E", "pattern": ""}])"));
  CHECK(ruler_of(nlp).size() == 4);
  CHECK(ents(nlp("Apple")) == std::vector<Ent>{{"Apple", "ORG"}});
}

TEST_CASE("entity_ruler: phrases are tokenized by the pipeline's tokenizer") {
  // Alone, the ruler uses its language's tokenizer: "Apple's" is "Apple" + "'s".
  EntityRuler alone("ruler", Json{{"patterns", Json::parse(R"([{"label": "ORG", "pattern": "Apple's"}])")}},
                    Pipeline::blank("en").vocab());
  Pipeline nlp = Pipeline::blank("en");
  Doc d = nlp.make_doc("Apple's shop");
  alone(d);
  CHECK(ents(d) == std::vector<Ent>{{"Apple's", "ORG"}});
  // In a pipeline whose tokenizer changes, the phrases follow it.
  nlp.add_pipe("entity_ruler", "", Json{{"patterns", Json::parse(R"([{"label": "ORG", "pattern": "Apple's shop"}])")}});
  nlp.set_tokenizer(make_tokenizer(Json{{"@tokenizers", "weft.WhitespaceTokenizer.v1"}}, nlp.vocab()));
  const Doc w = nlp("Apple's shop");
  CHECK(w.size() == 2);
  CHECK(ents(w) == std::vector<Ent>{{"Apple's shop", "ORG"}});
  ruler_of(nlp).add_patterns(Json::parse(R"([{"label": "X", "pattern": "a,b"}])"));
  CHECK(ents(nlp("see a,b")) == std::vector<Ent>{{"a,b", "X"}});
  // A vocab without a language has no tokenizer for phrases until one is given.
  auto bare = std::make_shared<Vocab>();
  EntityRuler none("ruler", Json::object(), bare);
  none.add_patterns(Json::parse(R"([{"label": "T", "pattern": [{"ORTH": "x"}]}])"));  // token patterns need none
  CHECK(error_message<ValueError>([&] { none.add_patterns(Json::parse(R"([{"label": "P", "pattern": "x y"}])")); }, "bare")
            .find("need a tokenizer") != std::string::npos);
  CHECK(none.size() == 1);
}

TEST_CASE("entity_ruler: the same entities on many threads; registry entries") {
  Pipeline nlp = with_ruler(Json{{"patterns", kPatterns}});
  std::vector<std::string> texts;
  for (int i = 0; i < 200; ++i) texts.push_back(i % 3 ? "Tim Cook runs Apple in San Francisco" : "nothing here at all");
  const std::vector<Doc> one = nlp.pipe(texts);
  PipeOptions two;
  two.n_threads = 2;
  two.batch_size = 7;
  const std::vector<Doc> many = nlp.pipe(texts, two);
  REQUIRE(one.size() == many.size());
  for (std::size_t k = 0; k < one.size(); ++k) CHECK(ents(one[k]) == ents(many[k]));
  CHECK(ents(one[1]).size() == 3);
  CHECK(Registry::global().has("components", "entity_ruler"));
  CHECK(Registry::global().has("components", "weft.EntityRuler.v1"));
}

namespace {

// A tok2vec + ner pipeline trained for a few steps: enough for the NER to run, not to be good.
const fs::path& tiny_ner() {
  static const fs::path dir = [] {
    const std::string data = weft::test::data_path("en_ewt/");
    Json c = Json::object();
    c["nlp"] = {{"pipeline", {"tok2vec", "ner"}}};
    c["corpora"] = {{"train", data + "train.conllu"}, {"dev", data + "sample.conllu"}, {"max_train_docs", 200}, {"max_dev_docs", 20}};
    c["training"] = {{"max_steps", 20}, {"eval_frequency", 20}, {"patience", 0}, {"score_weights", {{"ENTS_F", 1.0}}}};
    c["components"] = Json::parse(R"({
      "tok2vec": {"factory": "tok2vec", "width": 32, "depth": 2},
      "ner": {"factory": "ner", "tok2vec": {"upstream": "tok2vec"}, "model": {"hidden_width": 32}}})");
    const fs::path root = temp_dir("entity_ruler_ner");
    TrainOptions o;
    o.output = root;
    train(c, o);
    return root / "model-best";
  }();
  return dir;
}

}  // namespace

TEST_CASE("entity_ruler: before a trained NER its entities are kept; after it, they fill the gaps") {
  const Json patterns = Json::parse(R"([{"label": "GADGET", "pattern": "iPhone"}, {"label": "ORG", "pattern": "Acme Widgets"}])");
  const std::string text = "Ada bought an iPhone from Acme Widgets in London .";
  SUBCASE("before") {
    Pipeline nlp = load(tiny_ner());
    nlp.add_pipe("entity_ruler", "", Json{{"patterns", patterns}}, "ner");
    CHECK(nlp.pipe_names() == std::vector<std::string>{"tok2vec", "entity_ruler", "ner"});
    const Doc d = nlp(text);
    const std::vector<Ent> e = ents(d);
    CHECK(std::count(e.begin(), e.end(), Ent{"iPhone", "GADGET"}) == 1);  // a label the NER lacks, kept
    CHECK(std::count(e.begin(), e.end(), Ent{"Acme Widgets", "ORG"}) == 1);
    for (std::size_t i = 0; i < d.size(); ++i) CHECK(d.data(i).ent_iob != EntIob::MISSING);  // the NER ran
  }
  SUBCASE("after, without and with overwrite_ents") {
    Pipeline nlp = load(tiny_ner());
    nlp.add_pipe("entity_ruler", "", Json{{"patterns", patterns}});
    const Pipeline plain = load(tiny_ner());
    const Doc ner_only = plain(text);
    const Doc d = nlp(text);
    // Every NER entity stays; the ruler's are added where the NER found none.
    for (const Span& x : ner_only.ents()) {
      const Ent want{std::string(x.text()), std::string(x.label_())};
      const std::vector<Ent> e = ents(d);
      CHECK(std::count(e.begin(), e.end(), want) == 1);
    }
    Pipeline over = load(tiny_ner());
    over.add_pipe("entity_ruler", "", Json{{"patterns", patterns}, {"overwrite_ents", true}});
    const std::vector<Ent> e = ents(over(text));
    CHECK(std::count(e.begin(), e.end(), Ent{"iPhone", "GADGET"}) == 1);
    CHECK(std::count(e.begin(), e.end(), Ent{"Acme Widgets", "ORG"}) == 1);
  }
}
