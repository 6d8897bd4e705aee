// Tensor, Shape, Device, f16 conversion and the scratch arena.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "weft/backend/ops.hpp"
#include "weft/backend/scratch.hpp"
#include "weft/backend/tensor.hpp"
#include "weft/error.hpp"

using namespace weft::backend;

TEST_CASE("backend: device parse and print") {
  CHECK(Device::parse("cpu") == Device::cpu());
  CHECK(Device::parse("gpu") == Device::cuda(0));
  CHECK(Device::parse("cuda") == Device::cuda(0));
  CHECK(Device::parse("cuda:3") == Device::cuda(3));
  CHECK(Device::parse("cuda:3").str() == "cuda:3");
  CHECK(Device::cpu().str() == "cpu");
  CHECK_THROWS_AS(Device::parse("cuda:"), weft::ValueError);
  CHECK_THROWS_AS(Device::parse("cuda:x"), weft::ValueError);
  CHECK_THROWS_AS(Device::parse("cuda:-1"), weft::ValueError);
  CHECK_THROWS_AS(Device::parse("tpu"), weft::ValueError);
}

TEST_CASE("backend: shape and dtype") {
  const Shape s{2, 3, 4};
  CHECK(s.ndim() == 3);
  CHECK(s.numel() == 24);
  CHECK(s.str() == "[2, 3, 4]");
  CHECK(s == Shape{2, 3, 4});
  CHECK_FALSE(s == Shape{2, 12});
  CHECK(Shape{}.numel() == 1);
  CHECK(Shape{0, 5}.numel() == 0);
  CHECK_THROWS_AS((Shape{1, 2, 3, 4, 5}), weft::ValueError);
  CHECK_THROWS_AS((Shape{2, -1}), weft::ValueError);
  CHECK(dtype_size(DType::F16) == 2);
  CHECK(dtype_size(DType::U64) == 8);
  CHECK(dtype_size(DType::U8) == 1);
  CHECK(std::string(dtype_name(DType::I32)) == "i32");
}

TEST_CASE("backend: tensor creation, views and copies") {
  const Tensor z = Tensor::zeros({3, 5}, DType::F32);
  CHECK(reinterpret_cast<std::uintptr_t>(z.raw()) % 64 == 0);
  for (float v : z.to_vector<float>()) CHECK(v == 0.f);

  std::vector<float> values(12);
  for (std::size_t i = 0; i < values.size(); ++i) values[i] = static_cast<float>(i);
  Tensor t = Tensor::from_vector(values, {4, 3});
  CHECK(t.to_vector<float>() == values);
  CHECK(t.bytes() == 48);

  Tensor mid = t.rows(1, 3);  // a view: writes show through
  CHECK(mid.shape() == Shape{2, 3});
  CHECK(mid.data<float>()[0] == 3.f);
  mid.data<float>()[0] = -1.f;
  CHECK(t.data<float>()[3] == -1.f);
  CHECK(t.reshape({2, 6}).data<float>() == t.data<float>());

  Tensor copy = t.clone();  // a copy: writes do not
  copy.data<float>()[0] = 100.f;
  CHECK(t.data<float>()[0] == 0.f);
  Tensor dst = Tensor::empty({4, 3}, DType::F32);
  dst.copy_from(t);
  CHECK(dst.to_vector<float>() == t.to_vector<float>());

  // A view keeps the memory alive after the owner handle is gone.
  Tensor view;
  {
    Tensor owner = Tensor::from_vector(std::vector<std::int32_t>{7, 8, 9}, {3});
    view = owner.rows(2, 3);
  }
  CHECK(view.data<std::int32_t>()[0] == 9);

  CHECK_THROWS_AS(t.reshape({5, 3}), weft::ValueError);
  CHECK_THROWS_AS(t.rows(2, 5), weft::ValueError);
  CHECK_THROWS_AS(t.rows(3, 2), weft::ValueError);
  CHECK_THROWS_AS(t.data<std::int32_t>(), weft::ValueError);
  CHECK_THROWS_AS(dst.copy_from(Tensor::empty({3, 4}, DType::F32)), weft::ValueError);
  CHECK_THROWS_AS(Tensor::from_host(values.data(), 8, Shape{4, 3}, DType::F32, Device::cpu()), weft::ValueError);
  CHECK_FALSE(Tensor().defined());
  CHECK(Tensor::empty({0, 4}, DType::F32).defined());
}

TEST_CASE("backend: f16 conversion") {
  CHECK(float_to_half(0.f) == 0x0000);
  CHECK(float_to_half(-0.f) == 0x8000);
  CHECK(float_to_half(1.f) == 0x3c00);
  CHECK(float_to_half(-2.f) == 0xc000);
  CHECK(float_to_half(65504.f) == 0x7bff);
  CHECK(float_to_half(65520.f) == 0x7c00);  // rounds up to infinity
  CHECK(float_to_half(std::numeric_limits<float>::infinity()) == 0x7c00);
  CHECK((float_to_half(std::numeric_limits<float>::quiet_NaN()) & 0x7c00) == 0x7c00);
  CHECK((float_to_half(std::numeric_limits<float>::quiet_NaN()) & 0x03ff) != 0);
  CHECK(float_to_half(std::ldexp(1.f, -24)) == 0x0001);  // smallest subnormal
  CHECK(float_to_half(std::ldexp(1.f, -25)) == 0x0000);  // a tie rounds to even (zero)
  CHECK(float_to_half(std::ldexp(3.f, -26)) == 0x0001);  // above the tie rounds up
  CHECK(float_to_half(1.f + std::ldexp(1.f, -11)) == 0x3c00);  // tie between 1 and 1+2^-10: even
  CHECK(float_to_half(1.f + std::ldexp(3.f, -11)) == 0x3c02);  // tie between 1+2^-10 and 1+2^-9: even
  CHECK(half_to_float(0x3555) == doctest::Approx(0.333251953125));
  CHECK(half_to_float(0x0001) == std::ldexp(1.f, -24));
  CHECK(half_to_float(0x03ff) == std::ldexp(1023.f, -24));
  CHECK(std::isinf(half_to_float(0xfc00)));
  CHECK(std::isnan(half_to_float(0x7e00)));
  // Every finite half survives a round trip through f32.
  for (std::uint32_t h = 0; h < 0x10000; ++h) {
    if ((h & 0x7c00) == 0x7c00) continue;
    const auto hh = static_cast<std::uint16_t>(h);
    if (float_to_half(half_to_float(hh)) != hh) {
      FAIL("round trip of half " << h);
    }
  }
}

TEST_CASE("backend: scratch arena reuses memory across scopes") {
  ScratchArena arena(Device::cpu());
  void* first = nullptr;
  {
    ScratchArena::Scope scope(arena);
    Tensor a = arena.take({10, 7});
    Tensor b = arena.take({3}, DType::I32);
    first = a.raw();
    CHECK(reinterpret_cast<std::uintptr_t>(a.raw()) % 64 == 0);
    CHECK(reinterpret_cast<std::uintptr_t>(b.raw()) % 64 == 0);
    CHECK(b.raw() != a.raw());
    CHECK(static_cast<char*>(b.raw()) >= static_cast<char*>(a.raw()) + a.bytes());
    a.data<float>()[69] = 1.f;  // the whole extent is usable
  }
  const std::size_t reserved = arena.reserved_bytes();
  CHECK(reserved >= 280);
  {
    ScratchArena::Scope scope(arena);
    CHECK(arena.take({10, 7}).raw() == first);  // the same memory again, no new block
    {
      ScratchArena::Scope inner(arena);
      Tensor big = arena.take({std::int64_t{1} << 20});  // larger than the first block: a new one
      big.data<float>()[(std::int64_t{1} << 20) - 1] = 2.f;
      CHECK(arena.reserved_bytes() > reserved);
    }
    const std::size_t grown = arena.reserved_bytes();
    ScratchArena::Scope again(arena);
    arena.take({std::int64_t{1} << 20});
    CHECK(arena.reserved_bytes() == grown);  // the big block is reused, not reallocated
  }
  CHECK(&ScratchArena::local() == &ScratchArena::local(Device::cpu()));
  CHECK(arena.take({0, 3}).numel() == 0);
}
