#include "weft/strings/string_store.hpp"

#include <cstring>
#include <mutex>

#include "weft/error.hpp"

namespace weft {

namespace {
constexpr std::size_t kArenaBlock = 64 * 1024;
}

hash_t StringStore::add(std::string_view s) {
  const hash_t h = hash_string(s);
  if (h == 0) return 0;
  {
    std::shared_lock lock(mutex_);
    if (map_.count(h)) return h;
  }
  std::unique_lock lock(mutex_);
  if (map_.count(h)) return h;
  if (frozen_) throw ValueError("cannot add \"" + std::string(s.substr(0, 80)) + "\" to a frozen StringStore");
  char* dst;
  if (s.size() > kArenaBlock / 4) {
    arena_.emplace_back(new char[s.size()]);
    dst = arena_.back().get();
  } else {
    if (arena_left_ < s.size()) {
      arena_.emplace_back(new char[kArenaBlock]);
      arena_ptr_ = arena_.back().get();
      arena_left_ = kArenaBlock;
    }
    dst = arena_ptr_;
    arena_ptr_ += s.size();
    arena_left_ -= s.size();
  }
  std::memcpy(dst, s.data(), s.size());
  std::string_view stored(dst, s.size());
  map_.emplace(h, stored);
  order_.push_back(stored);
  return h;
}

std::optional<std::string_view> StringStore::find(hash_t h) const {
  if (h == 0) return std::string_view();
  std::shared_lock lock(mutex_);
  auto it = map_.find(h);
  if (it == map_.end()) return std::nullopt;
  return it->second;
}

std::string_view StringStore::at(hash_t h) const {
  if (auto s = find(h)) return *s;
  throw KeyError("no string for hash " + std::to_string(h) + " in the StringStore");
}

bool StringStore::contains(hash_t h) const {
  if (h == 0) return true;
  std::shared_lock lock(mutex_);
  return map_.count(h) != 0;
}

std::size_t StringStore::size() const {
  std::shared_lock lock(mutex_);
  return map_.size();
}

std::vector<std::string_view> StringStore::strings() const {
  std::shared_lock lock(mutex_);
  return order_;
}

}  // namespace weft
