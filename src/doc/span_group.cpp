#include "weft/doc/span_group.hpp"

#include <algorithm>
#include <unordered_set>

#include "weft/error.hpp"

namespace weft {

bool SpanGroup::has_overlap() const {
  if (spans.size() < 2) return false;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> sorted;
  sorted.reserve(spans.size());
  for (const SpanRecord& r : spans) sorted.emplace_back(r.start, r.end);
  std::sort(sorted.begin(), sorted.end());
  // spaCy: sorted by start, a span overlaps when it starts before the previous one's end.
  for (std::size_t k = 1; k < sorted.size(); ++k)
    if (sorted[k].first < sorted[k - 1].second) return true;
  return false;
}

SpanGroups::SpanGroups(const SpanGroups& other) {
  items_.reserve(other.items_.size());
  for (const auto& [key, group] : other.items_) items_.emplace_back(key, std::make_shared<SpanGroup>(*group));
}

SpanGroups& SpanGroups::operator=(const SpanGroups& other) {
  if (this != &other) {
    SpanGroups copy(other);
    items_ = std::move(copy.items_);
  }
  return *this;
}

SpanGroup* SpanGroups::find(std::string_view key) noexcept {
  for (auto& item : items_)
    if (item.first == key) return item.second.get();
  return nullptr;
}

const SpanGroup* SpanGroups::find(std::string_view key) const noexcept {
  for (const auto& item : items_)
    if (item.first == key) return item.second.get();
  return nullptr;
}

std::shared_ptr<SpanGroup> SpanGroups::shared(std::string_view key) const noexcept {
  for (const auto& item : items_)
    if (item.first == key) return item.second;
  return nullptr;
}

SpanGroup& SpanGroups::at(std::string_view key) {
  if (SpanGroup* g = find(key)) return *g;
  throw KeyError("no span group \"" + std::string(key) + "\" in doc.spans");
}

const SpanGroup& SpanGroups::at(std::string_view key) const {
  if (const SpanGroup* g = find(key)) return *g;
  throw KeyError("no span group \"" + std::string(key) + "\" in doc.spans");
}

SpanGroup& SpanGroups::operator[](std::string_view key) {
  if (SpanGroup* g = find(key)) return *g;
  auto group = std::make_shared<SpanGroup>();
  group->name = std::string(key);
  items_.emplace_back(std::string(key), group);
  return *group;
}

void SpanGroups::set(std::string_view key, std::shared_ptr<SpanGroup> group) {
  if (!group) throw ValueError("doc.spans: cannot store a null span group under \"" + std::string(key) + "\"");
  for (auto& item : items_) {
    if (item.first == key) {
      item.second = std::move(group);
      return;
    }
  }
  items_.emplace_back(std::string(key), std::move(group));
}

bool SpanGroups::erase(std::string_view key) {
  const auto it = std::find_if(items_.begin(), items_.end(), [&](const Item& item) { return item.first == key; });
  if (it == items_.end()) return false;
  items_.erase(it);
  return true;
}

void SpanGroups::remap(const std::vector<std::uint32_t>& new_start, const std::vector<std::uint32_t>& new_end,
                       std::size_t new_size) {
  const std::size_t n = new_start.size();
  const auto start_of = [&](std::uint32_t i) {
    return i < n ? new_start[i] : static_cast<std::uint32_t>(new_size);
  };
  std::unordered_set<const SpanGroup*> done;
  for (auto& [key, group] : items_) {
    if (!done.insert(group.get()).second) continue;
    for (SpanRecord& r : group->spans) {
      if (r.start >= r.end || r.end > n) {  // empty (or, defensively, past the end): keep it empty
        r.start = r.end = start_of(std::min<std::uint32_t>(r.start, static_cast<std::uint32_t>(n)));
        continue;
      }
      r.start = start_of(r.start);
      r.end = new_end[r.end - 1];
    }
  }
}

}  // namespace weft
