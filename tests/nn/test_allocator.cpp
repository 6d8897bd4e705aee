// The caching CPU allocator behind Tensor: aligned blocks, reuse of freed blocks, contents independent
// between tensors, and safe use from several threads.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <thread>
#include <vector>

#include "weft/backend/tensor.hpp"

using namespace weft::backend;

TEST_CASE("backend: cpu allocator gives aligned blocks and reuses freed ones") {
  void* first = nullptr;
  {
    Tensor t = Tensor::empty(Shape{1000, 288}, DType::F32);
    first = t.raw();
    CHECK(reinterpret_cast<std::uintptr_t>(t.raw()) % 64 == 0);
  }
  // A tensor of the same size class (not the same size) gets the freed block back.
  Tensor again = Tensor::empty(Shape{999, 288}, DType::F32);
  CHECK(again.raw() == first);
  for (std::int64_t n : {1, 3, 64, 1000, 4097, 1 << 20}) {
    Tensor t = Tensor::empty(Shape{n}, DType::U8);
    CHECK(reinterpret_cast<std::uintptr_t>(t.raw()) % 64 == 0);
  }
  Tensor z = Tensor::zeros(Shape{999, 288}, DType::F32);  // reused memory is still zeroed when asked
  auto v = z.to_vector<float>();
  CHECK(std::all_of(v.begin(), v.end(), [](float x) { return x == 0.f; }));
}

TEST_CASE("backend: cpu allocator is safe across threads") {
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([t] {
      for (int i = 0; i < 2000; ++i) {
        Tensor a = Tensor::empty(Shape{64 + (i * 37 + t) % 5000}, DType::F32);
        a.data<float>()[0] = static_cast<float>(i);
        Tensor b = Tensor::empty(Shape{128}, DType::F32);
        b.data<float>()[0] = 1.f;
        REQUIRE(a.data<float>()[0] == static_cast<float>(i));
      }
    });
  }
  for (auto& th : threads) th.join();
}
