// The JSON of a safetensors header, and only that: objects, arrays, strings (with escapes) and
// integers. weft_core stays free of the text layer's JSON library, and a reader this strict turns any
// other construct (floats, literals, duplicate keys, trailing bytes) into a FormatError at its offset.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace weft::nn::json {

struct Value {
  enum class Kind { Object, Array, String, Integer };
  Kind kind = Kind::Object;
  std::string string;
  std::int64_t integer = 0;
  std::vector<Value> items;                             // Array
  std::vector<std::pair<std::string, Value>> members;  // Object, in file order, keys unique

  // Declared here, defaulted in the .cpp: inline implicit ones make clang (with libstdc++ 12) check
  // std::pair<std::string, Value> while Value is still incomplete, which does not compile.
  Value();
  Value(const Value&);
  Value(Value&&) noexcept;
  Value& operator=(const Value&);
  Value& operator=(Value&&) noexcept;
  ~Value();

  const Value* find(std::string_view key) const;
};

// Parses one value filling `text` (whitespace around it allowed); FormatError with the byte offset.
Value parse(std::string_view text);
// A JSON string literal for s (quotes, escapes; UTF-8 passes through).
std::string quote(std::string_view s);

}  // namespace weft::nn::json
