#include "weft/backend/threads.hpp"

#include <atomic>
#include <cstdlib>
#include <string>

#include "cpu_threads.hpp"
#include "weft/error.hpp"

#if defined(WEFT_HAVE_ONEDNN)
#include <dlfcn.h>
#endif

namespace weft::backend {

namespace {

int initial_threads() noexcept {
  const char* env = std::getenv("WEFT_NUM_THREADS");
  if (env == nullptr) return 1;
  const int n = std::atoi(env);
  return n >= 1 ? n : 1;
}

std::atomic<int>& setting() {
  static std::atomic<int> n{initial_threads()};
  return n;
}

}  // namespace

void set_cpu_threads(int n) {
  if (n < 1) throw ValueError("set_cpu_threads: need at least 1 thread, got " + std::to_string(n));
  setting().store(n);
}

int cpu_threads() noexcept { return setting().load(); }

void apply_cpu_threads() noexcept {
#if defined(WEFT_HAVE_ONEDNN)
  // OpenMP's thread count is per calling thread and starts from OMP_NUM_THREADS (all cores), so each
  // thread that calls into oneDNN sets it before its first gemm and whenever the setting changes.
  // libgomp comes in with libdnnl; looking it up at run time avoids linking an OpenMP runtime ourselves.
  using SetThreads = void (*)(int);
  static const SetThreads omp_set = reinterpret_cast<SetThreads>(dlsym(RTLD_DEFAULT, "omp_set_num_threads"));
  thread_local int applied = 0;
  const int want = cpu_threads();
  if (applied != want && omp_set != nullptr) {
    omp_set(want);
    applied = want;
  }
#endif
}

}  // namespace weft::backend
