// Streaming JSONL input on simdjson: one JSON object per line, either raw text to annotate
// ({"text": ..., "meta": {...}}) or an annotated document in doc_json.hpp's layout (it has "tokens").
// Lines can be of any size; errors name the source and line. With skip_bad a malformed line is
// recorded and skipped and the valid lines around it are still returned.
#pragma once

#include <cstdint>
#include <istream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "weft/doc/doc.hpp"

namespace weft {

struct JsonlRecord {
  std::uint64_t line = 0;   // 1-based line number in the source
  std::string text;         // the "text" field
  std::string meta_json;    // the "meta" object as compact JSON text, or empty
  std::optional<Doc> doc;   // set when the record carries "tokens" (an annotated document)
};

class JsonlReader {
 public:
  JsonlReader(std::istream& in, std::shared_ptr<Vocab> vocab, std::string source, bool skip_bad = false);
  ~JsonlReader();
  // The next record; blank lines are ignored. Throws FormatError "source:line N: cause" (unless skip_bad).
  std::optional<JsonlRecord> next();
  // "source:line N: cause" for each skipped line.
  const std::vector<std::string>& skipped() const noexcept { return skipped_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::vector<std::string> skipped_;
};

}  // namespace weft
