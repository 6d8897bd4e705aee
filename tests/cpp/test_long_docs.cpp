// Long Docs (issue 17): the inference paths work through a long Doc in chunks (doc_chunks.hpp) and
// give what the whole Doc at once gives; the model's lazily filled tables give the same results from any
// thread; nlp.max_length (Pipeline::max_length) refuses longer texts with a clear error.
#include <doctest/doctest.h>

#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "test_paths.hpp"
#include "weft/doc/doc_chunks.hpp"
#include "weft/error.hpp"
#include "weft/pipeline/model_io.hpp"
#include "weft/pipeline/pipeline.hpp"

using namespace weft;
using weft::test::Chunking;
using weft::test::dev_lines;
using weft::test::source_path;

namespace {

const Pipeline& shipped() {
  static const Pipeline nlp = load(source_path("models/en_ewt_sm"));
  return nlp;
}


std::string joined(const std::vector<std::string>& lines, bool punctuation) {
  std::string text;
  for (const std::string& l : lines) {
    if (!text.empty()) text += ' ';
    for (const char c : l)
      if (punctuation || (c != '.' && c != '!' && c != '?')) text += c;
  }
  return text;
}


constexpr InferenceChunking kWhole{std::int64_t{1} << 40, std::int64_t{1} << 40};  // nothing cut
constexpr InferenceChunking kSmall{48, 64};  // cut everything longer than 64 words, in runs of 48

Doc annotated(const std::string& text, InferenceChunking c) {
  const Chunking scope(c);
  return shipped()(text);
}

void check_same(const Doc& a, const Doc& b) {
  REQUIRE(a.size() == b.size());
  std::size_t differ = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const TokenData &x = a.data(i), &y = b.data(i);
    const bool same = x.pos == y.pos && x.tag == y.tag && x.morph == y.morph && a.str(x.lemma) == b.str(y.lemma) &&
                      x.head == y.head && x.dep == y.dep && x.sent_start == y.sent_start && x.ent_iob == y.ent_iob &&
                      x.ent_type == y.ent_type;
    if (!same && differ++ < 5) MESSAGE("token " << i << " \"" << a.token_text(i) << "\" differs");
  }
  CHECK(differ == 0);
}

}  // namespace

TEST_CASE("long docs: chunks group whole Docs as before and cut a long Doc at unit starts") {
  struct FakeDoc {
    std::size_t n;
    std::size_t size() const { return n; }
  };
  std::mt19937 rng(7);
  std::vector<FakeDoc> docs;
  for (int k = 0; k < 300; ++k) docs.push_back({rng() % 3 == 0 ? 0 : static_cast<std::size_t>(rng() % 700)});
  docs.push_back({5000});
  docs.push_back({3});
  const InferenceChunking c{512, 1000};
  // Units of 37 words.
  const auto unit_start = [](const FakeDoc&, std::size_t i) { return i % 37 == 0; };
  std::vector<std::vector<DocRun>> chunks;
  for_each_chunk(std::span<FakeDoc>(docs), c, unit_start,
                 [&](std::span<const DocRun> runs) { chunks.emplace_back(runs.begin(), runs.end()); });
  // The groups of whole Docs are for_each_doc_chunk's (empty Docs aside); the long Doc is cut.
  std::vector<std::vector<std::size_t>> groups;
  const std::span<FakeDoc> short_docs(docs.data(), 300);
  for_each_doc_chunk(short_docs, c.chunk_words, [&](std::span<FakeDoc> g, std::int64_t, std::int64_t) {
    groups.emplace_back();
    for (const FakeDoc& d : g)
      if (d.n > 0) groups.back().push_back(static_cast<std::size_t>(&d - docs.data()));
  });
  REQUIRE(chunks.size() > groups.size());
  std::int64_t row = 0;
  for (std::size_t g = 0; g < groups.size(); ++g) {
    REQUIRE(chunks[g].size() == groups[g].size());
    for (std::size_t k = 0; k < groups[g].size(); ++k) {
      CHECK(chunks[g][k].doc == groups[g][k]);
      CHECK(chunks[g][k].begin == 0);
      CHECK(chunks[g][k].end == static_cast<std::int64_t>(docs[groups[g][k]].n));
      CHECK(chunks[g][k].row == row);
      row += chunks[g][k].size();
    }
  }
  std::int64_t at = 0;
  for (std::size_t g = groups.size(); g + 1 < chunks.size(); ++g) {
    REQUIRE(chunks[g].size() == 1);
    const DocRun& r = chunks[g][0];
    CHECK(r.doc == 300);
    CHECK(r.begin == at);
    CHECK(r.row == row + at);
    CHECK(r.size() <= c.chunk_words);
    CHECK(r.begin % 37 == 0);
    at = r.end;
  }
  CHECK(at == 5000);
  CHECK(chunks.back().size() == 1);
  CHECK(chunks.back()[0].doc == 301);
}

TEST_CASE("long docs: a long Doc annotated in chunks equals the whole Doc at once") {
  // About 13,000 words of EWT dev raw text on one line: sentences for the encoder, parser and recognizer.
  const std::string text = joined(dev_lines(260), true);
  const Doc whole = annotated(text, kWhole);
  REQUIRE(whole.size() > 4096);
  check_same(whole, annotated(text, kSmall));
  check_same(whole, annotated(text, InferenceChunking{}));  // the defaults cut it in runs of 512
  CHECK(whole.has_annotation(Attr::DEP));
  CHECK(!whole.ents().empty());
}

TEST_CASE("long docs: a sentence longer than a chunk is encoded in overlapping windows, exactly") {
  // No sentence-final punctuation: the sentencizer marks nothing, so the encoder's sequence is all of
  // the 7,000 words and the parser's segment too (it then finds sentences of its own, which the
  // recognizer's runs follow).
  const std::string text = joined(dev_lines(100), false);
  const Doc whole = annotated(text, kWhole);
  REQUIRE(whole.size() > 1000);
  check_same(whole, annotated(text, kSmall));
  // The encoder's output itself, bit for bit (int8 products are exact; the windows overlap by the
  // receptive field).
  const auto encode = [&](InferenceChunking c) {
    const Chunking scope(c);
    Doc d = shipped().make_doc(text);
    shipped().get_pipe("sentencizer")(d);
    PipeContext context;
    Doc* p = &d;
    shipped().get_pipe("tok2vec").pipe(std::span<Doc>(p, 1), context);
    return context.tok2vec.at("tok2vec").data.to_vector<float>();
  };
  const std::vector<float> a = encode(kWhole), b = encode(kSmall);
  REQUIRE(a.size() == b.size());
  CHECK(a == b);
}

TEST_CASE("long docs: a run longer than a chunk gets its rows as they are reached, with the same results") {
  // Without the parser, the recognizer's run is the whole 7,000-word Doc (no sentence start in it):
  // its precomputed rows are made 64 at a time as its state reaches them (ChunkRows). With the parser,
  // the parser's one segment is (the test above).
  Pipeline nlp = load(source_path("models/en_ewt_sm"));
  nlp.disable_pipe("parser");
  const std::string text = joined(dev_lines(100), false);
  const auto run = [&](InferenceChunking c) {
    const Chunking scope(c);
    return nlp(text);
  };
  const Doc whole = run(kWhole);
  CHECK(!whole.ents().empty());
  check_same(whole, run(kSmall));
  check_same(whole, run(InferenceChunking{512, 1024}));
}

TEST_CASE("long docs: the lazily filled tables give the same annotations from two threads at once") {
  // A fresh load, so that its folded rows and word cache are filled by two threads racing, against
  // the shared model (warmed up by the other tests or by this one) on one thread.
  const Pipeline fresh = load(source_path("models/en_ewt_sm"));
  const std::vector<std::string> texts = dev_lines(200);
  PipeOptions two;
  two.n_threads = 2;
  two.batch_size = 3;
  const std::vector<Doc> a = fresh.pipe(texts, two);
  const std::vector<Doc> b = shipped().pipe(texts);
  REQUIRE(a.size() == b.size());
  for (std::size_t k = 0; k < a.size(); ++k) check_same(a[k], b[k]);
}

TEST_CASE("pipeline: max_length refuses longer texts with spaCy's kind of error, and 0 lifts it") {
  Pipeline nlp = Pipeline::blank("en");
  CHECK(nlp.max_length() == 1000000);
  nlp.set_max_length(10);
  CHECK(nlp("aaaa bbbbb").size() == 2);  // exactly 10 characters
  CHECK(nlp.make_doc("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9 \xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9").size() == 2);  // 10 characters in 19 bytes
  const std::string message = weft::test::error_message<ValueError>([&] { nlp("aaaa bbbbbb"); }, "11 characters");
  CHECK(message.find("Text of length 11 exceeds maximum of 10") != std::string::npos);
  CHECK(message.find("nlp.max_length") != std::string::npos);
  CHECK(message.find("set_max_length") != std::string::npos);
  CHECK(message.find("--max-length") != std::string::npos);
  CHECK(message.find("0 means no limit") != std::string::npos);
  CHECK_THROWS_AS(nlp.make_doc("aaaa bbbbbb"), ValueError);
  CHECK_THROWS_AS(nlp.pipe(std::vector<std::string>{"short", "aaaa bbbbbb"}), ValueError);
  CHECK(nlp.tokenizer()("aaaa bbbbbb").size() == 2);  // the tokenizer alone has no limit (as spaCy's)
  Doc given = nlp.tokenizer()("aaaa bbbbbb");
  nlp.annotate(given);  // a Doc given already made is not checked (spaCy checks texts only)
  nlp.set_max_length(0);
  CHECK(nlp(std::string(100, 'a')).size() == 1);
}
