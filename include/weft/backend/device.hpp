// A compute device: the CPU or one CUDA GPU. Parsed from and printed as "cpu" / "cuda:0". Nothing above
// the backend branches on it: layers ask ops(device) for the implementation.
#pragma once

#include <string>

namespace weft::backend {

struct Device {
  enum class Kind : unsigned char { CPU, CUDA };
  Kind kind = Kind::CPU;
  int index = 0;

  static Device cpu() noexcept { return {}; }
  static Device cuda(int index = 0) noexcept { return {Kind::CUDA, index}; }
  // "cpu", "cuda", "cuda:1", "gpu" (= cuda:0); throws ValueError otherwise.
  static Device parse(const std::string& name);
  std::string str() const;
  bool is_cpu() const noexcept { return kind == Kind::CPU; }
  bool is_cuda() const noexcept { return kind == Kind::CUDA; }
  bool operator==(const Device& o) const noexcept { return kind == o.kind && (kind == Kind::CPU || index == o.index); }
};

}  // namespace weft::backend
