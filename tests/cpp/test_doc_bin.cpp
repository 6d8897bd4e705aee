// DocBin: a lossless round trip of annotated EWT (checked through the CoNLL-U writer) into a fresh
// Vocab, files on disk, and corrupt input of every kind failing with a FormatError, never a crash.
#include <doctest/doctest.h>
#include <unistd.h>
#include <xxhash.h>

#include <filesystem>

#include "test_paths.hpp"
#include "weft/doc/conllu.hpp"
#include "weft/doc/doc_bin.hpp"
#include "weft/error.hpp"
#include "weft/json.hpp"

using namespace weft;

namespace {

std::shared_ptr<Vocab> vocab() { return std::make_shared<Vocab>("en"); }

std::string error_of(const std::string& bytes) {
  try {
    DocBin::from_bytes(bytes, "corpus.weft").get_docs(vocab());
  } catch (const FormatError& e) {
    return e.what();
  }
  FAIL("no error");
  return {};
}

void put_u64(std::string& s, std::size_t at, std::uint64_t v) {
  for (int k = 0; k < 8; ++k) s[at + k] = static_cast<char>((v >> (8 * k)) & 0xFF);
}

// Re-seals bytes after an edit, so that the checks behind the checksum are reached.
void reseal(std::string& s) { put_u64(s, s.size() - 8, XXH3_64bits(s.data(), s.size() - 8)); }

std::string small_bin() {
  DocBin bin;
  Doc doc = Doc::from_words(vocab(), {"Hello", "there", "!"}, {true, false, false});
  doc.data(0).lemma = doc.intern("hello");
  doc.data(1).head = -1;
  doc.data(1).dep = doc.intern("dep");
  bin.add(doc);
  bin.add(Doc(vocab(), ""));
  return bin.to_bytes();
}

}  // namespace

TEST_CASE("formats: docbin round-trips dev into a fresh vocab") {
  const std::string path = test::data_path("en_ewt/dev.conllu");
  const auto docs = read_conllu_file(path, vocab());
  DocBin bin;
  for (const Doc& d : docs) bin.add(d);
  CHECK(bin.size() == docs.size());
  const std::string bytes = bin.to_bytes();
  const DocBin back = DocBin::from_bytes(bytes);
  const auto decoded = back.get_docs(vocab());
  REQUIRE(decoded.size() == docs.size());
  std::string written;
  for (const Doc& d : decoded) written += to_conllu(d);
  CHECK(written == read_file(path));
  for (std::size_t k = 0; k < docs.size(); ++k) {
    REQUIRE(decoded[k].size() == docs[k].size());
    for (std::size_t i = 0; i < docs[k].size(); ++i) {
      const TokenData &a = docs[k].data(i), &b = decoded[k].data(i);
      REQUIRE((a.idx == b.idx && a.len == b.len && a.orth == b.orth && a.norm == b.norm && a.lemma == b.lemma &&
               a.tag == b.tag && a.morph == b.morph && a.dep == b.dep && a.ent_type == b.ent_type && a.head == b.head &&
               a.pos == b.pos && a.ent_iob == b.ent_iob && a.sent_start == b.sent_start && a.flags == b.flags &&
               docs[k].ent_kb_id(i) == decoded[k].ent_kb_id(i) && docs[k].ent_id(i) == decoded[k].ent_id(i)));
    }
  }
  CHECK(DocBin::from_bytes(back.to_bytes()).to_bytes() == bytes);  // stable
}

TEST_CASE("formats: docbin keeps norms, extras and strings known only to the vocab") {
  auto shared = vocab();
  shared->strings().add("VOCABTAG");
  Doc doc(shared, "Gonna go ");
  doc.push_token(0, 3);
  doc.push_token(3, 2);
  doc.push_token(6, 2);
  doc.data(0).norm = doc.intern("going");
  doc.data(1).norm = doc.intern("to");
  doc.data(0).tag = hash_string("VOCABTAG");
  doc.data(0).flags = TOKEN_MWT_NEXT;
  doc.data(2).ent_iob = EntIob::B;
  doc.data(2).ent_type = doc.intern("ACT");
  doc.extras().meta_json = R"({"id":3})";
  doc.extras().comments[0] = {"# sent_id = a"};
  doc.extras().misc[1] = "Foo=Bar";
  doc.extras().deps[2] = "0:root";
  doc.extras().mwt_fields[0] = "_\t_\t_\t_\t_\t_\t_\tX=1";
  doc.extras().empty_nodes[0] = {"1.1\tx\t_\t_\t_\t_\t_\t_\t_\t_"};
  DocBin bin;
  bin.add(doc);
  const Doc back = DocBin::from_bytes(bin.to_bytes()).get_docs(vocab())[0];
  CHECK(back.text() == doc.text());
  CHECK(back.str(back.data(0).norm) == "going");
  CHECK(back.str(back.data(0).tag) == "VOCABTAG");
  CHECK(back.str(back.data(2).ent_type) == "ACT");
  CHECK(back.extras().meta_json == doc.extras().meta_json);
  CHECK(back.extras().comments == doc.extras().comments);
  CHECK(back.extras().misc == doc.extras().misc);
  CHECK(back.extras().deps == doc.extras().deps);
  CHECK(back.extras().mwt_fields == doc.extras().mwt_fields);
  CHECK(back.extras().empty_nodes == doc.extras().empty_nodes);
  CHECK(to_conllu(back) == to_conllu(doc));
}

TEST_CASE("formats: docbin empty and whitespace-only Docs round-trip") {
  DocBin bin;
  bin.add(Doc(vocab(), ""));
  bin.add(Doc(vocab(), " \n\t "));
  const auto docs = DocBin::from_bytes(bin.to_bytes()).get_docs(vocab());
  REQUIRE(docs.size() == 2);
  CHECK(docs[0].text().empty());
  CHECK(docs[1].text() == " \n\t ");
  CHECK(docs[1].empty());
  CHECK(DocBin::from_bytes(DocBin().to_bytes()).size() == 0);
}

TEST_CASE("formats: docbin to_disk and from_disk") {
  const auto dir = std::filesystem::temp_directory_path() / ("weft_docbin_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "sample.weft").string();
  const auto docs = read_conllu_file(test::data_path("en_ewt/sample.conllu"), vocab());
  DocBin bin;
  for (const Doc& d : docs) bin.add(d);
  bin.to_disk(path);
  const auto back = DocBin::from_disk(path).get_docs(vocab());
  REQUIRE(back.size() == docs.size());
  std::string a, b;
  for (const Doc& d : docs) a += to_conllu(d);
  for (const Doc& d : back) b += to_conllu(d);
  CHECK(a == b);
  CHECK_THROWS_AS(DocBin::from_disk((dir / "missing.weft").string()), IOError);
  std::filesystem::remove_all(dir);
}

TEST_CASE("formats: docbin corrupt input is a FormatError naming the source") {
  const std::string good = small_bin();
  REQUIRE(DocBin::from_bytes(good).get_docs(vocab()).size() == 2);

  // Every truncation and every flipped byte is caught.
  for (std::size_t n = 0; n < good.size(); ++n) {
    const std::string msg = error_of(good.substr(0, n));
    REQUIRE(msg.rfind("corpus.weft: ", 0) == 0);
  }
  for (std::size_t at = 0; at < good.size(); ++at) {
    std::string bad = good;
    bad[at] = static_cast<char>(bad[at] ^ 0x10);
    REQUIRE(error_of(bad).rfind("corpus.weft: ", 0) == 0);
  }
  CHECK(error_of(good.substr(0, 10)) == "corpus.weft: truncated: 10 bytes, a DocBin has at least 32");
  CHECK(error_of(good.substr(0, good.size() - 1)).find("(truncated?)") != std::string::npos);
  std::string flipped = good;
  flipped[40] = static_cast<char>(flipped[40] ^ 1);
  CHECK(error_of(flipped) == "corpus.weft: checksum mismatch: the data is corrupt");
  std::string magic = good;
  magic[0] = 'X';
  CHECK(error_of(magic) == "corpus.weft: not a DocBin (wrong magic bytes)");
  std::string version = good;
  version[8] = 9;
  CHECK(error_of(version) == "corpus.weft: unsupported DocBin version 9 (this build reads versions 1 and 2)");

  // Huge claimed lengths are refused before anything is allocated.
  std::string count = good;
  put_u64(count, 16, UINT64_MAX / 2);
  CHECK(error_of(count).find("claims 9223372036854775807 documents but only") != std::string::npos);
  std::string length = good;
  put_u64(length, 24, 1ull << 60);
  CHECK(error_of(length).find("document 0 claims 1152921504606846976 bytes but only") != std::string::npos);
  std::string text_len = good;  // the first record's text length, behind a valid checksum
  text_len[32] = text_len[33] = text_len[34] = text_len[35] = '\xFF';
  reseal(text_len);
  CHECK(error_of(text_len).rfind("corpus.weft: document 0: a string claims 4294967295 bytes but only ", 0) == 0);
}

TEST_CASE("formats: docbin checks record contents behind a valid checksum") {
  const std::string good = small_bin();
  // Header (24) and record length (8), then the text (u32 + 12 bytes) and the token count (u32).
  const std::size_t text_at = 36, tok0 = text_at + std::string("Hello there!").size() + 4;
  auto with = [&](std::size_t at, char v) {
    std::string s = good;
    s[at] = v;
    reseal(s);
    return error_of(s);
  };
  CHECK(with(tok0 + 4, '\x7F') ==  // token 0's len
        "corpus.weft: document 0: token 0: byte range [0, 127) is empty, outside the text or overlaps the previous "
        "token");
  CHECK(with(tok0 + 68, '\x60') == "corpus.weft: document 0: token 0: invalid POS code 96");
  CHECK(with(tok0 + 69, '\x09') == "corpus.weft: document 0: token 0: invalid entity IOB code 9");
  CHECK(with(tok0 + 64, '\x10') == "corpus.weft: document 0: token 0: head offset 16 is out of range");
  CHECK(with(tok0 + 16, '\x01').find("corpus.weft: document 0: token 0: no string for hash") == 0);
  CHECK(with(text_at + 4, '\xC3').find("document 0: a string is not valid UTF-8") != std::string::npos);
}
