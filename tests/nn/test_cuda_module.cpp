// The CUDA module (libweft_cuda.so), loaded on first use of a CUDA device: what cuda_info() reports,
// the errors for CUDA requests where no device is available, and errors thrown inside the module.
// The CUDA ops themselves are tested by the parity cases (test_cuda_parity.cpp), on a GPU.
#include <doctest/doctest.h>

#include <cstdlib>
#include <string>

#include "backend/cuda_module.hpp"
#include "weft/backend/device_info.hpp"
#include "weft/backend/ops.hpp"
#include "weft/backend/tensor.hpp"
#include "weft/error.hpp"

using namespace weft::backend;

TEST_CASE("cuda module: cuda_info agrees with the device count and says why there is no device") {
  const CudaInfo& info = cuda_info();
  CHECK(&info == &cuda_info());  // asked once
  CHECK(info.devices == cuda_device_count());
  CHECK(cuda_available() == (info.devices > 0));
  CHECK(info.compiled == cuda_compiled());
  CHECK(info.error.empty() == (info.devices > 0));
  if (info.devices > 0) CHECK_FALSE(info.module.empty());
  if (info.compiled && info.module.empty()) CHECK(info.error.find("libweft_cuda.so") != std::string::npos);
  CHECK((loaded_cuda_module() != nullptr) == !info.module.empty());
}

// scripts/device_nn.sh sets WEFT_EXPECT_CUDA=1 where nvidia-smi sees a GPU, so that a module that fails
// to load there fails the run instead of skipping every CUDA case.
bool cuda_expected() {
  const char* value = std::getenv("WEFT_EXPECT_CUDA");
  return value != nullptr && std::string(value) == "1";
}

TEST_CASE("cuda module: a GPU is visible where one is expected (WEFT_EXPECT_CUDA=1)" * doctest::skip(!cuda_expected())) {
  INFO("CUDA: " << cuda_info().error << " (module: " << cuda_info().module << ")");
  CHECK(cuda_available());
}

// Skipped where a CUDA device is present: the no-GPU error paths are not reachable there.
TEST_CASE("cuda module: cuda devices are refused cleanly without a GPU" * doctest::skip(cuda_available())) {
  const std::string why = cuda_info().error;
  CHECK_THROWS_WITH_AS(ops(Device::cuda(0)), doctest::Contains(("no CUDA device cuda:0: CUDA is not available (" + why + ")").c_str()),
                       weft::ValueError);
  CHECK_THROWS_WITH_AS(Tensor::zeros({2}, DType::F32, Device::cuda(0)), doctest::Contains(why.c_str()), weft::ValueError);
  CHECK_THROWS_AS(Tensor::empty({0}, DType::F32, Device::cuda(1)), weft::ValueError);
  CHECK_THROWS_AS(Tensor::from_vector<float>({1.f, 2.f}, {2}).to(Device::cuda(0)), weft::ValueError);
}

// Where the module loads but sees no device (a CPU-only machine with the CUDA build): an exception the
// module throws (its CudaError, from the runtime's answer) is caught in the core as a weft::Error,
// across the dlopen boundary.
TEST_CASE("cuda module: errors thrown inside the module reach the core as weft::Error" *
          doctest::skip(loaded_cuda_module() == nullptr || cuda_available())) {
  CHECK_THROWS_AS(loaded_cuda_module()->alloc(0, 64), weft::Error);
  CHECK_THROWS_WITH_AS(loaded_cuda_module()->ops(0), doctest::Contains("cuda ops: cudaGetDevice failed"), weft::Error);
}
