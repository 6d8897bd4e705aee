// Doc, Token and Span: text identity, offsets in code points, views, string pool, columnar export.
#include <doctest/doctest.h>

#include "weft/doc/span.hpp"
#include "weft/doc/token.hpp"
#include "weft/error.hpp"

using namespace weft;

namespace {
std::shared_ptr<Vocab> vocab() { return std::make_shared<Vocab>("en"); }
}  // namespace

TEST_CASE("doc: from_words builds the text and keeps it exactly") {
  Doc d = Doc::from_words(vocab(), {"Hello", "world", "!"}, {true, false, false});
  CHECK(d.text() == "Hello world!");
  REQUIRE(d.size() == 3);
  CHECK(d[0].text() == "Hello");
  CHECK(d[0].whitespace() == " ");
  CHECK(d[1].whitespace() == "");
  CHECK(d[-1].text() == "!");
  CHECK(d[0].text_with_ws() == "Hello ");
  CHECK_THROWS_AS(d[3], IndexError);
  CHECK_THROWS_AS(d[-4], IndexError);
}

TEST_CASE("doc: whitespace runs between tokens belong to the token before") {
  Doc d(vocab(), "  a \t\n b  ");
  d.push_token(2, 1);
  d.push_token(7, 1);
  CHECK(d.whitespace(0) == " \t\n ");
  CHECK(d.whitespace(1) == "  ");
  CHECK(d.span(0, 2).text() == "a \t\n b");
  CHECK(d.span(0, 2).text_with_ws() == "a \t\n b  ");
}

TEST_CASE("doc: push_token rejects empty, overlapping, out-of-range and mid-character tokens") {
  Doc d(vocab(), "héllo wörld");
  CHECK_THROWS_AS(d.push_token(0, 0), ValueError);
  CHECK_THROWS_AS(d.push_token(0, 100), ValueError);
  CHECK_THROWS_AS(d.push_token(2, 1), ValueError);  // inside the two bytes of é
  d.push_token(0, 6);
  CHECK_THROWS_AS(d.push_token(3, 2), ValueError);
}

TEST_CASE("doc: invalid UTF-8 is rejected with the byte offset") {
  try {
    Doc d(vocab(), std::string("ok \xff bad"));
    FAIL("no error");
  } catch (const EncodingError& e) {
    CHECK(std::string(e.what()).find("byte 3") != std::string::npos);
  }
}

TEST_CASE("doc: code-point offsets for non-ASCII text") {
  std::string text = "naïve café 東京 👍 end";
  Doc d(vocab(), text);
  d.push_token(0, std::string("naïve").size());
  d.push_token(text.find("café"), std::string("café").size());
  d.push_token(text.find("東京"), std::string("東京").size());
  d.push_token(text.find("👍"), std::string("👍").size());
  d.push_token(text.find("end"), 3);
  CHECK(d[0].idx() == 0);
  CHECK(d[1].idx() == 6);
  CHECK(d[2].idx() == 11);
  CHECK(d[3].idx() == 14);
  CHECK(d[4].idx() == 16);
  CHECK(d[2].length() == 2);
  for (std::size_t c = 0; c <= 19; ++c) CHECK(d.char_offset(d.byte_offset(c)) == c);
  CHECK(d.span(2, 4).start_char() == 11);
  CHECK(d.span(2, 4).end_char() == 15);
}

TEST_CASE("doc: long non-ASCII text keeps offsets right across index blocks") {
  std::string text;
  for (int i = 0; i < 1000; ++i) text += "é";
  text += " x";
  Doc d(vocab(), text);
  d.push_token(text.size() - 1, 1);
  CHECK(d[0].idx() == 1001);
}

TEST_CASE("doc: strings come from the pool, the vocab or the token texts") {
  auto v = vocab();
  v->strings().add("NOUN-ish");
  Doc d = Doc::from_words(v, {"cats"});
  const hash_t known = d.intern("NOUN-ish");
  CHECK(d.pool().empty());
  const hash_t fresh = d.intern("a run-time lemma");
  CHECK(d.pool().size() == 1);
  CHECK(d.str(known) == "NOUN-ish");
  CHECK(d.str(fresh) == "a run-time lemma");
  CHECK(d.str(d.data(0).orth) == "cats");
  CHECK(d.str(0) == "");
  CHECK_THROWS_AS(d.str(12345), KeyError);
  CHECK(v->strings().size() == 1);  // nothing leaked into the shared store
}

TEST_CASE("doc: sents need boundaries and follow sent_start") {
  Doc d = Doc::from_words(vocab(), {"A", ".", "B", "."});
  CHECK_FALSE(d.has_sents());
  CHECK_THROWS_AS(d.sents(), ValueError);
  d.data(0).sent_start = 1;
  d.data(1).sent_start = -1;
  d.data(2).sent_start = 1;
  d.data(3).sent_start = -1;
  auto s = d.sents();
  REQUIRE(s.size() == 2);
  CHECK(s[0].text() == "A .");
  CHECK(s[1].start() == 2);
  CHECK(d.has_annotation(Attr::SENT_START));
  CHECK_FALSE(d.has_annotation(Attr::POS));
}

TEST_CASE("doc: to_array exports lexical attributes, flags and annotations") {
  Doc d = Doc::from_words(vocab(), {"Hello", "42", "!"}, {true, false, false});
  d.data(0).pos = UPOS::INTJ;
  d.data(1).head = -1;
  auto a = d.to_array({Attr::ORTH, Attr::LOWER, Attr::IS_ALPHA, Attr::LIKE_NUM, Attr::POS, Attr::HEAD, Attr::IDX,
                       Attr::SPACY, Attr::LENGTH});
  REQUIRE(a.size() == 27);
  CHECK(a[0] == hash_string("Hello"));
  CHECK(a[1] == hash_string("hello"));
  CHECK(a[2] == 1);
  CHECK(a[3] == 0);
  CHECK(a[4] == static_cast<std::uint64_t>(UPOS::INTJ));
  CHECK(a[9 + 3] == 1);  // "42" like_num
  CHECK(static_cast<std::int64_t>(a[9 + 5]) == -1);
  CHECK(a[9 + 6] == 6);
  CHECK(a[7] == 1);
  CHECK(a[9 + 7] == 0);
  CHECK(a[8] == 5);
  CHECK_THROWS_AS(d.to_array({static_cast<Attr>(9999)}), ValueError);
}

TEST_CASE("doc: token and span views") {
  Doc d = Doc::from_words(vocab(), {"New", "York", "is", "big"});
  Span s = d.span(0, 2);
  CHECK(s.size() == 2);
  CHECK(s.text() == "New York");
  CHECK(s[-1].text() == "York");
  CHECK_THROWS_AS(s[2], IndexError);
  CHECK_THROWS_AS(d.span(3, 2), IndexError);
  CHECK(d[0].shape_() == "Xxx");
  CHECK(d[2].is_sent_start() == false);
  CHECK(d[0].is_sent_start());
  CHECK(d.span(4, 4).empty());
}

TEST_CASE("doc: upos names round-trip") {
  for (int i = 1; i < static_cast<int>(UPOS::COUNT); ++i) {
    const UPOS p = static_cast<UPOS>(i);
    CHECK(upos_from_name(upos_name(p)) == p);
  }
  CHECK(upos_from_name("_") == UPOS::NONE);
  CHECK_FALSE(upos_from_name("NOUNS").has_value());
}

TEST_CASE("doc: char_span aligns character ranges to tokens in three modes") {
  Doc d = Doc::from_words(vocab(), {"Café", "au", "lait", "!"}, {true, true, false, false});  // "Café au lait!"
  auto s = d.char_span(5, 12);
  REQUIRE(s);
  CHECK(s->text() == "au lait");
  CHECK_FALSE(d.char_span(6, 12));  // starts inside "au"
  auto c = d.char_span(6, 13, 0, "contract");
  REQUIRE(c);
  CHECK(c->text() == "lait!");
  auto e = d.char_span(1, 6, 0, "expand");
  REQUIRE(e);
  CHECK(e->text() == "Café au");
  CHECK_FALSE(d.char_span(6, 7, 0, "contract"));
  CHECK_FALSE(d.char_span(4, 5));  // only the space
  CHECK_THROWS_AS(d.char_span(0, 4, 0, "fuzzy"), ValueError);
  CHECK_THROWS_AS(d.char_span(5, 4), ValueError);
  CHECK(d.char_span(0, 4)->text() == "Café");
}

TEST_CASE("doc: has_annotation follows spaCy (empty Docs, HEAD reads DEP, require_complete)") {
  Doc empty = Doc::from_words(vocab(), {});
  CHECK(empty.has_annotation(Attr::DEP));
  CHECK(empty.has_annotation(Attr::POS, true));
  Doc d = Doc::from_words(vocab(), {"a", "b", "c"});
  CHECK_FALSE(d.has_annotation(Attr::TAG));
  d.data(0).tag = d.intern("DT");
  CHECK(d.has_annotation(Attr::TAG));
  CHECK_FALSE(d.has_annotation(Attr::TAG, true));
  d.data(1).tag = d.data(2).tag = d.data(0).tag;
  CHECK(d.has_annotation(Attr::TAG, true));
  CHECK_FALSE(d.has_annotation(Attr::SENT_START));
  d.data(2).sent_start = 1;
  CHECK(d.has_annotation(Attr::SENT_START));
  CHECK_FALSE(d.has_annotation(Attr::SENT_START, true));  // the first token is skipped, the second unset
  d.data(1).dep = d.intern("dep");
  CHECK(d.has_annotation(Attr::HEAD));
  CHECK(d.has_annotation(Attr::SENT_START, true));  // a parse decides the sentences
  CHECK(d.has_annotation(Attr::ORTH));  // other attributes: set where not 0, as spaCy's get_struct_attr
}

TEST_CASE("doc: set_head keeps trees inside sentences, rejects cycles; set_sent_start as spaCy") {
  // "a b . c d ." as two parsed sentences: b and d are roots.
  Doc d = Doc::from_words(vocab(), {"a", "b", ".", "c", "d", "."});
  const hash_t dep = d.intern("dep"), root = d.intern("ROOT");
  const int heads[] = {1, 1, 1, 4, 4, 4};
  for (std::size_t i = 0; i < 6; ++i) {
    d.data(i).head = heads[i] - static_cast<int>(i);
    d.data(i).dep = heads[i] == static_cast<int>(i) ? root : dep;
  }
  d.sentences_from_heads(0, d.size());
  REQUIRE(d.sents().size() == 2);
  CHECK(d.sents()[1].start() == 3);
  // Attaching the second root under the first merges the sentences: no tree crosses a boundary.
  d.set_head(4, 1);
  CHECK(d.sents().size() == 1);
  CHECK(d[4].head().i() == 1);
  // And detaching "c d ." again (d becomes a root) splits them again.
  d.set_head(4, 4);
  REQUIRE(d.sents().size() == 2);
  CHECK(d.sents()[1].start() == 3);
  CHECK_THROWS_AS(d.set_head(1, 0), ValueError);   // 0's head is 1: a cycle
  CHECK_THROWS_AS(d.set_head(0, 6), IndexError);
  CHECK(d[0].head().i() == 1);                     // unchanged by the refused calls
  // A parsed Doc refuses sentence starts by hand (spaCy's E043); an unparsed one takes them.
  CHECK_THROWS_AS(d.set_sent_start(2, 1), ValueError);
  Doc plain = Doc::from_words(vocab(), {"x", "y"});
  plain.set_sent_start(1, 1);
  CHECK(plain.sents().size() == 2);
  CHECK_THROWS_AS(plain.set_sent_start(1, 2), ValueError);
  // Heads set on an unparsed Doc make a sentence of the tree's span only.
  Doc u = Doc::from_words(vocab(), {"p", "q", "r", "s"});
  u.set_head(0, 2);
  CHECK(u.data(0).sent_start == 1);
  CHECK(u.data(1).sent_start == -1);
  CHECK(u.data(2).sent_start == -1);
  CHECK(u.data(3).sent_start == 0);
}
