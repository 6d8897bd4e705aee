// The one error family of weft: every failure the user can cause (bad input, bad model, bad config)
// is an exception derived from weft::Error that carries where it happened (file, line, byte offset)
// and why, so the CLI can print one clear line and Python can map it to a matching exception type.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

namespace weft {

// Where an error happened. Empty file / zero line / npos offset mean "not known".
struct Location {
  std::string file;
  std::uint64_t line = 0;  // 1-based; 0 = unknown
  std::uint64_t column = 0;  // 1-based byte column in the line; 0 = unknown
  std::uint64_t offset = UINT64_MAX;  // byte offset in the file or text; UINT64_MAX = unknown
};

class Error : public std::runtime_error {
 public:
  explicit Error(std::string cause, Location where = {});
  const std::string& cause() const noexcept { return cause_; }
  const Location& where() const noexcept { return where_; }
  // Fills in file/line where they were not known: readers learn the file name only above the parser.
  void locate(const std::string& file, std::uint64_t line);

 private:
  static std::string format(const std::string& cause, const Location& where);
  std::string cause_;
  Location where_;
};

// Text that is not valid UTF-8 (the offset names the first bad byte).
class EncodingError : public Error { using Error::Error; };
// A file or record that does not follow its format (CoNLL-U, JSONL, DocBin, safetensors, JSON config).
class FormatError : public Error { using Error::Error; };
// A file that cannot be opened, read or written.
class IOError : public Error { using Error::Error; };
// A model folder that is missing pieces or whose contents are inconsistent.
class ModelError : public Error { using Error::Error; };
// A bad argument or configuration value (Python maps it to ValueError).
class ValueError : public Error { using Error::Error; };
// A config key that nothing reads (a typo, or a key of another version): every component, tokenizer,
// language data file and training config reports it with this type, through check_config_keys
// (json.hpp). Python: weft.ConfigError, a weft.ValueError.
class ConfigError : public ValueError { using ValueError::ValueError; };
// A lookup of something that does not exist: a string hash, a registry name (Python: KeyError).
class KeyError : public Error { using Error::Error; };
// An index out of range (Python: IndexError).
class IndexError : public Error { using Error::Error; };

}  // namespace weft
