// StringStore: the two-way map between a string and its stable 64-bit hash (hash.hpp). Documents and
// models store hashes; the store turns them back into text. It is safe to use from many threads:
// lookups take a shared lock, additions an exclusive one, and returned views stay valid for the
// store's lifetime because strings live in an append-only arena.
// A frozen store (a loaded model's) refuses additions so memory stays bounded while streaming;
// strings first seen at run time live in the Doc that needs them (doc.hpp).
#pragma once

#include <atomic>
#include <cstddef>
#include <deque>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "weft/strings/hash.hpp"

namespace weft {

class StringStore {
 public:
  StringStore() = default;
  StringStore(const StringStore&) = delete;
  StringStore& operator=(const StringStore&) = delete;

  // Adds the string (if new) and returns its hash. Throws ValueError when the store is frozen and the
  // string is new.
  hash_t add(std::string_view s);
  // The string for a hash, or nullopt. The empty string (hash 0) is always present.
  std::optional<std::string_view> find(hash_t h) const;
  // The string for a hash; throws KeyError naming the hash when it is unknown.
  std::string_view at(hash_t h) const;
  bool contains(hash_t h) const;
  bool contains(std::string_view s) const { return contains(hash_string(s)); }
  std::size_t size() const;

  void freeze() { frozen_.store(true); }
  bool frozen() const { return frozen_.load(); }

  // All strings in insertion order (for saving a vocabulary).
  std::vector<std::string_view> strings() const;

 private:
  mutable std::shared_mutex mutex_;
  std::unordered_map<hash_t, std::string_view> map_;
  std::vector<std::string_view> order_;
  std::deque<std::unique_ptr<char[]>> arena_;
  std::size_t arena_left_ = 0;
  char* arena_ptr_ = nullptr;
  std::atomic<bool> frozen_{false};
};

}  // namespace weft
