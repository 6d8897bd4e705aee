// Entity ids on tokens (set_ents / ents), span groups (Doc::spans: overlap, copies, DocBin version 2,
// reading version 1, the retokenizer), the Span API (sents, ents, char_span, as_doc) and the entity
// ruler's pattern ids; spaCy 3.8's answers written out.
#include <doctest/doctest.h>
#include <xxhash.h>

#include <string>
#include <tuple>
#include <vector>

#include "test_paths.hpp"
#include "weft/components/entity_ruler/entity_ruler.hpp"
#include "weft/doc/doc_bin.hpp"
#include "weft/doc/retokenizer.hpp"
#include "weft/doc/span.hpp"
#include "weft/doc/token.hpp"
#include "weft/error.hpp"
#include "weft/pipeline/pipeline.hpp"

using namespace weft;

namespace {

std::shared_ptr<Vocab> vocab() { return std::make_shared<Vocab>("en"); }

Doc words(const std::string& text) {
  std::vector<std::string> w;
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t j = text.find(' ', i);
    w.push_back(text.substr(i, j == std::string::npos ? std::string::npos : j - i));
    if (j == std::string::npos) break;
    i = j + 1;
  }
  return Doc::from_words(vocab(), w);
}

using Range = std::pair<std::size_t, std::size_t>;

std::vector<Range> ranges(const std::vector<Span>& spans) {
  std::vector<Range> out;
  for (const Span& s : spans) out.emplace_back(s.start(), s.end());
  return out;
}

std::vector<Range> ranges(const SpanGroup& g) {
  std::vector<Range> out;
  for (const SpanRecord& r : g.spans) out.emplace_back(r.start, r.end);
  return out;
}

// "A b c . D e f g . H i" with sentences starting at A, D and H.
Doc three_sentences() {
  Doc d = words("A b c . D e f g . H i");
  for (std::size_t i = 0; i < d.size(); ++i) d.data(i).sent_start = (i == 0 || i == 4 || i == 9) ? 1 : -1;
  return d;
}

void put_u32(std::string& s, std::uint32_t v) {
  for (int k = 0; k < 4; ++k) s += static_cast<char>((v >> (8 * k)) & 0xFF);
}
void put_u64(std::string& s, std::uint64_t v) {
  for (int k = 0; k < 8; ++k) s += static_cast<char>((v >> (8 * k)) & 0xFF);
}
void put_str(std::string& s, const std::string& v) {
  put_u32(s, static_cast<std::uint32_t>(v.size()));
  s += v;
}

}  // namespace

TEST_CASE("spans: set_ents writes kb_id and id to the tokens; ents reads them back") {
  Doc d = words("Ada Lovelace met Charles Babbage in London");
  const hash_t person = d.intern("PERSON"), q = d.intern("Q7259"), ada = d.intern("ada");
  const std::vector<Span> ents{Span(&d, 0, 2, person, q, ada), Span(&d, 3, 5, person), Span(&d, 6, 7, d.intern("GPE"))};
  d.set_ents(ents);
  CHECK(d.token(0).ent_kb_id_() == "Q7259");
  CHECK(d.token(1).ent_id_() == "ada");
  CHECK(d.token(3).ent_kb_id() == 0);
  const auto back = d.ents();
  REQUIRE(back.size() == 3);
  CHECK(back[0] == ents[0]);  // equality includes kb_id and id
  CHECK(back[0].kb_id_() == "Q7259");
  CHECK(back[0].id_() == "ada");
  CHECK(back[1].id() == 0);
  CHECK_FALSE(back[0] == Span(&d, 0, 2, person));

  // spaCy: a span without an id keeps the tokens' ent_id; kb_id is always written; tokens that leave
  // every entity keep both.
  d.set_ents(std::vector<Span>{Span(&d, 0, 2, person)});
  CHECK(d.token(0).ent_id_() == "ada");
  CHECK(d.token(0).ent_kb_id() == 0);
  CHECK(d.ents()[0].id_() == "ada");
  d.set_ents(std::vector<Span>{});
  CHECK(d.token(0).ent_id_() == "ada");
  CHECK(d.ents().empty());
}

TEST_CASE("spans: the retokenizer carries entity ids") {
  Doc d = words("in New York City today");
  d.set_ents(std::vector<Span>{Span(&d, 1, 4, d.intern("GPE"), d.intern("Q60"), d.intern("nyc"))});
  {
    Retokenizer r(d);
    r.merge(1, 3);
    r.split(4, {"to", "day"}, {{4, 0}, {4, 0}});
    r.apply();
  }
  REQUIRE(d.size() == 5);
  CHECK(d.token(1).text() == "New York");
  CHECK(d.token(1).ent_id_() == "nyc");
  CHECK(d.token(1).ent_kb_id_() == "Q60");
  CHECK(d.token(2).ent_id_() == "nyc");
  REQUIRE(d.ents().size() == 1);
  CHECK(d.ents()[0].id_() == "nyc");
  CHECK(d.ents()[0].kb_id_() == "Q60");
}

TEST_CASE("spans: entity ids live in a side table allocated on the first id written") {
  Doc d = words("in New York City today");
  d.set_ents(std::vector<Span>{Span(&d, 1, 4, d.intern("GPE"))});  // no ids: nothing allocated
  d.set_ent_id(2, 0);
  CHECK(d.ent_ids().empty());
  CHECK(d.token(2).ent_id() == 0);
  d.set_ent_kb_id(3, d.intern("Q60"));
  CHECK(d.ent_ids().size() == d.size());
  CHECK(d.token(3).ent_kb_id_() == "Q60");
  CHECK(d.token(2).ent_kb_id() == 0);
  Doc grown(vocab(), "New York today");
  grown.push_token(0, 3);
  grown.push_token(4, 4);
  grown.set_ent_id(1, grown.intern("nyc"));
  grown.push_token(9, 5);
  CHECK(grown.ent_ids().size() == 2);
  CHECK(grown.token(2).ent_id() == 0);  // a token appended after the table was allocated reads 0
  grown.set_ent_id(2, grown.intern("now"));
  CHECK(grown.token(2).ent_id_() == "now");
  CHECK(grown.token(1).ent_id_() == "nyc");
  Doc copy = d;
  copy.set_ent_kb_id(3, 0);
  CHECK(d.token(3).ent_kb_id_() == "Q60");  // copies do not share the table
  // A split token gives its ids to every piece; as_doc slices the table and keeps its strings.
  Doc e = words("see NewYork now");
  e.set_ent_id(1, e.intern("nyc"));
  {
    Retokenizer r(e);
    r.split(1, {"New", "York"}, {{1, 1}, {0, 0}});
    r.apply();
  }
  REQUIRE(e.size() == 4);
  CHECK(e.ent_ids().size() == 4);
  CHECK(e.token(1).ent_id_() == "nyc");
  CHECK(e.token(2).ent_id_() == "nyc");
  CHECK(e.token(3).ent_id() == 0);
  const Doc part = e.span(2, 4).as_doc();
  CHECK(part.token(0).ent_id_() == "nyc");
  CHECK(part.token(1).ent_id() == 0);
}

TEST_CASE("spans: span groups hold overlapping labelled spans and copy with the Doc") {
  Doc d = words("the quick brown fox jumps");
  SpanGroup& g = d.spans()["animals"];
  CHECK(g.name == "animals");
  g.spans.push_back({1, 4, d.intern("NP"), d.intern("Q1"), d.intern("fox")});
  g.spans.push_back({3, 4, d.intern("ANIMAL")});
  CHECK(g.has_overlap());
  SpanGroup& other = d.spans()["other"];
  other.spans = {{0, 1}, {1, 2}, {2, 2}};
  CHECK_FALSE(other.has_overlap());
  other.spans.push_back({4, 5});
  other.spans.push_back({3, 5});
  CHECK(other.has_overlap());
  CHECK(d.spans().size() == 2);
  CHECK(d.spans().items()[0].first == "animals");
  CHECK_THROWS_AS(d.spans().at("missing"), KeyError);

  // One group under two keys; a copy of the Doc copies the groups (and the alias becomes a group of its own).
  d.spans().set("alias", d.spans().shared("animals"));
  CHECK(d.spans().find("alias") == d.spans().find("animals"));
  Doc copy = d;
  CHECK(copy.spans().size() == 3);
  CHECK(copy.spans().find("animals") != d.spans().find("animals"));
  CHECK(copy.spans().find("alias") != copy.spans().find("animals"));
  copy.spans().at("animals").spans.clear();
  CHECK(d.spans().at("animals").size() == 2);
  CHECK(d.spans().erase("alias"));
  CHECK_FALSE(d.spans().erase("alias"));
}

TEST_CASE("spans: DocBin version 2 keeps entity ids and span groups") {
  auto v = vocab();
  Doc d = Doc::from_words(v, {"Ada", "Lovelace", "wrote", "notes"});
  d.set_ents(std::vector<Span>{Span(&d, 0, 2, d.intern("PERSON"), d.intern("Q7259"), d.intern("ada"))});
  SpanGroup& g = d.spans()["sc"];
  g.attrs_json = R"({"annotator":"me"})";
  g.spans = {{0, 2, d.intern("NAME"), d.intern("kb1"), d.intern("id1")}, {1, 3, d.intern("X")}, {4, 4}};
  d.spans()["empty"].name = "renamed";
  DocBin bin;
  bin.add(d);
  const std::string bytes = bin.to_bytes();
  CHECK(bytes[8] == 2);  // version
  const Doc back = DocBin::from_bytes(bytes).get_docs(vocab())[0];  // a fresh Vocab: strings travel
  CHECK(back.token(1).ent_id_() == "ada");
  CHECK(back.token(0).ent_kb_id_() == "Q7259");
  CHECK(back.ents()[0].id_() == "ada");
  REQUIRE(back.spans().size() == 2);
  const SpanGroup& bg = back.spans().at("sc");
  CHECK(bg.name == "sc");
  CHECK(bg.attrs_json == g.attrs_json);
  CHECK(bg.spans == g.spans);
  CHECK(back.str(bg.spans[0].kb_id) == "kb1");
  CHECK(back.str(bg.spans[0].id) == "id1");
  CHECK(back.spans().at("empty").name == "renamed");
  CHECK(back.spans().items()[1].first == "empty");
  CHECK(DocBin::from_bytes(bytes).to_bytes() == bytes);
}

TEST_CASE("spans: DocBin reads version 1 files") {
  // A version-1 file written by hand: "Hi there" with an entity and a lemma, then an empty Doc.
  std::string rec;
  put_str(rec, "Hi there");
  put_u32(rec, 2);
  const hash_t lemma = hash_string("hi"), label = hash_string("GREETING");
  const std::vector<std::tuple<std::uint32_t, std::uint32_t, hash_t, hash_t, std::uint8_t>> toks{
      {0, 2, lemma, label, 3}, {3, 5, 0, 0, 2}};
  for (const auto& [idx, len, lem, ent, iob] : toks) {
    put_u32(rec, idx);
    put_u32(rec, len);
    put_u64(rec, hash_string(idx == 0 ? "Hi" : "there"));
    for (const hash_t h : {hash_t{0}, lem, hash_t{0}, hash_t{0}, hash_t{0}, ent}) put_u64(rec, h);
    put_u32(rec, 0);                     // head
    rec += '\0';                         // pos
    rec += static_cast<char>(iob);       // ent_iob
    rec += '\0';                         // sent_start
    rec += '\0';                         // flags
  }
  put_u32(rec, 2);  // strings
  put_str(rec, "GREETING");
  put_str(rec, "hi");
  for (int k = 0; k < 5; ++k) put_u32(rec, 0);  // the extras' maps
  put_str(rec, "");                              // meta_json
  std::string empty;
  put_str(empty, "");
  put_u32(empty, 0);
  put_u32(empty, 0);
  for (int k = 0; k < 5; ++k) put_u32(empty, 0);
  put_str(empty, "");

  std::string file = "WEFTDOCB";
  put_u32(file, 1);
  put_u32(file, 0);
  put_u64(file, 2);
  put_u64(file, rec.size());
  file += rec;
  put_u64(file, empty.size());
  file += empty;
  put_u64(file, XXH3_64bits(file.data(), file.size()));

  const DocBin bin = DocBin::from_bytes(file, "old.weft");
  const auto docs = bin.get_docs(vocab());
  REQUIRE(docs.size() == 2);
  const Doc& d = docs[0];
  CHECK(d.text() == "Hi there");
  CHECK(d.token(0).lemma_() == "hi");
  CHECK(d.token(0).ent_type_() == "GREETING");
  CHECK(d.token(0).ent_id() == 0);
  CHECK(d.token(0).ent_kb_id() == 0);
  CHECK(d.token(1).ent_iob_() == "O");
  CHECK(d.spans().empty());
  CHECK(docs[1].empty());
  // Written back as version 2, which reads the same.
  const std::string v2 = bin.to_bytes();
  CHECK(v2[8] == 2);
  CHECK(v2.size() == file.size() + 2 * 16 + 2 * 4);  // 16 bytes more per token, an empty group list per Doc
  CHECK(DocBin::from_bytes(v2).get_docs(vocab())[0].token(0).ent_type_() == "GREETING");
  // A truncated version-1 record is a FormatError naming the source and the document.
  std::string bad = "WEFTDOCB";
  put_u32(bad, 1);
  put_u32(bad, 0);
  put_u64(bad, 1);
  put_u64(bad, 10);
  bad += rec.substr(0, 10);
  put_u64(bad, XXH3_64bits(bad.data(), bad.size()));
  CHECK(test::error_message<FormatError>([&] { DocBin::from_bytes(bad, "old.weft"); }, "v1").find(
            "old.weft: document 0:") == 0);
}

TEST_CASE("spans: DocBin refuses bad span groups") {
  Doc d = words("a b c");
  d.spans()["g"].spans = {{0, 2, d.intern("L")}};
  DocBin bin;
  bin.add(d);
  std::string bytes = bin.to_bytes();
  // The span's end is the u32 32 bytes before the checksum's 8 (start, end, label, kb_id, id).
  const std::size_t end_at = bytes.size() - 8 - 24 - 4;
  bytes[end_at] = 9;
  const auto reseal = [](std::string& s) {
    const std::uint64_t h = XXH3_64bits(s.data(), s.size() - 8);
    for (int k = 0; k < 8; ++k) s[s.size() - 8 + k] = static_cast<char>((h >> (8 * k)) & 0xFF);
  };
  reseal(bytes);
  const std::string msg = test::error_message<FormatError>(
      [&] { DocBin::from_bytes(bytes, "x.weft").get_docs(vocab()); }, "bad span");
  CHECK(msg == "x.weft: document 0: span group \"g\": span 0 [0, 9) is outside the Doc's 3 tokens");
}

TEST_CASE("spans: the retokenizer maps span groups through merges and splits") {
  // spaCy leaves doc.spans stale; weft maps each span to the tokens that now hold it.
  Doc d = words("The quick brown fox jumps over the lazy dog today");
  SpanGroup& g = d.spans()["g"];
  g.spans = {{1, 4}, {4, 5}, {7, 9}, {8, 10}, {2, 3}, {5, 5}, {0, 1}, {9, 10}};
  d.spans().set("alias", d.spans().shared("g"));  // mapped once
  {
    Retokenizer r(d);
    r.merge(1, 3);                          // "quick brown"
    r.split(4, {"jump", "s"}, {{4, 0}, {4, 0}});  // "jumps"
    r.merge(7, 9);                          // "lazy dog"
    r.apply();
  }
  REQUIRE(d.size() == 9);
  // New tokens: The | quick brown | fox | jump | s | over | the | lazy dog | today
  CHECK(ranges(g) == std::vector<Range>{{1, 3}, {3, 5}, {7, 8}, {7, 9}, {1, 2}, {5, 5}, {0, 1}, {8, 9}});
  CHECK(std::string(Span(&d, 1, 3).text()) == "quick brown fox");
  CHECK(std::string(Span(&d, 3, 5).text()) == "jumps");
}

TEST_CASE("spans: Span::sents and Span::ents as spaCy") {
  const Doc d = three_sentences();
  CHECK(ranges(Span(&d, 1, 6).sents()) == std::vector<Range>{{0, 4}, {4, 9}});
  CHECK(ranges(Span(&d, 4, 9).sents()) == std::vector<Range>{{4, 9}});
  CHECK(ranges(Span(&d, 5, 7).sents()) == std::vector<Range>{{4, 9}});
  CHECK(ranges(Span(&d, 0, 11).sents()) == std::vector<Range>{{0, 4}, {4, 9}, {9, 11}});
  CHECK(ranges(Span(&d, 2, 2).sents()) == std::vector<Range>{{0, 4}});
  CHECK(ranges(Span(&d, 10, 11).sents()) == std::vector<Range>{{9, 11}});
  CHECK(ranges(Span(&d, 8, 10).sents()) == std::vector<Range>{{4, 9}, {9, 11}});
  const Doc plain = words("no sentences here");
  CHECK_THROWS_AS(Span(&plain, 0, 2).sents(), ValueError);

  Doc e = words("A b c . D e f g . H i");
  e.set_ents(std::vector<Span>{Span(&e, 0, 2, e.intern("PER")), Span(&e, 4, 7, e.intern("ORG"), 0, e.intern("org")),
                               Span(&e, 9, 11, e.intern("X"))});
  CHECK(ranges(Span(&e, 1, 10).ents()) == std::vector<Range>{{4, 7}});
  CHECK(ranges(Span(&e, 0, 11).ents()) == std::vector<Range>{{0, 2}, {4, 7}, {9, 11}});
  CHECK(Span(&e, 4, 7).ents()[0].id_() == "org");
  CHECK(Span(&e, 5, 6).ents().empty());
}

TEST_CASE("spans: Span::char_span counts from the span's start") {
  Doc d = words("A b c . D e f");
  const Span s(&d, 1, 6);  // "b c . D e"
  const auto x = s.char_span(0, 5);
  REQUIRE(x);
  CHECK(x->text() == "b c .");
  CHECK_FALSE(s.char_span(1, 5));  // starts in the space before "c"
  CHECK(s.char_span(1, 5, 0, "expand")->text() == "c .");
  CHECK(s.char_span(2, 5)->text() == "c .");
  CHECK(s.char_span(0, 11)->text() == "b c . D e f");  // may reach past the span, as spaCy
  CHECK_FALSE(s.char_span(0, 100));
}

TEST_CASE("spans: Span::as_doc copies tokens, clips entities and fixes heads as spaCy") {
  // Sentences and entities (spaCy 3.8's as_doc on the same Doc).
  Doc d = three_sentences();
  d.set_ents(std::vector<Span>{Span(&d, 0, 2, d.intern("PER"), d.intern("Q1")), Span(&d, 4, 7, d.intern("ORG"), 0, d.intern("org")),
                               Span(&d, 9, 11, d.intern("X"))});
  d.data(2).lemma = d.intern("see");
  {
    const Doc x = Span(&d, 1, 6).as_doc();
    CHECK(x.text() == "b c . D e ");
    REQUIRE(x.size() == 5);
    CHECK(x.token(0).idx() == 0);
    CHECK(x.token(3).text() == "D");
    CHECK(x.token(1).lemma_() == "see");
    CHECK(x.ents().empty());  // both entities are cut: their tokens become missing
    CHECK(x.token(0).ent_iob_().empty());
    CHECK(x.token(1).ent_iob_() == "O");
    CHECK(x.token(3).ent_iob_().empty());
    CHECK(x.token(3).ent_id_() == "org");  // spaCy keeps the ids
    CHECK(ranges(x.sents()) == std::vector<Range>{{0, 3}, {3, 5}});
  }
  {
    const Doc x = Span(&d, 0, 10).as_doc();
    CHECK(ranges(x.ents()) == std::vector<Range>{{0, 2}, {4, 7}});
    CHECK(x.ents()[0].kb_id_() == "Q1");
    CHECK(x.ents()[1].id_() == "org");
    CHECK(x.token(9).ent_iob_().empty());
  }
  CHECK(Span(&d, 5, 6).as_doc().ents().empty());
  CHECK(Span(&d, 2, 2).as_doc().empty());

  // Heads (spaCy's _fix_dep_copy): b is the root of "A b c ." and e of "D e f g .".
  Doc p = words("A b c . D e f g . H i");
  const std::vector<int> heads{1, 1, 1, 1, 5, 5, 7, 5, 5, 9, 9};
  const std::vector<std::string> deps{"det", "ROOT", "x", "punct", "nsubj", "ROOT", "x", "obj", "punct", "ROOT", "x"};
  for (std::size_t i = 0; i < p.size(); ++i) {
    p.data(i).head = heads[i] - static_cast<int>(i);
    p.data(i).dep = p.intern(deps[i]);
  }
  p.sentences_from_heads(0, p.size());
  using Row = std::tuple<std::string, std::size_t, std::string>;
  const auto rows = [](const Doc& x) {
    std::vector<Row> out;
    for (std::size_t i = 0; i < x.size(); ++i)
      out.emplace_back(std::string(x.token(i).text()), x.token(i).head().i(), std::string(x.token(i).dep_()));
    return out;
  };
  const Doc a = Span(&p, 2, 7).as_doc();
  CHECK(rows(a) == std::vector<Row>{{"c", 0, "dep"}, {".", 0, "dep"}, {"D", 3, "nsubj"}, {"e", 3, "ROOT"}, {"f", 3, "dep"}});
  CHECK(ranges(a.sents()) == std::vector<Range>{{0, 2}, {2, 5}});
  CHECK(rows(Span(&p, 6, 8).as_doc()) == std::vector<Row>{{"f", 1, "x"}, {"g", 1, "dep"}});
  CHECK(rows(Span(&p, 0, 3).as_doc()) == std::vector<Row>{{"A", 1, "det"}, {"b", 1, "ROOT"}, {"c", 1, "x"}});
}

TEST_CASE("spans: the entity ruler writes a pattern's id to the entities") {
  Pipeline nlp = Pipeline::blank("en");
  nlp.add_pipe("entity_ruler", "", Json{{"patterns", Json::parse(R"([
    {"label": "ORG", "pattern": "Apple", "id": "apple"},
    {"label": "GPE", "pattern": [{"LOWER": "san"}, {"LOWER": "francisco"}], "id": "sf"},
    {"label": "ORG", "pattern": "Acme"}
  ])")}});
  const Doc d = nlp("Apple and Acme in San Francisco");
  const auto ents = d.ents();
  REQUIRE(ents.size() == 3);
  CHECK(ents[0].id_() == "apple");
  CHECK(ents[1].id() == 0);
  CHECK(ents[2].id_() == "sf");
  CHECK(d.token(4).ent_id_() == "sf");
  CHECK(d.token(5).ent_id_() == "sf");
  CHECK(d.token(0).ent_kb_id() == 0);
}
