// spaCy's Doc construction and serialization API in C++: Doc::from_words with DocAnnotations (spaCy's
// Doc.__init__ keywords), set_ents with blocked / missing / outside and every default, from_array /
// to_array, count_by, set_morph, has_annotation and the spaCy-schema JSON (doc_to_spacy_json /
// doc_from_spacy_json). Expected values follow spaCy 3.8 (spacy/tokens/doc.pyx).
#include <doctest/doctest.h>

#include "test_paths.hpp"
#include "weft/doc/doc_json.hpp"
#include "weft/doc/span.hpp"
#include "weft/doc/token.hpp"
#include "weft/error.hpp"

using namespace weft;
using weft::test::error_message;

namespace {
std::shared_ptr<Vocab> vocab() {
  static auto v = std::make_shared<Vocab>("en");
  return v;
}

std::vector<std::string> words(const std::string& text) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t sp = text.find(' ', pos);
    const std::size_t end = sp == std::string::npos ? text.size() : sp;
    out.push_back(text.substr(pos, end - pos));
    pos = end + 1;
  }
  return out;
}

std::string iob(const Doc& d) {
  std::string out;
  for (std::size_t i = 0; i < d.size(); ++i) {
    if (i) out += ' ';
    out += std::string(d[static_cast<std::ptrdiff_t>(i)].ent_iob_());
    if (d.data(i).ent_type) out += "-" + std::string(d.str(d.data(i).ent_type));
    if (d.data(i).ent_iob == EntIob::MISSING) out += "_";
  }
  return out;
}

std::vector<int> sent_starts(const Doc& d) {
  std::vector<int> out;
  for (const TokenData& t : d.tokens()) out.push_back(t.sent_start);
  return out;
}

std::vector<std::int64_t> heads(const Doc& d) {
  std::vector<std::int64_t> out;
  for (std::size_t i = 0; i < d.size(); ++i) out.push_back(static_cast<std::int64_t>(i) + d.data(i).head);
  return out;
}

template <class Call>
std::string value_error(Call&& call) {
  return error_message<ValueError>(std::forward<Call>(call), "call");
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }
}  // namespace

TEST_CASE("doc api: from_words with every annotation") {
  DocAnnotations a;
  a.tags = words("NNP VBD NNP .");
  a.pos = words("PROPN VERB PROPN PUNCT");
  a.morphs = {"Number=Sing", "Tense=Past|Mood=Ind", "", "PunctType=Peri"};
  a.lemmas = words("Ada meet Bob .");
  a.heads = {1, 1, 1, 1};
  a.deps = words("nsubj ROOT obj punct");
  a.ents = {"B-PER", "O", "I-PER", ""};
  Doc d = Doc::from_words(vocab(), words("Ada met Bob ."), {true, true, false, false}, a);
  CHECK(d.text() == "Ada met Bob.");
  CHECK(d[0].tag_() == "NNP");
  CHECK(d[1].pos_() == "VERB");
  CHECK(d[1].morph_() == "Mood=Ind|Tense=Past");  // canonical order
  CHECK(d.data(2).morph == 0);
  CHECK(d[1].lemma_() == "meet");
  CHECK(d[0].dep_() == "nsubj");
  CHECK(heads(d) == std::vector<std::int64_t>{1, 1, 1, 1});
  CHECK(sent_starts(d) == std::vector<int>{1, -1, -1, -1});  // from the tree
  // "I-PER" after "O" became "B-PER" (spaCy's IOB2 repair); "" is missing.
  CHECK(iob(d) == "B-PER O B-PER _");
  REQUIRE(d.ents().size() == 2);
  CHECK(d.ents()[1].text() == "Bob");
}

TEST_CASE("doc api: heads and deps follow spaCy's rules") {
  SUBCASE("heads without deps: E1017") {
    DocAnnotations a;
    a.heads = {1, 1};
    CHECK(contains(value_error([&] { Doc::from_words(vocab(), {"a", "b"}, {}, a); }), "E1017"));
  }
  SUBCASE("deps without heads: every labelled token its own root and sentence") {
    DocAnnotations a;
    a.deps = {"x", "y", "z"};
    Doc d = Doc::from_words(vocab(), {"a", "b", "c"}, {}, a);
    CHECK(heads(d) == std::vector<std::int64_t>{0, 1, 2});
    CHECK(sent_starts(d) == std::vector<int>{1, 1, 1});
  }
  SUBCASE("heads override sent_starts when deps carry labels") {
    DocAnnotations a;
    a.heads = {1, 1, 1};
    a.deps = {"x", "ROOT", "y"};
    a.sent_starts = {1, 1, 1};
    Doc d = Doc::from_words(vocab(), {"a", "b", "c"}, {}, a);
    CHECK(sent_starts(d) == std::vector<int>{1, -1, -1});
  }
  SUBCASE("empty deps: the heads are stored, the sent_starts kept") {
    DocAnnotations a;
    a.heads = {1, 1, 1};
    a.deps = {"", "", ""};
    a.sent_starts = {1, -1, 1};
    Doc d = Doc::from_words(vocab(), {"a", "b", "c"}, {}, a);
    CHECK(heads(d) == std::vector<std::int64_t>{1, 1, 1});
    CHECK(sent_starts(d) == std::vector<int>{1, -1, 1});
    CHECK_FALSE(d.has_annotation(Attr::DEP));
  }
  SUBCASE("a head outside the Doc: E190") {
    DocAnnotations a;
    a.heads = {1, 3};
    a.deps = {"x", "y"};
    CHECK(contains(value_error([&] { Doc::from_words(vocab(), {"a", "b"}, {}, a); }), "E190"));
    a.heads = {-1, 0};
    CHECK(contains(value_error([&] { Doc::from_words(vocab(), {"a", "b"}, {}, a); }), "E190"));
  }
}

TEST_CASE("doc api: validation errors name the problem and write nothing") {
  const auto fails = [](DocAnnotations a, const std::string& code) {
    Doc d = Doc::from_words(vocab(), {"a", "b"});
    const std::string msg = value_error([&] { d.annotate(a); });
    CHECK_MESSAGE(contains(msg, code), msg);
    CHECK(d.data(0).tag == 0);
    CHECK(d.data(0).pos == UPOS::NONE);
    return msg;
  };
  DocAnnotations a;
  a.tags = {"X", "Y"};
  a.pos = {"NOUN", "NOPE"};
  CHECK(contains(fails(a, "E1021"), "\"NOPE\""));
  a = {};
  a.tags = {"X"};
  CHECK(contains(fails(a, "E189"), "tags has 1 values for 2 words"));
  for (const std::string bad : {"PER", "X-PER", "B-", "B_PER"}) {
    a = {};
    a.tags = {"X", "Y"};
    a.ents = {bad, "O"};
    CHECK(contains(fails(a, "E177"), "\"" + bad + "\""));
  }
  a = {};
  a.morphs = {"Number", ""};
  fails(a, "FEATS");
  a = {};
  a.sent_starts = {1, 2};
  fails(a, "sent_starts[1]");
  // Every annotation's length is checked.
  for (int k = 0; k < 8; ++k) {
    a = {};
    switch (k) {
      case 0: a.pos = {"X"}; break;
      case 1: a.heads = {0}, a.deps = {"x"}; break;
      case 2: a.deps = {"x"}; break;
      case 3: a.lemmas = {"x"}; break;
      case 4: a.tags = {"x"}; break;
      case 5: a.morphs = {"A=b"}; break;
      case 6: a.sent_starts = {1}; break;
      default: a.ents = {"O"}; break;
    }
    fails(a, "E189");
  }
}

TEST_CASE("doc api: ents as IOB tags, repaired as spaCy") {
  const auto with = [](std::vector<std::string> ents) {
    DocAnnotations a;
    a.ents = std::move(ents);
    return iob(Doc::from_words(vocab(), {"a", "b", "c"}, {}, a));
  };
  CHECK(with({"I-PER", "O", "I-LOC"}) == "I-PER O B-LOC");
  CHECK(with({"B-PER", "I-LOC", ""}) == "B-PER B-LOC _");
  CHECK(with({"", "", "B-X"}) == "_ _ B-X");
  CHECK(with({"B-X", "I-X", "I-X"}) == "B-X I-X I-X");
  CHECK(with({"O-PER", "I-PER", "O"}) == "O-PER B-PER O");  // spaCy keeps the type of an "O-" tag
}

TEST_CASE("doc api: set_ents with blocked, missing, outside and every default") {
  Doc d = Doc::from_words(vocab(), words("a b c d e f"));
  const hash_t per = d.intern("PER"), loc = d.intern("LOC");
  const std::vector<Span> ents = {Span(&d, 1, 3, per)};
  const std::vector<Span> blocked = {Span(&d, 3, 4)}, missing = {Span(&d, 4, 5)}, outside = {Span(&d, 0, 1)};
  d.set_ents(ents, EntsRegions{blocked, missing, outside}, "unmodified");
  CHECK(iob(d) == "O B-PER I-PER B _ _");
  CHECK(d.ents().size() == 1);  // a blocked token is no entity

  SUBCASE("defaults") {
    const std::vector<Span> one = {Span(&d, 1, 2, loc)};
    d.set_ents(one, EntsRegions{}, "outside");
    CHECK(iob(d) == "O B-LOC O O O O");
    d.set_ents(one, EntsRegions{}, "missing");
    CHECK(iob(d) == "_ B-LOC _ _ _ _");
    d.set_ents(one, EntsRegions{}, "blocked");
    CHECK(iob(d) == "B B-LOC B B B B");
    CHECK(d.ents().size() == 1);
    d.set_ents({}, "outside");
    d.set_ents(std::vector<Span>{Span(&d, 0, 3, per)}, EntsRegions{}, "unmodified");
    const std::vector<Span> cut = {Span(&d, 1, 2, loc)};
    d.set_ents(cut, EntsRegions{}, "unmodified");
    // The cut entity keeps its other tokens: the I after the new entity becomes B.
    CHECK(iob(d) == "B-PER B-LOC B-PER O O O");
    CHECK(d.ents().size() == 3);
    CHECK(contains(value_error([&] { d.set_ents(cut, EntsRegions{}, "nope"); }), "E1011"));
  }
  SUBCASE("overlaps across the four groups: E1010, nothing written") {
    const std::vector<Span> a = {Span(&d, 0, 2, per)}, b = {Span(&d, 1, 3, loc)}, c = {Span(&d, 2, 3)};
    d.set_ents(a, EntsRegions{{}, {}, c}, "outside");  // adjacent, not overlapping
    CHECK(iob(d) == "B-PER I-PER O O O O");
    const std::string msg = value_error([&] { d.set_ents(b, EntsRegions{{}, {}, c}, "outside"); });
    CHECK(contains(msg, "token 2"));
    CHECK(contains(msg, "E1010"));
    const std::vector<Span> ab = {a[0], b[0]};
    CHECK(contains(value_error([&] { d.set_ents(ab, EntsRegions{}, "outside"); }), "E1010"));
    CHECK(contains(value_error([&] { d.set_ents({}, EntsRegions{c, c, {}}, "outside"); }), "E1010"));
    CHECK(iob(d) == "B-PER I-PER O O O O");
  }
  SUBCASE("spans without a label are ignored, as spaCy") {
    const std::vector<Span> unlabelled = {Span(&d, 0, 6)};
    d.set_ents(unlabelled);
    CHECK(iob(d) == "O O O O O O");
  }
  SUBCASE("a span of another Doc") {
    Doc other = Doc::from_words(vocab(), {"x"});
    const std::vector<Span> foreign = {Span(&other, 0, 1, per)};
    CHECK(contains(value_error([&] { d.set_ents(foreign); }), "another Doc"));
  }
}

TEST_CASE("doc api: from_array reproduces to_array's annotations, trees and sentences") {
  DocAnnotations a;
  a.tags = words("DT NN VBD . PRP VBD .");
  a.pos = words("DET NOUN VERB PUNCT PRON VERB PUNCT");
  a.morphs = {"Definite=Def", "Number=Sing", "Tense=Past", "", "Case=Nom", "Tense=Past", ""};
  a.lemmas = words("the dog bark . it stop .");
  a.heads = {1, 2, 2, 2, 5, 5, 5};
  a.deps = words("det nsubj ROOT punct nsubj ROOT punct");
  a.ents = {"O", "B-ANIMAL", "O", "O", "O", "O", ""};
  const std::vector<std::string> w = words("The dog barked . It stopped .");
  Doc src = Doc::from_words(vocab(), w, {}, a);
  REQUIRE(src.sents().size() == 2);
  const std::vector<Attr> attrs = {Attr::TAG, Attr::POS, Attr::MORPH, Attr::LEMMA, Attr::HEAD, Attr::DEP,
                                   Attr::ENT_IOB, Attr::ENT_TYPE, Attr::SENT_START, Attr::ORTH};
  const auto values = src.to_array(attrs);
  Doc dst = Doc::from_words(vocab(), w);
  // The strings live in src's pool: without it they are unknown.
  CHECK_THROWS_AS(dst.from_array(attrs, values), KeyError);
  CHECK(dst.data(0).tag == 0);
  dst.from_array(attrs, values, &src);
  CHECK(dst.to_array(attrs) == values);
  CHECK(dst[1].lemma_() == "dog");
  CHECK(dst[2].morph_() == "Tense=Past");
  CHECK(sent_starts(dst) == sent_starts(src));
  REQUIRE(dst.sents().size() == 2);
  CHECK(dst.sents()[1].text() == "It stopped .");
  CHECK(dst.ents().size() == 1);
  CHECK(doc_to_spacy_json(dst) == doc_to_spacy_json(src));

  SUBCASE("HEAD without DEP leaves the sentences alone") {
    Doc plain = Doc::from_words(vocab(), w);
    plain.from_array({Attr::HEAD}, src.to_array({Attr::HEAD}));
    CHECK(heads(plain) == heads(src));
    CHECK(sent_starts(plain) == std::vector<int>(7, 0));
  }
  SUBCASE("SENT_START alone") {
    Doc plain = Doc::from_words(vocab(), w);
    plain.from_array({Attr::SENT_START}, src.to_array({Attr::SENT_START}));
    CHECK(sent_starts(plain) == std::vector<int>{1, -1, -1, -1, 1, -1, -1});
  }
  SUBCASE("errors") {
    Doc plain = Doc::from_words(vocab(), w);
    CHECK(contains(value_error([&] { plain.from_array({Attr::TAG}, std::vector<std::uint64_t>(6)); }), "E971"));
    std::vector<std::uint64_t> h(7, 0);
    h[6] = 1;
    CHECK(contains(value_error([&] { plain.from_array({Attr::HEAD}, h); }), "E190"));
    h[6] = static_cast<std::uint64_t>(-7);
    CHECK(contains(value_error([&] { plain.from_array({Attr::HEAD}, h); }), "E190"));
    std::vector<std::uint64_t> e(7, 0);
    e[3] = 4;
    CHECK(contains(value_error([&] { plain.from_array({Attr::ENT_IOB}, e); }), "E982"));
    e[3] = 2;
    CHECK(contains(value_error([&] { plain.from_array({Attr::SENT_START}, e); }), "SENT_START"));
    e[3] = 99;
    CHECK(contains(value_error([&] { plain.from_array({Attr::POS}, e); }), "POS"));
    std::vector<std::uint64_t> m(7, 0);
    m[0] = 12345;
    CHECK_THROWS_AS(plain.from_array({Attr::MORPH}, m), KeyError);
    CHECK(plain.data(0).morph == 0);
  }
  SUBCASE("NORM: the lexeme's own norm is no override") {
    Doc plain = Doc::from_words(vocab(), w);
    plain.from_array({Attr::NORM}, src.to_array({Attr::NORM}));
    CHECK(plain.data(0).norm == 0);
    CHECK(plain[0].norm_() == "the");
  }
}

TEST_CASE("doc api: count_by") {
  Doc d = Doc::from_words(vocab(), words("a b a c a"));
  const auto counts = d.count_by(Attr::ORTH);
  CHECK(counts.size() == 3);
  CHECK(counts.at(hash_string("a")) == 3);
  CHECK(counts.at(hash_string("c")) == 1);
  CHECK(d.count_by(Attr::LENGTH).at(1) == 5);
}

TEST_CASE("doc api: has_annotation require_complete and spaCy's special cases") {
  DocAnnotations a;
  a.ents = {"B-X", "O", "O"};
  Doc d = Doc::from_words(vocab(), {"a", "b", "c"}, {}, a);
  CHECK(d.has_annotation(Attr::ENT_IOB, true));
  CHECK(d.has_annotation(Attr::ENT_TYPE));
  CHECK_FALSE(d.has_annotation(Attr::ENT_TYPE, true));
  a.ents = {"O", "O", "O"};
  CHECK_FALSE(Doc::from_words(vocab(), {"a", "b", "c"}, {}, a).has_annotation(Attr::ENT_TYPE));
  Doc one = Doc::from_words(vocab(), {"a"});
  CHECK(one.has_annotation(Attr::SENT_START));
  CHECK(one.has_annotation(Attr::SENT_START, true));
  CHECK_FALSE(one.has_annotation(Attr::TAG));
  a = {};
  a.sent_starts = {1, 0, -1};
  Doc s = Doc::from_words(vocab(), {"a", "b", "c"}, {}, a);
  CHECK(s.has_annotation(Attr::SENT_START));
  CHECK_FALSE(s.has_annotation(Attr::SENT_START, true));
  CHECK(s.has_annotation(Attr::IS_ALPHA, true));
}

TEST_CASE("doc api: set_morph writes the canonical FEATS string") {
  Doc d = Doc::from_words(vocab(), {"a", "b"});
  d.set_morph(0, "Tense=Past|VerbForm=Fin|Mood=Ind|aspect=Perf");
  CHECK(d[0].morph_() == "aspect=Perf|Mood=Ind|Tense=Past|VerbForm=Fin");  // case-insensitive
  d.set_morph(1, "PronType=Rel,Int");
  CHECK(d[1].morph_() == "PronType=Int,Rel");
  d.set_morph(1, "_");
  CHECK(d.data(1).morph == 0);
  CHECK(contains(value_error([&] { d.set_morph(0, "A=1|A=2"); }), "FEATS"));
  CHECK(contains(value_error([&] { d.set_morph(0, "Number"); }), "FEATS"));
  CHECK(d[0].morph_() == "aspect=Perf|Mood=Ind|Tense=Past|VerbForm=Fin");
  CHECK_THROWS_AS(d.set_morph(2, "A=b"), IndexError);
}

TEST_CASE("doc api: spaCy's JSON schema round trip") {
  DocAnnotations a;
  a.tags = words("NNP VBD NNP .");
  a.pos = words("PROPN VERB PROPN PUNCT");
  a.morphs = {"Number=Sing", "Tense=Past", "Number=Sing", ""};
  a.lemmas = words("Ada meet Bob .");
  a.heads = {1, 1, 1, 1};
  a.deps = words("nsubj ROOT obj punct");
  a.ents = {"B-PER", "O", "B-PER", "O"};
  Doc d = Doc::from_words(vocab(), words("Ädä met Bob ."), {true, true, false, false}, a);
  const Json j = doc_to_spacy_json(d);
  CHECK(j.dump() ==
        R"({"text":"Ädä met Bob.","ents":[{"start":0,"end":3,"label":"PER"},{"start":8,"end":11,"label":"PER"}],)"
        R"("sents":[{"start":0,"end":12}],"tokens":[)"
        R"({"id":0,"start":0,"end":3,"tag":"NNP","pos":"PROPN","morph":"Number=Sing","lemma":"Ada","dep":"nsubj","head":1},)"
        R"({"id":1,"start":4,"end":7,"tag":"VBD","pos":"VERB","morph":"Tense=Past","lemma":"meet","dep":"ROOT","head":1},)"
        R"({"id":2,"start":8,"end":11,"tag":"NNP","pos":"PROPN","morph":"Number=Sing","lemma":"Bob","dep":"obj","head":1},)"
        R"({"id":3,"start":11,"end":12,"tag":".","pos":"PUNCT","morph":"","lemma":".","dep":"punct","head":1}]})");
  const Doc back = doc_from_spacy_json(j, vocab());
  CHECK(doc_to_spacy_json(back) == j);
  CHECK(back.text() == d.text());
  CHECK(heads(back) == heads(d));
  CHECK(sent_starts(back) == sent_starts(d));
  CHECK(iob(back) == iob(d));
  // weft's JSONL record is the same plus nothing here (no mwt, no meta).
  CHECK(doc_to_json(d) == j);

  SUBCASE("a plain Doc: text and tokens only; sents without a parse") {
    Doc plain = Doc::from_words(vocab(), {"a", "b"});
    CHECK(doc_to_spacy_json(plain).dump() ==
          R"({"text":"a b ","tokens":[{"id":0,"start":0,"end":1},{"id":1,"start":2,"end":3}]})");
    const Json with_sents = Json::parse(R"({"text":"a b","sents":[{"start":0,"end":1},{"start":2,"end":3}],)"
                                        R"("tokens":[{"id":0,"start":0,"end":1},{"id":1,"start":2,"end":3}]})");
    CHECK(sent_starts(doc_from_spacy_json(with_sents, vocab())) == std::vector<int>{1, 1});
  }
  SUBCASE("errors") {
    const auto bad = [](const char* text) { return value_error([&] { doc_from_spacy_json(Json::parse(text), vocab()); }); };
    CHECK(contains(bad(R"({"text":"a b","tokens":[{"id":0,"start":0,"end":1},{"id":1,"start":2,"end":3,"tag":"X"}]})"),
                   "E1040"));
    CHECK(contains(bad(R"({"text":"a b","tokens":[{"id":0,"start":0,"end":1,"tag":"X"},{"id":1,"start":2,"end":3}]})"),
                   "E1040"));
    CHECK(contains(bad(R"({"text":"a","tokens":[{"id":0,"start":0,"end":1,"head":0}]})"), "E1017"));
    CHECK(contains(bad(R"({"text":"a","tokens":[{"id":0,"start":0,"end":1,"pos":"nope"}]})"), "E1021"));
    CHECK(contains(bad(R"({"text":"ab","tokens":[{"id":0,"start":0,"end":2}],"ents":[{"start":0,"end":1,"label":"X"}]})"),
                   "E1039"));
    CHECK(contains(bad(R"({"text":"ab","tokens":[{"id":0,"start":0,"end":3}]})"), "inside the text"));
    CHECK(contains(bad(R"({"text":"ab"})"), "\"tokens\""));
    CHECK(contains(bad(R"([1])"), "object"));
  }
}
