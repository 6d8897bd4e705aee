// Hashed embeddings on CUDA: keys to table rows (the same mix64 as the CPU, so models move between
// devices), row gathers summed over seeds in the CPU's order, and the scatter-add of their gradient.
// Ids are validated on the device before any write, as on the CPU, so a bad id throws ValueError and
// leaves the outputs intact; reading the verdict back is the one wait these ops have.
#include <string>

#include "../op_checks.hpp"
#include "cuda_check.cuh"
#include "cuda_ops.cuh"
#include "launch.cuh"
#include "weft/mix64.hpp"
#include "weft/error.hpp"

namespace weft::backend {

namespace {

__global__ void hash_kernel(const std::uint64_t* keys, std::int64_t n, std::int64_t seeds, std::uint64_t seed,
                            std::uint64_t rows, std::int32_t* out) {
  for (std::int64_t t = cuda::global_thread(); t < n * seeds; t += cuda::grid_threads()) {
    const std::int64_t i = t / seeds;
    const std::int64_t s = t % seeds;
    out[t] = static_cast<std::int32_t>(mix64(keys[i], seed + static_cast<std::uint64_t>(s)) % rows);
  }
}

// first_bad = the smallest position of an id outside [0, rows), or stays all ones.
__global__ void find_bad_id(const std::int32_t* ids, std::int64_t count, std::int64_t rows,
                            unsigned long long* first_bad) {
  for (std::int64_t t = cuda::global_thread(); t < count; t += cuda::grid_threads())
    if (ids[t] < 0 || ids[t] >= rows) atomicMin(first_bad, static_cast<unsigned long long>(t));
}

__global__ void gather_sum_kernel(const float* table, const std::int32_t* ids, std::int64_t n, std::int64_t per_row,
                                  std::int64_t width, float* out) {
  for (std::int64_t t = cuda::global_thread(); t < n * width; t += cuda::grid_threads()) {
    const std::int64_t i = t / width;
    const std::int64_t j = t % width;
    const std::int32_t* row_ids = ids + i * per_row;
    float sum = table[static_cast<std::int64_t>(row_ids[0]) * width + j];
    for (std::int64_t s = 1; s < per_row; ++s) sum += table[static_cast<std::int64_t>(row_ids[s]) * width + j];
    out[t] = sum;
  }
}

// Atomic adds: rows hit by several ids sum in an unspecified order, within f32 rounding of the CPU.
__global__ void scatter_add_kernel(float* table, const std::int32_t* ids, std::int64_t n, std::int64_t per_row,
                                   std::int64_t width, const float* grad) {
  for (std::int64_t t = cuda::global_thread(); t < n * width; t += cuda::grid_threads()) {
    const std::int64_t i = t / width;
    const std::int64_t j = t % width;
    const float g = grad[t];
    for (std::int64_t s = 0; s < per_row; ++s)
      atomicAdd(table + static_cast<std::int64_t>(ids[i * per_row + s]) * width + j, g);
  }
}

// Throws ValueError naming the first id outside the table, with the CPU's message.
void check_ids(int device_index, const char* op, const Tensor& ids, std::int64_t rows) {
  const std::int64_t count = ids.numel();
  if (count == 0) return;
  cuda::DeviceBuffer flag(device_index, sizeof(unsigned long long));
  cuda_check(cudaMemsetAsync(flag.as<void>(), 0xff, sizeof(unsigned long long), 0), op, "cudaMemsetAsync");
  const std::int32_t* ip = ids.data<std::int32_t>();
  find_bad_id<<<cuda::blocks_for(count), cuda::kBlock>>>(ip, count, rows, flag.as<unsigned long long>());
  cuda_check_launch(op);
  unsigned long long first = 0;
  cuda_check(cudaMemcpy(&first, flag.as<void>(), sizeof first, cudaMemcpyDeviceToHost), op, "cudaMemcpy");
  if (first == ~0ULL) return;
  std::int32_t bad = 0;
  cuda_check(cudaMemcpy(&bad, ip + first, sizeof bad, cudaMemcpyDeviceToHost), op, "cudaMemcpy");
  throw ValueError(std::string(op) + ": id " + std::to_string(bad) + " outside a table of " + std::to_string(rows) + " rows");
}

}  // namespace

void CudaOps::hash_rows(const Tensor& keys, std::uint32_t seed, std::int64_t n_rows, Tensor& out) {
  const std::int64_t seeds = check::hash_rows(device(), keys, n_rows, out);
  const std::int64_t n = keys.numel();
  if (n == 0 || seeds == 0) return;
  DeviceGuard guard(index_, "hash_rows");
  hash_kernel<<<cuda::blocks_for(n * seeds), cuda::kBlock>>>(keys.data<std::uint64_t>(), n, seeds, std::uint64_t{seed},
                                                             static_cast<std::uint64_t>(n_rows), out.data<std::int32_t>());
  cuda_check_launch("hash_rows");
}

void CudaOps::gather_sum_rows(const Tensor& table, const Tensor& ids, Tensor& out) {
  const check::Ids g = check::gather_rows("gather_sum_rows", device(), table, ids, out);
  const std::int64_t width = table.dim(1);
  DeviceGuard guard(index_, "gather_sum_rows");
  check_ids(index_, "gather_sum_rows", ids, table.dim(0));
  if (g.n == 0 || width == 0) return;
  if (g.per_row == 0) {
    // No ids per row: each output row is an empty sum.
    cuda_check(cudaMemsetAsync(out.raw(), 0, out.bytes(), 0), "gather_sum_rows", "cudaMemsetAsync");
    return;
  }
  gather_sum_kernel<<<cuda::blocks_for(g.n * width), cuda::kBlock>>>(table.data<float>(), ids.data<std::int32_t>(), g.n,
                                                                     g.per_row, width, out.data<float>());
  cuda_check_launch("gather_sum_rows");
}

void CudaOps::scatter_add_rows(Tensor& table, const Tensor& ids, const Tensor& grad) {
  const check::Ids g = check::gather_rows("scatter_add_rows", device(), table, ids, grad);
  const std::int64_t width = table.dim(1);
  DeviceGuard guard(index_, "scatter_add_rows");
  check_ids(index_, "scatter_add_rows", ids, table.dim(0));
  if (g.n == 0 || width == 0 || g.per_row == 0) return;
  scatter_add_kernel<<<cuda::blocks_for(g.n * width), cuda::kBlock>>>(table.data<float>(), ids.data<std::int32_t>(), g.n,
                                                                      g.per_row, width, grad.data<float>());
  cuda_check_launch("scatter_add_rows");
}

}  // namespace weft::backend
