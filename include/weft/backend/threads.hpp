// How many threads one CPU op may use. weft parallelises across batches, not inside an op, so the
// default is 1: oneDNN (built with OpenMP on Debian) would otherwise start a thread per core inside
// every gemm and oversubscribe the machine. The environment variable WEFT_NUM_THREADS sets the initial
// value; set_cpu_threads() changes it for all threads from the next op on.
#pragma once

namespace weft::backend {

void set_cpu_threads(int n);  // n >= 1, else ValueError
int cpu_threads() noexcept;

}  // namespace weft::backend
