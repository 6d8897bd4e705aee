// ScratchArena: per-thread bump allocation for the temporaries of a forward/backward pass, so the hot
// path makes no heap or cudaMalloc calls after warm-up. take() hands out tensors (views of the arena's
// blocks) until the enclosing Scope ends; blocks are kept and reused by the next batch.
#pragma once

#include <cstddef>
#include <memory>
#include <vector>

#include "weft/backend/tensor.hpp"

namespace weft::backend {

class ScratchArena {
 public:
  // The calling thread's arena for a device.
  static ScratchArena& local(Device device = Device::cpu());

  // Uninitialised memory valid until the innermost open Scope closes.
  Tensor take(const Shape& shape, DType dtype = DType::F32);
  std::size_t reserved_bytes() const noexcept;

  // Everything taken after a Scope opened is released when it closes.
  class Scope {
   public:
    explicit Scope(ScratchArena& arena) noexcept;
    ~Scope();
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;

   private:
    ScratchArena& arena_;
    std::size_t block_, offset_;
  };

  explicit ScratchArena(Device device);
  ~ScratchArena();

 private:
  struct Block;
  Device device_;
  std::vector<Block> blocks_;
  std::size_t block_ = 0;   // current block
  std::size_t offset_ = 0;  // bytes used in it
};

}  // namespace weft::backend
