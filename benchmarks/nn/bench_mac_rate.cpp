// bench_mac_rate: how many multiply-accumulate instructions one core issues per second, f32 FMA against
// the AVX2 integer product of int16 pairs (vpmaddwd, 16 multiply-adds), from registers only.
// It answers whether int8/int16 weights could speed the CPU products up on a core without AVX-VNNI:
// only if the integer instructions issue alongside the FMAs or retire more multiply-adds per cycle.
//   usage: bench_mac_rate [iterations=100000000]
#include <chrono>
#include <cstdio>
#include <cstdlib>

#if defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>

namespace {

// Twelve independent chains per loop (distinct starting values, or the compiler merges equal chains),
// enough to hide each instruction's latency; the empty asm keeps
// the loop-invariant operand from being hoisted.
#define WEFT_R6(X) X(0) X(1) X(2) X(3) X(4) X(5)

template <class Body>
double seconds(Body&& body) {
  const auto start = std::chrono::steady_clock::now();
  body();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  const long n = argc > 1 ? std::atol(argv[1]) : 100000000L;
  __m256 b = _mm256_set1_ps(0.5f), c = _mm256_set1_ps(0.25f);
  __m256i w = _mm256_set1_epi16(3);
#define WEFT_DECL(i)                                                                  \
  __m256 fa##i = _mm256_set1_ps(i * 0.01f), fb##i = _mm256_set1_ps(0.5f + i * 0.01f);        \
  __m256i xa##i = _mm256_set1_epi16(i), xb##i = _mm256_set1_epi16(100 + i),              \
          acc##i = _mm256_setzero_si256(), acc2##i = _mm256_setzero_si256();
  WEFT_R6(WEFT_DECL)
  const double fma = seconds([&] {
    for (long k = 0; k < n; ++k) {
#define WEFT_FMA(i) fa##i = _mm256_fmadd_ps(fa##i, b, c); fb##i = _mm256_fmadd_ps(fb##i, b, c);
      WEFT_R6(WEFT_FMA)
      asm volatile("" : "+x"(b));
    }
  });
  const double madd = seconds([&] {
    for (long k = 0; k < n; ++k) {
#define WEFT_MADD(i) xa##i = _mm256_madd_epi16(xa##i, w); xb##i = _mm256_madd_epi16(xb##i, w);
      WEFT_R6(WEFT_MADD)
      asm volatile("" : "+x"(w));
    }
  });
  const double madd_acc = seconds([&] {
    for (long k = 0; k < n; ++k) {
#define WEFT_MACC(i)                                                 \
  acc##i = _mm256_add_epi32(acc##i, _mm256_madd_epi16(xa##i, w)); \
  acc2##i = _mm256_add_epi32(acc2##i, _mm256_madd_epi16(xb##i, w));
      WEFT_R6(WEFT_MACC)
      asm volatile("" : "+x"(w));
    }
  });
  const double mixed = seconds([&] {
    for (long k = 0; k < n; ++k) {
#define WEFT_MIX(i) xa##i = _mm256_madd_epi16(xa##i, w); fa##i = _mm256_fmadd_ps(fa##i, b, c);
      WEFT_R6(WEFT_MIX)
      asm volatile("" : "+x"(w), "+x"(b));
    }
  });
  // Keep every chain's result alive.
  __m256 fs = _mm256_setzero_ps();
  __m256i is = _mm256_setzero_si256();
#define WEFT_SINK(i)                                                             \
  fs = _mm256_add_ps(fs, _mm256_add_ps(fa##i, fb##i));                           \
  is = _mm256_add_epi32(is, _mm256_add_epi32(_mm256_add_epi32(acc##i, acc2##i), _mm256_add_epi32(xa##i, xb##i)));
  WEFT_R6(WEFT_SINK)
  float f[8];
  int i[8];
  _mm256_storeu_ps(f, fs);
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(i), is);
  const double per = 12.0 * static_cast<double>(n) / 1e9;
  std::printf("one core, %ld iterations of 12 independent chains (checksum %g %d)\n", n, static_cast<double>(f[0]), i[0]);
  std::printf("vfmadd231ps (8 f32 MACs)                 : %5.2f G instr/s = %6.1f GMAC/s\n", per / fma, 8 * per / fma);
  std::printf("vpmaddwd (16 int16 MACs, no accumulate)  : %5.2f G instr/s = %6.1f GMAC/s\n", per / madd, 16 * per / madd);
  std::printf("vpmaddwd + vpaddd (accumulated in int32)  : %5.2f G pairs/s   = %6.1f GMAC/s\n", per / madd_acc,
              16 * per / madd_acc);
  std::printf("6 vpmaddwd + 6 vfmadd231ps               : %5.2f G instr/s\n", per / mixed);
  return 0;
}

#else
int main() {
  std::printf("bench_mac_rate: built without AVX2 and FMA, nothing to measure\n");
  return 0;
}
#endif
