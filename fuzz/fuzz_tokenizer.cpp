// The English rule-based tokenizer (weft.Tokenizer.v1 with the rules compiled into the library), the
// whitespace tokenizer and NLTK's variants (Treebank, Regexp with its default pattern, Punkt's sentence
// spans and training) over arbitrary bytes. Invalid UTF-8 is handled as the library does: rejected
// with an EncodingError, then repaired (utf8::repair, as the CLI's --invalid-utf8 replace) and
// tokenized.
// Invariants: the Doc keeps the text; tokens are non-empty, ordered, inside the text and free of
// whitespace; tokenize() and (on inputs up to 512 bytes) explain() give the same tokens as operator();
// character and byte offsets convert both ways.
#include <cstddef>
#include <cstdint>

#include "fuzz_common.hpp"
#include "weft/components/punkt/punkt.hpp"
#include "weft/pipeline/pipeline.hpp"
#include "weft/tokenize/tokenizer.hpp"

using namespace weft;

namespace {

const Pipeline& nlp() {
  static const Pipeline p = Pipeline::blank("en");
  return p;
}

const TokenizerBase& whitespace_tokenizer() {
  static const std::unique_ptr<TokenizerBase> t =
      make_tokenizer(Json{{"@tokenizers", "weft.WhitespaceTokenizer.v1"}}, nlp().vocab());
  return *t;
}

const TokenizerBase& variant(const char* name) {
  static const std::unique_ptr<TokenizerBase> treebank =
      make_tokenizer(Json{{"@tokenizers", "weft.TreebankTokenizer.v1"}}, nlp().vocab());
  static const std::unique_ptr<TokenizerBase> regexp =
      make_tokenizer(Json{{"@tokenizers", "weft.RegexpTokenizer.v1"}}, nlp().vocab());
  return std::string_view(name) == "treebank" ? *treebank : *regexp;
}

bool is_ascii_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

void check_doc(const Doc& doc, const std::string& text) {
  FUZZ_CHECK(doc.text() == text);
  std::size_t prev_end = 0;
  for (std::size_t i = 0; i < doc.size(); ++i) {
    const TokenData& t = doc.data(i);
    FUZZ_CHECK(t.len > 0 && t.idx >= prev_end && std::size_t{t.idx} + t.len <= text.size());
    prev_end = t.idx + t.len;
    for (const char c : doc.token_text(i)) FUZZ_CHECK(!is_ascii_space(c));
    const Token tok = doc[static_cast<std::ptrdiff_t>(i)];
    (void)tok.lower_();
    (void)tok.shape_();
    (void)tok.prefix_();
    (void)tok.suffix_();
    (void)tok.norm_();
    (void)tok.lexeme().flags;
  }
  const std::size_t n_chars = utf8::length(text);
  for (std::size_t c = 0; c <= n_chars; ++c) FUZZ_CHECK(doc.char_offset(doc.byte_offset(c)) == c);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  const auto& tok = dynamic_cast<const Tokenizer&>(nlp().tokenizer());
  if (!utf8::valid(text)) {
    bool rejected = false;
    try {
      (void)tok(text);
    } catch (const EncodingError&) {
      rejected = true;
    }
    FUZZ_CHECK(rejected);
    text = utf8::repair(text);
    FUZZ_CHECK(utf8::valid(text));
  }
  weft_fuzz::must_succeed("tokenizing valid UTF-8", [&] {
    const Doc doc = tok(text);
    check_doc(doc, text);
    const std::vector<TokenSpan> spans = tok.tokenize(text);
    FUZZ_CHECK(spans.size() == doc.size());
    for (std::size_t i = 0; i < spans.size(); ++i)
      FUZZ_CHECK(spans[i].idx == doc.data(i).idx && spans[i].len == doc.data(i).len &&
                 spans[i].flags == doc.data(i).flags);
    // explain() runs every rule on every chunk, without the cache: on short inputs only, where it
    // costs little (RE2's match with one group per rule allocates per call, slow under ASan).
    if (text.size() <= 512) {
      const std::vector<ExplainEntry> explained = tok.explain(text);
      FUZZ_CHECK(explained.size() == doc.size());
      for (std::size_t i = 0; i < explained.size(); ++i) FUZZ_CHECK(explained[i].text == doc.token_text(i));
    }
    const Doc ws = whitespace_tokenizer()(text);
    check_doc(ws, text);
    for (const char* name : {"treebank", "regexp"}) {
      const TokenizerBase& v = variant(name);
      const Doc d = v(text);
      check_doc(d, text);
      if (text.size() <= 512) FUZZ_CHECK(v.explain(text).size() == d.size());
    }
    // Punkt: sentence spans ordered, inside the text, not empty; with no parameters and with those
    // learnt from the input itself.
    const auto check_spans = [&](const punkt::Parameters& p) {
      std::size_t prev = 0;
      for (const auto& [b, e] : punkt::sentence_spans(text, p)) {
        FUZZ_CHECK(b >= prev && b < e && e <= text.size());
        prev = e;
      }
    };
    check_spans(punkt::Parameters{});
    check_spans(punkt::train(text));
  });
  return 0;
}
