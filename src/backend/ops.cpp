#include "weft/backend/ops.hpp"

#include "cpu/cpu_ops.hpp"
#include "cuda_module.hpp"
#include "weft/backend/device_info.hpp"

namespace weft::backend {

CpuOps& CpuOps::instance() {
  static CpuOps ops;
  return ops;
}

Ops& ops(Device device) {
  if (device.is_cpu()) return CpuOps::instance();
  return cuda_module(device).ops(device.index);
}

bool cuda_available() noexcept { return cuda_device_count() > 0; }

}  // namespace weft::backend
