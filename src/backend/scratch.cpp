#include "weft/backend/scratch.hpp"

#include <map>

#include "device_memory.hpp"

namespace weft::backend {

namespace {

constexpr std::size_t kAlign = 256;  // keeps every taken tensor aligned for SIMD and coalesced CUDA access
constexpr std::size_t kMinBlock = std::size_t{1} << 20;

std::size_t round_up(std::size_t n) { return (n + kAlign - 1) / kAlign * kAlign; }

}  // namespace

struct ScratchArena::Block {
  Device device;
  void* ptr = nullptr;
  std::size_t size = 0;
  Block(Device d, std::size_t n) : device(d), ptr(device_alloc(d, n)), size(n) {}
  ~Block() { device_free(device, ptr); }
  Block(Block&& o) noexcept : device(o.device), ptr(o.ptr), size(o.size) { o.ptr = nullptr; }
  Block& operator=(Block&&) = delete;
  Block(const Block&) = delete;
};

ScratchArena::ScratchArena(Device device) : device_(device) {}
ScratchArena::~ScratchArena() = default;

ScratchArena& ScratchArena::local(Device device) {
  // One arena per (thread, device); unique_ptr keeps references stable while the map grows.
  thread_local std::map<std::pair<int, int>, std::unique_ptr<ScratchArena>> arenas;
  auto& slot = arenas[{static_cast<int>(device.kind), device.is_cpu() ? 0 : device.index}];
  if (!slot) slot = std::make_unique<ScratchArena>(device);
  return *slot;
}

Tensor ScratchArena::take(const Shape& shape, DType dtype) {
  const std::size_t need = round_up(static_cast<std::size_t>(shape.numel()) * dtype_size(dtype));
  if (need == 0) return Tensor::wrap(nullptr, shape, dtype, device_);
  if (block_ < blocks_.size() && offset_ + need > blocks_[block_].size) {
    // Move on to the first later block that fits; ones skipped stay for smaller requests of later batches.
    std::size_t b = block_ + 1;
    while (b < blocks_.size() && blocks_[b].size < need) ++b;
    block_ = b;
    offset_ = 0;
  }
  if (block_ >= blocks_.size()) {
    // Grow geometrically so a steady-state batch settles into a few blocks after warm-up.
    std::size_t size = blocks_.empty() ? kMinBlock : blocks_.back().size * 2;
    if (size < need) size = round_up(need);
    blocks_.emplace_back(device_, size);
    block_ = blocks_.size() - 1;
    offset_ = 0;
  }
  void* p = static_cast<char*>(blocks_[block_].ptr) + offset_;
  offset_ += need;
  return Tensor::wrap(p, shape, dtype, device_);
}

std::size_t ScratchArena::reserved_bytes() const noexcept {
  std::size_t n = 0;
  for (const Block& b : blocks_) n += b.size;
  return n;
}

ScratchArena::Scope::Scope(ScratchArena& arena) noexcept : arena_(arena), block_(arena.block_), offset_(arena.offset_) {}

ScratchArena::Scope::~Scope() {
  arena_.block_ = block_;
  arena_.offset_ = offset_;
}

}  // namespace weft::backend
