// Registry, languages and the Pipeline: blank("en"), components, streaming pipe in order with threads.
#include <doctest/doctest.h>

#include <atomic>
#include <mutex>
#include <set>
#include <thread>

#include "weft/error.hpp"
#include "weft/pipeline/language.hpp"
#include "weft/pipeline/pipe_workers.hpp"
#include "weft/pipeline/pipeline.hpp"
#include "weft/pipeline/registry.hpp"

using namespace weft;

TEST_CASE("pipeline: registry lists the built-in tokenizers, languages and components") {
  Registry& r = Registry::global();
  CHECK(r.has("tokenizers", "weft.Tokenizer.v1"));
  CHECK(r.has("tokenizers", "weft.WhitespaceTokenizer.v1"));
  CHECK(r.has("languages", "en"));
  CHECK(r.has("components", "sentencizer"));
  auto cats = r.categories();
  CHECK(std::find(cats.begin(), cats.end(), "tokenizers") != cats.end());
  CHECK_THROWS_AS(r.entry("tokenizers", "nope.v1"), KeyError);
  CHECK_THROWS_AS(r.entry("no-such-category", "x"), KeyError);
  try {
    r.entry("tokenizers", "nope.v1");
  } catch (const KeyError& e) {
    CHECK(std::string(e.what()).find("weft.Tokenizer.v1") != std::string::npos);  // lists what exists
  }
}

TEST_CASE("pipeline: registry rejects duplicates and type mismatches") {
  Registry r;
  r.add("things", "a.v1", std::function<int()>([] { return 1; }), "one");
  CHECK_THROWS_AS(r.add("things", "a.v1", std::function<int()>([] { return 2; })), ValueError);
  CHECK(r.get<std::function<int()>>("things", "a.v1")() == 1);
  CHECK_THROWS_AS(r.get<std::function<double()>>("things", "a.v1"), ValueError);
  r.add("things", "a.v1", std::function<int()>([] { return 3; }), "", "", true);
  CHECK(r.get<std::function<int()>>("things", "a.v1")() == 3);
}

namespace {
// A user component registered with the macro, as an application would.
class CountingComponent : public Component {
 public:
  using Component::Component;
  std::string factory_name() const override { return "test.Counting.v1"; }
  Json config() const override { return Json::object(); }
  void operator()(Doc& doc) const override {
    ++calls;
    if (doc.size()) doc.data(0).tag = doc.intern("SEEN");
  }
  static inline std::atomic<int> calls{0};
};
}  // namespace

WEFT_REGISTER(components, "test.Counting.v1",
              ComponentFactory([](const std::string& name, const Json&, std::shared_ptr<Vocab>) {
                return std::make_unique<CountingComponent>(name);
              }),
              "counts calls (test)");

TEST_CASE("pipeline: blank en tokenizes, components run in order and can be disabled") {
  Pipeline nlp = Pipeline::blank("en");
  CHECK(nlp.lang() == "en");
  Doc d = nlp("Hello world!");
  CHECK(d.size() == 3);
  nlp.add_pipe("test.Counting.v1", "counter");
  nlp.add_pipe("sentencizer", "", Json::object(), "counter");
  CHECK(nlp.component_names() == std::vector<std::string>{"sentencizer", "counter"});
  CHECK_THROWS_AS(nlp.add_pipe("test.Counting.v1", "counter"), ValueError);
  CHECK_THROWS_AS(nlp.add_pipe("no.such.factory"), KeyError);
  const int before = CountingComponent::calls;
  Doc d2 = nlp("One. Two.");
  CHECK(CountingComponent::calls == before + 1);
  CHECK(d2.str(d2.data(0).tag) == "SEEN");
  CHECK(d2.sents().size() == 2);
  nlp.disable_pipe("counter");
  CHECK(nlp.pipe_names() == std::vector<std::string>{"sentencizer"});
  CHECK(nlp.disabled() == std::vector<std::string>{"counter"});
  nlp("x");
  CHECK(CountingComponent::calls == before + 1);
  nlp.enable_pipe("counter");
  nlp.remove_pipe("counter");
  CHECK_THROWS_AS(nlp.get_pipe("counter"), KeyError);
}

TEST_CASE("pipeline: pipe streams in input order with several threads") {
  Pipeline nlp = Pipeline::blank("en");
  std::vector<std::string> texts;
  for (int i = 0; i < 1000; ++i) texts.push_back("Doc number " + std::to_string(i) + " here.");
  for (int threads : {1, 2, 4}) {
    auto docs = nlp.pipe(texts, PipeOptions{7, threads});
    REQUIRE(docs.size() == texts.size());
    for (std::size_t i = 0; i < docs.size(); ++i) CHECK(docs[i].text() == texts[i]);
  }
}

TEST_CASE("pipeline: an error in one document propagates from pipe") {
  Pipeline nlp = Pipeline::blank("en");
  std::vector<std::string> texts{"fine", std::string("bad \xc3"), "fine"};
  CHECK_THROWS_AS(nlp.pipe(texts, PipeOptions{1, 2}), EncodingError);
}

TEST_CASE("pipeline: unknown language names the known ones") {
  CHECK_THROWS_AS(Pipeline::blank("xx"), KeyError);
}

TEST_CASE("pipeline: streaming unseen words does not grow the shared vocabulary") {
  Pipeline nlp = Pipeline::blank("en");
  nlp.add_pipe("sentencizer");
  const std::size_t strings_before = nlp.vocab()->strings().size();
  const std::size_t lexemes_before = nlp.vocab()->size();
  std::size_t next = 0, tokens = 0;
  // 200k distinct words never seen before, with lexical attributes read as a component would.
  nlp.pipe(
      [&]() -> std::optional<PipeInput> {
        if (next == 20000) return std::nullopt;
        std::string text;
        for (std::size_t k = 0; k < 10; ++k) {
          std::size_t n = next * 10 + k;  // a distinct all-letter word per n
          std::string w = "Q";
          do { w += static_cast<char>('a' + n % 26); n /= 26; } while (n);
          text += w + " ";
        }
        ++next;
        return PipeInput{std::move(text), std::nullopt, {}};
      },
      [&](Doc& d) {
        tokens += d.size();
        auto lower = d.to_array({Attr::LOWER, Attr::SHAPE, Attr::NORM});
        CHECK(d.str(d.data(0).orth) == d.token_text(0));
        (void)lower;
      },
      PipeOptions{64, 2});
  CHECK(tokens == 200000);
  CHECK(nlp.vocab()->strings().size() == strings_before);
  CHECK(nlp.vocab()->size() == lexemes_before);
}

namespace {
// Records which threads annotated Docs, to tell kept workers from new ones.
class ThreadRecorder : public Component {
 public:
  using Component::Component;
  std::string factory_name() const override { return "test.ThreadRecorder.v1"; }
  Json config() const override { return Json::object(); }
  void operator()(Doc& doc) const override {
    std::lock_guard lock(mutex);
    seen.insert(std::this_thread::get_id());
    if (doc.text() == "boom") throw ValueError("boom");
  }
  static inline std::mutex mutex;
  static inline std::set<std::thread::id> seen;
};
}  // namespace

WEFT_REGISTER(components, "test.ThreadRecorder.v1",
              ComponentFactory([](const std::string& name, const Json&, std::shared_ptr<Vocab>) {
                return std::make_unique<ThreadRecorder>(name);
              }),
              "records the threads that annotate (test)");

TEST_CASE("pipeline: PipeWorkers keep their threads across streams and return batches in order") {
  Pipeline nlp = Pipeline::blank("en");
  nlp.add_pipe("test.ThreadRecorder.v1", "recorder");
  ThreadRecorder::seen.clear();
  PipeWorkers workers(nlp, 2);
  CHECK(workers.threads() == 2);
  for (int call = 0; call < 3; ++call) {
    PipeWorkers::Stream stream(workers);
    for (int b = 0; b < 20; ++b) {
      std::vector<PipeInput> batch;
      for (int i = 0; i < 5; ++i) batch.push_back(PipeInput{"doc " + std::to_string(b * 5 + i), std::nullopt, {}});
      stream.submit(std::move(batch));
    }
    CHECK(stream.in_flight() == 20);
    for (int b = 0; b < 20; ++b) {
      const std::vector<Doc> docs = stream.next();
      REQUIRE(docs.size() == 5);
      for (int i = 0; i < 5; ++i) CHECK(docs[static_cast<std::size_t>(i)].text() == "doc " + std::to_string(b * 5 + i));
    }
    CHECK(stream.in_flight() == 0);
    CHECK_FALSE(stream.try_next().has_value());
    CHECK_THROWS_AS(stream.next(), ValueError);
  }
  // Three calls, the same two threads (none of them this one).
  CHECK(ThreadRecorder::seen.size() <= 2);
  CHECK(ThreadRecorder::seen.count(std::this_thread::get_id()) == 0);
}

TEST_CASE("pipeline: a failed batch rethrows in its turn; a stream closed early leaves the workers usable") {
  Pipeline nlp = Pipeline::blank("en");
  nlp.add_pipe("test.ThreadRecorder.v1", "recorder");
  PipeWorkers workers(nlp, 2);
  {
    PipeWorkers::Stream stream(workers);
    stream.submit({PipeInput{"fine", std::nullopt, {}}});
    stream.submit({PipeInput{"boom", std::nullopt, {}}});
    stream.submit({PipeInput{"after", std::nullopt, {}}});
    CHECK(stream.next().front().text() == "fine");
    CHECK_THROWS_WITH_AS(stream.next(), "boom", ValueError);
    CHECK(stream.next().front().text() == "after");
  }
  {
    PipeWorkers::Stream abandoned(workers);
    for (int b = 0; b < 50; ++b) abandoned.submit({PipeInput{"left " + std::to_string(b), std::nullopt, {}}});
  }  // dropped with batches queued and running
  PipeWorkers::Stream stream(workers);
  stream.submit({PipeInput{"again", std::nullopt, {}}});
  CHECK(stream.next().front().text() == "again");
  // Pipeline::pipe hands on the Docs before a failed batch, then throws.
  std::vector<std::string> seen;
  std::size_t next = 0;
  const std::vector<std::string> texts{"a", "b", "boom", "c"};
  CHECK_THROWS_AS(nlp.pipe([&]() -> std::optional<PipeInput> {
    if (next == texts.size()) return std::nullopt;
    return PipeInput{texts[next++], std::nullopt, {}};
  }, [&](Doc& d) { seen.push_back(d.text()); }, PipeOptions{1, 2}),
                  ValueError);
  CHECK(seen == std::vector<std::string>{"a", "b"});
}

TEST_CASE("pipeline: components say what they assign; segmenters are told by token.is_sent_start") {
  Pipeline nlp = Pipeline::blank("en");
  const Component& s = nlp.add_pipe("sentencizer");
  CHECK(s.assigns() == std::vector<std::string>{"token.is_sent_start"});
  CHECK(Pipeline::is_segmenter(s));
  CHECK(Pipeline::is_sentence_only(s));
  const Component& counter = nlp.add_pipe("test.Counting.v1", "counter");
  CHECK(counter.assigns().empty());
  CHECK_FALSE(Pipeline::is_segmenter(counter));
  CHECK_FALSE(Pipeline::is_sentence_only(counter));
  Component& parser = nlp.add_pipe("parser", "parser");
  CHECK(Pipeline::is_segmenter(parser));
  CHECK_FALSE(Pipeline::is_sentence_only(parser));
  CHECK(parser.as_trainable() != nullptr);
  CHECK(parser.as_encoder() == nullptr);
  Component& tok2vec = nlp.add_pipe("tok2vec", "tok2vec");
  CHECK(tok2vec.as_encoder() != nullptr);
  CHECK(tok2vec.as_trainable() == nullptr);
  CHECK(nlp.add_pipe("tagger", "tagger").assigns() == std::vector<std::string>{"token.pos", "token.tag"});
  CHECK(nlp.add_pipe("morphologizer", "morphologizer").assigns() == std::vector<std::string>{"token.morph"});
  CHECK(nlp.add_pipe("lemmatizer", "lemmatizer").assigns() == std::vector<std::string>{"token.lemma"});
  CHECK(nlp.add_pipe("ner", "ner").assigns() == std::vector<std::string>{"doc.ents", "token.ent_iob", "token.ent_type"});
}

TEST_CASE("pipeline: every config reader reports an unknown key as ConfigError naming it") {
  for (const char* factory : {"sentencizer", "tok2vec", "tagger", "morphologizer", "lemmatizer", "parser", "ner",
                              "entity_ruler"}) {
    CAPTURE(factory);
    Pipeline nlp = Pipeline::blank("en");
    CHECK_THROWS_WITH_AS(nlp.add_pipe(factory, "x", Json{{"no_such_key", 1}}),
                         doctest::Contains("unknown key \"no_such_key\""), ConfigError);
    // "_" keys are comments everywhere.
    CHECK_NOTHROW(nlp.add_pipe(factory, "y", Json{{"_doc", "a comment"}}));
  }
  Pipeline nlp = Pipeline::blank("en");
  CHECK_THROWS_WITH_AS(nlp.add_pipe("tagger", "t", Json{{"tok2vec", {{"widht", 64}}}}),
                       doctest::Contains("unknown key \"widht\" in the tok2vec config (known: width, depth"), ConfigError);
}
