#include "weft/backend/device.hpp"

#include <charconv>

#include "weft/error.hpp"

namespace weft::backend {

Device Device::parse(const std::string& name) {
  if (name == "cpu") return cpu();
  if (name == "cuda" || name == "gpu") return cuda(0);
  if (name.rfind("cuda:", 0) == 0 && name.size() > 5) {
    int index = -1;
    const char* first = name.data() + 5;
    const char* last = name.data() + name.size();
    auto [end, ec] = std::from_chars(first, last, index);
    if (ec == std::errc() && end == last && index >= 0) return cuda(index);
  }
  throw ValueError("unknown device '" + name + "' (expected cpu, gpu, cuda or cuda:N)");
}

std::string Device::str() const {
  return is_cpu() ? std::string("cpu") : "cuda:" + std::to_string(index);
}

}  // namespace weft::backend
