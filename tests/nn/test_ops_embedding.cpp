// Hashed embeddings: hash_rows against mix64, gather_sum_rows and scatter_add_rows against references
// and each other (scatter-add is the gradient of the gather), on every device.
#include <doctest/doctest.h>

#include <set>

#include "op_harness.hpp"
#include "op_test_util.hpp"
#include "weft/mix64.hpp"

using namespace weft::test;

TEST_CASE("backend: hash_rows maps keys to rows with one seed per column") {
  std::vector<std::uint64_t> keys;
  for (std::uint64_t i = 0; i < 50; ++i) keys.push_back(i * 0x9e3779b97f4a7c15ULL + 3);
  OpCase c;
  c.in = {Tensor::from_vector(keys, {50})};
  c.out = {Tensor::zeros({50, 4}, DType::I32)};
  const OpResult r = check_op_on_all_devices(c, [](Ops& ops, OpArgs& a) {
    ops.hash_rows(a.in[0], 7u, 1000, a.out[0]);
    return 0.0;
  });
  const std::vector<std::int32_t> rows = r.out[0].to_vector<std::int32_t>();
  std::set<std::int32_t> distinct;
  for (std::size_t i = 0; i < 50; ++i)
    for (std::size_t s = 0; s < 4; ++s) {
      const std::int32_t row = rows[i * 4 + s];
      CHECK(row == static_cast<std::int32_t>(weft::mix64(keys[i], 7 + s) % 1000));
      distinct.insert(row);
    }
  CHECK(distinct.size() > 150);  // seeds give different rows
  CHECK(weft::mix64(1, 0) == 0x910a2dec89025cc1ULL);  // splitmix64 of 1: the function is pinned for saved models
}

TEST_CASE("backend: gather_sum_rows and scatter_add_rows") {
  const Tensor table = random_tensor({10, 6}, 71);
  const std::vector<std::int32_t> ids{0, 3, 9, 3, 3, 3, 5, 1, 0, 7, 2, 2};
  const Tensor grad = random_tensor({4, 6}, 72);
  OpCase c;
  c.in = {table, Tensor::from_vector(ids, {4, 3}), grad, Tensor::from_vector(std::vector<std::int32_t>{4, 4, 0, 9}, {4})};
  c.out = {Tensor::zeros({4, 6}, DType::F32), random_tensor({10, 6}, 73), Tensor::zeros({4, 6}, DType::F32)};
  const std::vector<float> t0 = values(c.out[1]);
  const OpResult r = check_op_on_all_devices(c, [](Ops& ops, OpArgs& a) {
    ops.gather_sum_rows(a.in[0], a.in[1], a.out[0]);
    ops.scatter_add_rows(a.out[1], a.in[1], a.in[2]);  // repeated ids within and across rows accumulate
    ops.gather_sum_rows(a.in[0], a.in[3], a.out[2]);   // 1-D ids
    return 0.0;
  });
  const std::vector<float> tv = values(table), gv = values(grad), out = values(r.out[0]), single = values(r.out[2]);
  std::vector<float> want_table = t0;
  const std::vector<std::int32_t> ids1{4, 4, 0, 9};
  for (std::size_t i = 0; i < 4; ++i)
    for (std::size_t j = 0; j < 6; ++j) {
      float s = 0;
      for (std::size_t k = 0; k < 3; ++k) {
        s += tv[static_cast<std::size_t>(ids[i * 3 + k]) * 6 + j];
        want_table[static_cast<std::size_t>(ids[i * 3 + k]) * 6 + j] += gv[i * 6 + j];
      }
      CHECK(out[i * 6 + j] == doctest::Approx(s));
      CHECK(single[i * 6 + j] == tv[static_cast<std::size_t>(ids1[i]) * 6 + j]);
    }
  const std::vector<float> got_table = values(r.out[1]);
  for (std::size_t i = 0; i < want_table.size(); ++i) CHECK(got_table[i] == doctest::Approx(want_table[i]));
}

TEST_CASE("backend: scatter_add_rows is the gradient of gather_sum_rows") {
  Ops& ops = weft::backend::ops(Device::cpu());
  Tensor table = random_tensor({5, 3}, 81);
  const Tensor ids = Tensor::from_vector(std::vector<std::int32_t>{1, 4, 1, 1, 0, 2}, {3, 2});
  const Tensor r = random_tensor({3, 3}, 82);
  Tensor y = Tensor::empty({3, 3}, DType::F32);
  auto loss = [&] {
    ops.gather_sum_rows(table, ids, y);
    return project(y, r);
  };
  Tensor dtable = Tensor::zeros({5, 3}, DType::F32);
  ops.scatter_add_rows(dtable, ids, r);
  check_gradient(table, values(dtable), loss);
}

TEST_CASE("backend: embedding argument errors") {
  Ops& ops = weft::backend::ops(Device::cpu());
  Tensor table = Tensor::zeros({5, 3}, DType::F32), out = Tensor::zeros({2, 3}, DType::F32);
  Tensor bad_ids = Tensor::from_vector(std::vector<std::int32_t>{1, 5}, {2});
  CHECK_THROWS_WITH_AS(ops.gather_sum_rows(table, bad_ids, out), doctest::Contains("id 5 outside a table of 5 rows"), weft::ValueError);
  CHECK_THROWS_AS(ops.scatter_add_rows(table, bad_ids, out), weft::ValueError);
  CHECK(values(table) == std::vector<float>(15, 0.f));  // nothing written before the check failed
  Tensor neg = Tensor::from_vector(std::vector<std::int32_t>{-1, 0}, {2});
  CHECK_THROWS_AS(ops.gather_sum_rows(table, neg, out), weft::ValueError);
  Tensor ids = Tensor::from_vector(std::vector<std::int32_t>{1, 2}, {2});
  Tensor wrong = Tensor::zeros({2, 4}, DType::F32);
  CHECK_THROWS_AS(ops.gather_sum_rows(table, ids, wrong), weft::ValueError);
  Tensor keys = Tensor::from_vector(std::vector<std::uint64_t>{1, 2}, {2});
  Tensor rows = Tensor::zeros({2, 2}, DType::I32);
  CHECK_THROWS_AS(ops.hash_rows(keys, 0, 0, rows), weft::ValueError);
  CHECK_THROWS_AS(ops.hash_rows(ids, 0, 10, rows), weft::ValueError);  // keys must be u64
  Tensor rows3 = Tensor::zeros({3, 2}, DType::I32);
  CHECK_THROWS_AS(ops.hash_rows(keys, 0, 10, rows3), weft::ValueError);
}
