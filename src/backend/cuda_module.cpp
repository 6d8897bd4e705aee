// Finds and loads the CUDA module (cuda_module.hpp) on the first question about a CUDA device, and
// keeps it for the program. Where it is looked for, in order, with <dir> the folder of the file this
// code is linked into (the weft executable, the Python package's _weft module, an outside program):
//   $WEFT_CUDA_MODULE when set (that path and no other), else <dir>/libweft_cuda.so (the Python
//   package, or a program shipped with the module beside it), <dir>/../lib/libweft_cuda.so (bin/ of a
//   build tree or an install) and <dir>/../<install libdir>/libweft_cuda.so (e.g. lib/x86_64-linux-gnu).
// Nothing here throws or aborts when the module, the driver or a GPU is missing: cuda_info() says why,
// and only an explicit request for a CUDA device (cuda_module) throws.
#include "cuda_module.hpp"

#include <dlfcn.h>
#include <link.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "weft/backend/device_info.hpp"
#include "weft/error.hpp"

namespace weft::backend {

namespace {

namespace fs = std::filesystem;

struct Loaded {
  CudaInfo info;
  const CudaModule* module = nullptr;
};

#ifdef WEFT_HAVE_CUDA
// The folder of the executable or shared object this function was linked into.
fs::path own_folder() {
  static const char anchor = 0;
  Dl_info where{};
  link_map* map = nullptr;
  std::error_code ec;
  if (dladdr1(&anchor, &where, reinterpret_cast<void**>(&map), RTLD_DL_LINKMAP) != 0 && map != nullptr &&
      map->l_name != nullptr && map->l_name[0] != '\0')
    return fs::absolute(map->l_name, ec).parent_path();
  // The main program has no name in its link map (dladdr gives argv[0], which may have no folder).
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::path() : exe.parent_path();
}

std::vector<std::string> candidates() {
  if (const char* path = std::getenv("WEFT_CUDA_MODULE"); path != nullptr && path[0] != '\0') return {path};
  const fs::path dir = own_folder();
  std::vector<std::string> out;
  for (const fs::path& p : {dir / kCudaModuleFile, dir / ".." / "lib" / kCudaModuleFile,
                            dir / ".." / WEFT_INSTALL_LIBDIR / kCudaModuleFile}) {
    std::string s = p.lexically_normal().string();
    if (std::find(out.begin(), out.end(), s) == out.end()) out.push_back(std::move(s));
  }
  return out;
}

std::string joined(const std::vector<std::string>& paths) {
  std::string out;
  for (const std::string& p : paths) out += (out.empty() ? "" : ", ") + p;
  return out;
}

Loaded load() {
  Loaded out;
  out.info.compiled = true;
  const std::vector<std::string> paths = candidates();
  void* handle = nullptr;
  std::string last_error;
  for (const std::string& path : paths) {
    handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (handle != nullptr) {
      out.info.module = path;
      break;
    }
    const char* e = dlerror();
    last_error = e != nullptr ? e : "unknown dlopen error";
    std::error_code ec;
    if (fs::exists(path, ec)) {  // there but not loadable (a library it needs is missing): that is why
      out.info.error = "cannot load " + path + ": " + last_error;
      return out;
    }
  }
  if (handle == nullptr) {
    out.info.error = std::string(kCudaModuleFile) + " not found at " + joined(paths) +
                     (std::getenv("WEFT_CUDA_MODULE") != nullptr ? " (WEFT_CUDA_MODULE)" : "") + ": " + last_error;
    return out;
  }
  // Never closed: CudaOps objects and device memory live until the program ends.
  const auto entry = reinterpret_cast<CudaModuleEntryFn>(dlsym(handle, kCudaModuleEntry));
  const CudaModule* module = entry != nullptr ? entry() : nullptr;
  if (module == nullptr) {
    out.info.error = out.info.module + " is not a weft CUDA module (no " + kCudaModuleEntry + ")";
    return out;
  }
  if (module->abi != kCudaModuleAbi || std::strcmp(module->version, WEFT_VERSION) != 0) {
    out.info.error = out.info.module + " is from weft " + module->version + " (module abi " + std::to_string(module->abi) +
                     "), this is weft " + WEFT_VERSION + " (abi " + std::to_string(kCudaModuleAbi) + ")";
    return out;
  }
  out.module = module;
  const char* why = nullptr;
  out.info.devices = module->device_count(&why);
  if (out.info.devices == 0) out.info.error = why != nullptr ? why : "no CUDA device";
  return out;
}
#endif

const Loaded* load_once() noexcept {
  try {
#ifdef WEFT_HAVE_CUDA
    return new Loaded(load());
#else
    auto* out = new Loaded();
    out->info.error = "this build of weft has no CUDA backend (built without nvcc, or with WEFT_CUDA=OFF)";
    return out;
#endif
  } catch (...) {  // out of memory while building a message: CUDA stays unavailable
    static Loaded failed;
    return &failed;
  }
}

// Loaded once, by whichever thread asks first (static initialisation included); never destroyed, since
// tensors released during static destruction still reach the module through it.
const Loaded& loaded() noexcept {
  static const Loaded* state = load_once();
  return *state;
}

}  // namespace

const CudaInfo& cuda_info() noexcept { return loaded().info; }
bool cuda_compiled() noexcept { return cuda_info().compiled; }
int cuda_device_count() noexcept { return cuda_info().devices; }

const CudaModule& cuda_module(Device device) {
  const Loaded& l = loaded();
  if (l.info.devices == 0) throw ValueError("no CUDA device " + device.str() + ": CUDA is not available (" + l.info.error + ")");
  if (device.index < 0 || device.index >= l.info.devices)
    throw ValueError("no CUDA device " + device.str() + " (" + std::to_string(l.info.devices) + " visible)");
  return *l.module;
}

const CudaModule* loaded_cuda_module() noexcept { return loaded().module; }

}  // namespace weft::backend

namespace weft::backend {

DeviceMemoryStats device_memory_stats(Device device) {
  if (device.is_cpu()) throw ValueError("device memory statistics are kept for CUDA devices, not the CPU");
  return cuda_module(device).memory_stats(device.index);
}

void reset_peak_device_memory(Device device) {
  if (device.is_cpu()) throw ValueError("device memory statistics are kept for CUDA devices, not the CPU");
  cuda_module(device).reset_peak(device.index);
}

}  // namespace weft::backend
