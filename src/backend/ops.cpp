#include "weft/backend/ops.hpp"

#include <string>

#include "cpu/cpu_ops.hpp"
#include "cuda_ops_factory.hpp"
#include "weft/backend/device_info.hpp"
#include "weft/error.hpp"

namespace weft::backend {

CpuOps& CpuOps::instance() {
  static CpuOps ops;
  return ops;
}

Ops& ops(Device device) {
  if (device.is_cpu()) return CpuOps::instance();
#ifdef WEFT_HAVE_CUDA
  const int count = cuda_device_count();
  if (device.index < 0 || device.index >= count)
    throw ValueError("no CUDA device " + device.str() + " (" + std::to_string(count) + " visible)");
  return cuda_ops(device.index);
#else
  throw ValueError("CUDA not compiled in: cannot run ops on " + device.str());
#endif
}

bool cuda_available() noexcept { return cuda_device_count() > 0; }

}  // namespace weft::backend
