// CoNLL-U reader and writer: the byte-identical round trip of UD English EWT, the mapping of each
// column onto the Doc, whitespace escapes, and the errors bad input must produce.
#include <doctest/doctest.h>

#include <sstream>

#include "test_paths.hpp"
#include "weft/doc/conllu.hpp"
#include "weft/doc/span.hpp"
#include "weft/doc/token.hpp"
#include "weft/error.hpp"
#include "weft/json.hpp"

using namespace weft;

namespace {

std::shared_ptr<Vocab> vocab() { return std::make_shared<Vocab>("en"); }

std::vector<Doc> read_all(const std::string& text, ConlluReadOptions opts = {},
                          std::vector<std::string>* skipped = nullptr) {
  std::istringstream in(text);
  ConlluReader reader(in, vocab(), "test.conllu", opts);
  std::vector<Doc> docs;
  while (auto d = reader.next()) docs.push_back(std::move(*d));
  if (skipped) *skipped = reader.skipped();
  return docs;
}

std::string write_all(const std::vector<Doc>& docs) {
  std::ostringstream out;
  ConlluWriter writer(out);
  for (const auto& d : docs) writer.write(d);
  return out.str();
}

// The error a reader throws on `text`, as "what()".
template <class E = FormatError>
std::string error_of(const std::string& text) {
  return weft::test::error_message<E>([&] { read_all(text); }, text);
}

std::string row(const std::string& id, const std::string& form, const std::string& head = "0",
                const std::string& deprel = "root", const std::string& misc = "_") {
  return id + "\t" + form + "\t" + form + "\tX\t_\t_\t" + head + "\t" + deprel + "\t_\t" + misc + "\n";
}

}  // namespace

TEST_CASE("formats: conllu dev round trip is byte-identical") {
  const std::string path = test::data_path("en_ewt/dev.conllu");
  const std::string original = read_file(path);
  for (const auto group : {ConlluReadOptions::Group::Document, ConlluReadOptions::Group::Sentence}) {
    ConlluReadOptions opts;
    opts.group = group;
    const auto docs = read_conllu_file(path, vocab(), opts);
    CHECK(docs.size() == (group == ConlluReadOptions::Group::Document ? 318u : 2001u));
    const std::string written = write_all(docs);
    CHECK(written.size() == original.size());
    CHECK(written == original);
  }
}

TEST_CASE("formats: conllu text of every dev sentence equals its # text comment") {
  std::size_t sentences = 0;
  for (const Doc& doc : read_conllu_file(test::data_path("en_ewt/dev.conllu"), vocab())) {
    for (const Span& sent : doc.sents()) {
      ++sentences;
      std::string_view comment;
      for (const auto& line : doc.extras().comments.at(static_cast<std::uint32_t>(sent.start())))
        if (line.rfind("# text = ", 0) == 0) comment = std::string_view(line).substr(9);
      REQUIRE(sent.text() == comment);
    }
  }
  CHECK(sentences == 2001);
}

TEST_CASE("formats: conllu byte order marks and CRLF line ends are accepted") {
  std::string word = row("1", "Hi");
  word.insert(word.size() - 1, "\r");
  const auto docs = read_all("\xEF\xBB\xBF# sent_id = 1\r\n" + word + "\r\n");
  REQUIRE(docs.size() == 1);
  CHECK(docs[0].text() == "Hi");
  CHECK(docs[0].extras().comments.at(0).front() == "# sent_id = 1");
}

TEST_CASE("formats: conllu train round trip is byte-identical" * doctest::skip()) {
  // 15 MB: run by hand with --no-skip.
  const std::string path = test::data_path("en_ewt/train.conllu");
  CHECK(write_all(read_conllu_file(path, vocab())) == read_file(path));
}

TEST_CASE("formats: conllu columns map onto the Doc") {
  const auto docs = read_conllu_file(test::data_path("en_ewt/sample.conllu"), vocab());
  REQUIRE(!docs.empty());
  const Doc& doc = docs[0];
  // Sentence 2 opens a paragraph (# newpar), sentence 3 does not; "area" has SpaceAfter=No.
  CHECK(doc.text().rfind("From the AP comes this story :\nPresident Bush on Tuesday", 0) == 0);
  CHECK(doc.text().find("in the Washington area. Bush nominated Jennifer") != std::string::npos);
  const Token ap = doc[2];
  CHECK(ap.text() == "AP");
  CHECK(ap.lemma_() == "AP");
  CHECK(ap.pos() == UPOS::PROPN);
  CHECK(ap.tag_() == "NNP");
  CHECK(ap.morph_() == "Number=Sing");
  CHECK(ap.dep_() == "obl");
  CHECK(ap.data().head == 1);  // word 3 -> word 4
  CHECK(ap.ent_iob_() == "B");
  CHECK(ap.ent_type_() == "ORG");
  const Token comes = doc[3];
  CHECK(comes.data().head == 0);
  CHECK(comes.dep_() == "root");
  CHECK(doc[1].ent_iob_() == "O");
  CHECK(doc.data(0).sent_start == 1);
  CHECK(doc.data(1).sent_start == -1);
  CHECK(doc.data(7).sent_start == 1);  // "President"
  CHECK(doc.extras().deps.at(2) == "4:obl:from");
  REQUIRE(doc.extras().comments.count(0));
  CHECK(doc.extras().comments.at(0).front().rfind("# newdoc id = weblog", 0) == 0);
  CHECK(doc.sents().size() >= 2);
}

TEST_CASE("formats: conllu multi-word tokens are slices of the text") {
  const std::string text =
      "# text = I didn't go.\n"
      "1\tI\tI\tPRON\t_\t_\t3\tnsubj\t_\t_\n"
      "2-3\tdidn't\t_\t_\t_\t_\t_\t_\t_\t_\n"
      "2\tdid\tdo\tAUX\t_\t_\t4\taux\t_\t_\n"
      "3\tn't\tnot\tPART\t_\t_\t4\tadvmod\t_\t_\n"
      "4\tgo\tgo\tVERB\t_\t_\t0\troot\t_\tSpaceAfter=No\n"
      "4.1\tgo\tgo\tVERB\t_\t_\t_\t_\t4:conj\t_\n"
      "5\t.\t.\tPUNCT\t_\t_\t4\tpunct\t_\t_\n\n"
      "# s2\n"
      "1-2\tcan't\t_\t_\t_\t_\t_\t_\t_\tTypo=Yes\n"
      "1\tca\tcan\tAUX\t_\t_\t0\troot\t_\t_\n"
      "2\tn't\tnot\tPART\t_\t_\t1\tadvmod\t_\t_\n\n";
  const auto docs = read_all(text);
  REQUIRE(docs.size() == 1);
  const Doc& doc = docs[0];
  CHECK(doc.text() == "I didn't go. can't");
  REQUIRE(doc.size() == 7);
  CHECK(doc.extras().mwt_fields.at(5) == "_\t_\t_\t_\t_\t_\t_\tTypo=Yes");
  CHECK(doc[1].text() == "did");
  CHECK(doc[2].text() == "n't");
  CHECK(doc[1].mwt_next());
  CHECK_FALSE(doc[2].mwt_next());
  CHECK(doc.whitespace(2) == " ");
  CHECK(doc.extras().empty_nodes.at(0).size() == 1);
  CHECK(to_conllu(doc) == text);
}

TEST_CASE("formats: conllu multi-word token that is not a concatenation is rejected") {
  const std::string text = "1-2\tdu\t_\t_\t_\t_\t_\t_\t_\t_\n" + row("1", "de", "2", "case") + row("2", "le") + "\n";
  const std::string msg = error_of(text);
  CHECK(msg.find("test.conllu:line 1") != std::string::npos);
  CHECK(msg.find("multi-word token 'du' is not the concatenation of its words 'de le'; not supported") !=
        std::string::npos);
}

TEST_CASE("formats: conllu SpacesAfter escapes put exactly that whitespace in the text") {
  const std::string text = "# sent_id = 1\n" + row("1", "a", "0", "root", "SpacesAfter=\\u00A0") +
                           row("2", "b", "1", "dep", "SpacesAfter=\\n\\s") +
                           row("3", "c", "1", "dep", "SpacesAfter=\\t") + "\n" + "# sent_id = 2\n" +
                           row("1", "d", "0", "root", "SpacesBefore=\\s|SpacesAfter=\\\\") + "\n";
  const auto docs = read_all(text);
  REQUIRE(docs.size() == 1);
  CHECK(docs[0].text() == "a\u00A0b\n c\td\\");
  CHECK(write_all(docs) == text);
  ConlluReadOptions by_sentence;
  by_sentence.group = ConlluReadOptions::Group::Sentence;
  const auto sents = read_all(text, by_sentence);
  REQUIRE(sents.size() == 2);
  CHECK(sents[1].text() == " d\\");  // SpacesBefore on a Doc's first word
  CHECK(write_all(sents) == text);
  CHECK(error_of("1\ta\ta\tX\t_\t_\t0\troot\t_\tSpacesAfter=\\q\n\n").find("invalid escape") != std::string::npos);
}

TEST_CASE("formats: conllu writer rebuilds MISC when the Doc changed") {
  const std::string text = "# sent_id = x\n" + row("1", "Hello", "0", "root", "Foo=1|NER=O") +
                           row("2", "world", "1", "dep", "SpaceAfter=No|NER=B-LOC") +
                           row("3", "!", "1", "punct", "NER=O") + "\n";
  auto docs = read_all(text);
  REQUIRE(docs.size() == 1);
  Doc& doc = docs[0];
  CHECK(doc.text() == "Hello world!");
  CHECK(to_conllu(doc) == text);
  doc.data(0).ent_iob = EntIob::B;
  doc.data(0).ent_type = doc.intern("PER");
  doc.data(1).ent_iob = EntIob::O;
  doc.data(1).ent_type = 0;
  const std::string out = to_conllu(doc);
  CHECK(out.find("\tFoo=1|NER=B-PER\n") != std::string::npos);
  CHECK(out.find("\tSpaceAfter=No|NER=O\n") != std::string::npos);
  for (auto& t : doc.tokens()) t.ent_iob = EntIob::MISSING;  // no entity annotation: no NER items
  const std::string plain = to_conllu(doc);
  CHECK(plain.find("NER=") == std::string::npos);
  CHECK(plain.find("\tFoo=1\n") != std::string::npos);
}

TEST_CASE("formats: conllu writer generates comments and keeps the text of tokenized Docs") {
  auto doc = Doc::from_words(vocab(), {"Hello", "world", ".", "Bye", "!"}, {true, false, true, false, false});
  doc.data(3).sent_start = 1;
  doc.data(0).sent_start = 1;
  std::ostringstream out;
  ConlluWriter writer(out, /*mark_docs=*/true);
  writer.write(doc);
  writer.write(doc);
  const std::string s = out.str();
  CHECK(s.rfind("# newdoc\n# sent_id = 1\n# text = Hello world.\n1\tHello\t_\t_\t_\t_\t_\t_\t_\t_\n", 0) == 0);
  CHECK(s.find("# sent_id = 2\n# text = Bye!\n") != std::string::npos);
  CHECK(s.find("# newdoc\n# sent_id = 3\n") != std::string::npos);
  const auto back = read_all(s);
  REQUIRE(back.size() == 2);
  CHECK(back[0].text() == doc.text());
  CHECK(back[0].size() == doc.size());
  // Leading and trailing whitespace and paragraph breaks survive too.
  Doc spaced(vocab(), "  Hi there.\n\nNew  para \n");
  for (auto [b, l] : std::vector<std::pair<int, int>>{{2, 2}, {5, 5}, {10, 1}, {13, 3}, {18, 4}})
    spaced.push_token(b, l);
  spaced.data(3).sent_start = 1;
  const auto again = read_all(to_conllu(spaced));
  REQUIRE(again.size() == 1);
  CHECK(again[0].text() == spaced.text());
}

TEST_CASE("formats: conllu empty Docs write nothing") {
  CHECK(to_conllu(Doc(vocab(), "")) == "");
  CHECK(to_conllu(Doc(vocab(), " \n\t ")) == "");
  CHECK(read_all("").empty());
  CHECK(read_all("\n\n").empty());
}

TEST_CASE("formats: conllu a last sentence without its blank line is read") {
  const std::string text = "# sent_id = 1\n" + row("1", "Hi");
  const auto docs = read_all(text);
  REQUIRE(docs.size() == 1);
  CHECK(docs[0].text() == "Hi");
  CHECK(to_conllu(docs[0]) == text + "\n");
  // A line cut in the middle is reported.
  CHECK(error_of(text + "2\tthere\tthere").find("test.conllu:line 3: expected 10 tab-separated columns, found 3") !=
        std::string::npos);
}

TEST_CASE("formats: conllu bad input names the line") {
  const std::string ok = row("1", "a");
  CHECK(error_of(ok + "\n" + "1\ta\n\n").find("line 3: expected 10 tab-separated columns, found 2") !=
        std::string::npos);
  CHECK(error_of("x\ta\ta\tX\t_\t_\t0\troot\t_\t_\n\n").find("line 1: invalid word id 'x'") != std::string::npos);
  CHECK(error_of(ok + row("3", "b", "1", "dep") + "\n").find("line 2: word id 3 is out of order (expected 2)") !=
        std::string::npos);
  CHECK(error_of(ok + row("2", "b", "7", "dep") + "\n").find("line 2: HEAD 7 of word 2 is out of range") !=
        std::string::npos);
  CHECK(error_of(ok + row("2", "b", "x", "dep") + "\n").find("line 2: invalid HEAD 'x'") != std::string::npos);
  CHECK(error_of(ok + row("2", "b", "-1", "dep") + "\n").find("line 2: invalid HEAD '-1'") != std::string::npos);
  CHECK(error_of(ok + row("2", "b", "2", "dep") + "\n").find("line 2: word 2 is its own head") != std::string::npos);
  CHECK(error_of("1\ta\ta\tFOO\t_\t_\t0\troot\t_\t_\n\n").find("unknown UPOS tag 'FOO'") != std::string::npos);
  CHECK(error_of("1\ta\t\tX\t_\t_\t0\troot\t_\t_\n\n").find("column LEMMA is empty") != std::string::npos);
  CHECK(error_of(ok + "3-4\tab\t_\t_\t_\t_\t_\t_\t_\t_\n\n").find("must start at the next word id 2") !=
        std::string::npos);
  CHECK(error_of("1-2\tab\t_\t_\t_\t_\t_\t_\t_\t_\n" + ok + "\n").find("ends after the last word 1") !=
        std::string::npos);
  CHECK(error_of(ok + "5.1\tx\t_\t_\t_\t_\t_\t_\t_\t_\n\n").find("empty node '5.1' must follow word 5") !=
        std::string::npos);
  CHECK(error_of(ok + "# late\n\n").find("line 2: comment line after the words") != std::string::npos);
  CHECK(error_of(row("1", "a", "0", "root", "NER=X-PER") + "\n").find("invalid NER tag 'X-PER'") != std::string::npos);
  CHECK(error_of("# only a comment\n\n").find("line 1: sentence has no words") != std::string::npos);
  const std::string bad_utf8 = ok + "\n" + "1\ta\xC3\x28\ta\tX\t_\t_\t0\troot\t_\t_\n\n";
  CHECK(error_of<EncodingError>(bad_utf8).find("test.conllu:line 3, column 4: invalid UTF-8 at byte 4") !=
        std::string::npos);
}

TEST_CASE("formats: conllu skip_bad drops the bad sentence and goes on") {
  const std::string text = "# newdoc\n" + row("1", "one") + "\n" + row("1", "two", "5") + "\n" + row("1", "three") +
                           "\n" + "1\ttoo\tfew\n\n" + row("1", "four") + "\n";
  CHECK(error_of(text).find("line 4: HEAD 5") != std::string::npos);
  ConlluReadOptions opts;
  opts.skip_bad = true;
  std::vector<std::string> skipped;
  auto docs = read_all(text, opts, &skipped);
  REQUIRE(docs.size() == 1);
  CHECK(docs[0].text() == "one three four");
  REQUIRE(skipped.size() == 2);
  CHECK(skipped[0].find("test.conllu:line 4: HEAD 5 of word 1 is out of range") == 0);
  CHECK(skipped[1].find("test.conllu:line 8: expected 10") == 0);
  opts.group = ConlluReadOptions::Group::Sentence;
  docs = read_all(text, opts, &skipped);
  REQUIRE(docs.size() == 3);
  CHECK(docs[2].text() == "four");
}

TEST_CASE("formats: conllu mutated input reads or fails cleanly, and what reads writes back stably") {
  // A sample sentence with a multi-word token, with one byte replaced at every position.
  const std::string sample = read_file(test::data_path("en_ewt/sample.conllu"));
  const std::size_t mwt = sample.find("\n1-2\t");
  REQUIRE(mwt != std::string::npos);
  const std::size_t start = sample.rfind("\n\n", mwt) + 2;
  const std::string base = sample.substr(start, sample.find("\n\n", mwt) + 2 - start);
  std::size_t read_ok = 0, failed = 0;
  for (std::size_t at = 0; at < base.size(); ++at) {
    for (const char c : {'\t', '\n', '-', '.', '0', '9', '\xFF', '|', '\\'}) {
      std::string text = base;
      text[at] = c;
      try {
        const std::string once = write_all(read_all(text));
        REQUIRE(write_all(read_all(once)) == once);
        ++read_ok;
      } catch (const Error&) {
        ++failed;
      }
    }
  }
  CHECK(read_ok > 0);
  CHECK(failed > 0);
}
