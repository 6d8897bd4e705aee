// Shared helpers of the C++ tests: paths to test data (resolved against the source tree), temporary
// folders, and the message of the error a call throws.
#pragma once

#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "weft/doc/doc_chunks.hpp"

namespace weft::test {
inline std::string source_path(const std::string& rel) { return std::string(WEFT_SOURCE_DIR) + "/" + rel; }
inline std::string data_path(const std::string& rel) { return source_path("data/" + rel); }
// The first n non-empty lines of the EWT dev text (data/en_ewt/dev.txt).
inline std::vector<std::string> dev_lines(std::size_t n) {
  std::ifstream in(data_path("en_ewt/dev.txt"));
  std::vector<std::string> out;
  for (std::string line; out.size() < n && std::getline(in, line);)
    if (!line.empty()) out.push_back(line);
  return out;
}
// Set the inference chunking / device_paths() for their lifetime (doc_chunks.hpp).
struct Chunking {
  InferenceChunking before = inference_chunking();
  explicit Chunking(InferenceChunking c) { set_inference_chunking(c); }
  ~Chunking() { set_inference_chunking(before); }
  Chunking(const Chunking&) = delete;
  Chunking& operator=(const Chunking&) = delete;
};
struct DevicePaths {
  DevicePaths() { set_device_paths(true); }
  ~DevicePaths() { set_device_paths(false); }
  DevicePaths(const DevicePaths&) = delete;
  DevicePaths& operator=(const DevicePaths&) = delete;
};
// A fresh (removed if present) folder under the system's temporary directory, unique per process.
inline std::filesystem::path temp_dir(const std::string& name) {
  std::filesystem::path p = std::filesystem::temp_directory_path() / ("weft_test_" + name + "_" + std::to_string(::getpid()));
  std::filesystem::remove_all(p);
  return p;
}

// what() of the E that `call` throws; fails the test when it throws nothing.
template <class E, class Call>
std::string error_message(Call&& call, const std::string& input) {
  try {
    call();
  } catch (const E& e) {
    return e.what();
  }
  FAIL("no error for: " << input);
  return {};
}
}  // namespace weft::test
