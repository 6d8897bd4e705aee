// Internal: makes the calling thread's OpenMP thread count (used by oneDNN) match cpu_threads().
#pragma once

namespace weft::backend {

void apply_cpu_threads() noexcept;

}  // namespace weft::backend
