#include "weft/error.hpp"

namespace weft {

std::string Error::format(const std::string& cause, const Location& where) {
  std::string out;
  if (!where.file.empty()) out += where.file;
  if (where.line != 0) {
    if (!out.empty()) out += ':';
    out += "line " + std::to_string(where.line);
    if (where.column != 0) out += ", column " + std::to_string(where.column);
  } else if (where.offset != UINT64_MAX) {
    if (!out.empty()) out += ':';
    out += "byte " + std::to_string(where.offset);
  }
  if (!out.empty()) out += ": ";
  return out + cause;
}

Error::Error(std::string cause, Location where)
    : std::runtime_error(format(cause, where)), cause_(std::move(cause)), where_(std::move(where)) {}

void Error::locate(const std::string& file, std::uint64_t line) {
  if (where_.file.empty()) where_.file = file;
  if (where_.line == 0) where_.line = line;
  static_cast<std::runtime_error&>(*this) = std::runtime_error(format(cause_, where_));
}

}  // namespace weft
