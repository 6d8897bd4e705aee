#include "weft/tokenize/whitespace_tokenizer.hpp"

#include <cstdint>

#include "weft/error.hpp"
#include "weft/strings/hash.hpp"
#include "weft/strings/utf8.hpp"
#include "whitespace.hpp"

namespace weft {

std::unique_ptr<WhitespaceTokenizer> WhitespaceTokenizer::from_config(const Json& config,
                                                                      std::shared_ptr<Vocab> vocab) {
  if (!config.is_object()) throw FormatError("tokenizer config must be a JSON object");
  check_config_keys(config, {"@tokenizers"}, "the weft.WhitespaceTokenizer.v1 config");
  return std::make_unique<WhitespaceTokenizer>(std::move(vocab));
}

Doc WhitespaceTokenizer::operator()(std::string text) const {
  if (text.size() > UINT32_MAX) throw ValueError("text is longer than a Doc can hold (4 GiB)");
  Doc doc(vocab_, std::move(text));
  const std::string_view t = doc.text();
  doc.tokens().reserve(t.size() / 5 + 4);
  detail::for_each_chunk(t, [&](std::size_t a, std::size_t b) {
    doc.push_token_unchecked(static_cast<std::uint32_t>(a), static_cast<std::uint32_t>(b - a),
                             hash_string(t.substr(a, b - a)));
  });
  return doc;
}

std::vector<ExplainEntry> WhitespaceTokenizer::explain(std::string_view text) const {
  utf8::check(text);
  std::vector<ExplainEntry> out;
  detail::for_each_chunk(text, [&](std::size_t a, std::size_t b) {
    out.push_back({"TOKEN", std::string(text.substr(a, b - a))});
  });
  return out;
}

}  // namespace weft
