// SpanGroup and SpanGroups: spaCy's doc.spans, named groups of spans over one Doc. Spans in a group
// may overlap and each carries a label, a knowledge-base id and an id (spaCy's Span.label, kb_id, id).
// A group stores plain (start, end, label, kb_id, id) records, never pointers into its Doc, so a Doc
// that is copied or moved keeps valid groups; Doc::spans() owns them. The retokenizer maps every
// record through a merge or split (see retokenizer.hpp), DocBin (version 2) saves them.
//
// Groups are held by shared_ptr so that one group can sit under two keys and a binding's handle to a
// group stays usable after it leaves the map (spaCy: doc.spans["b"] = doc.spans["a"] stores the same
// object). Copying a SpanGroups copies every group (aliases become separate groups, as spaCy's
// SpanGroups.copy does).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "weft/strings/hash.hpp"

namespace weft {

// One span of a group: tokens [start, end) of the group's Doc (start == end is an empty span).
struct SpanRecord {
  std::uint32_t start = 0;
  std::uint32_t end = 0;
  hash_t label = 0;
  hash_t kb_id = 0;
  hash_t id = 0;
  bool operator==(const SpanRecord&) const = default;
};

struct SpanGroup {
  std::string name;
  // spaCy's SpanGroup.attrs as the text of a JSON object ("" = {}); C++ never reads it, DocBin keeps it.
  std::string attrs_json;
  std::vector<SpanRecord> spans;
  // The language binding's live attrs object (Python keeps the dict here so that group.attrs["k"] = v
  // sticks); it writes the object back to attrs_json before the group is saved. C++ never reads it.
  std::shared_ptr<void> binding_attrs;

  std::size_t size() const noexcept { return spans.size(); }
  bool empty() const noexcept { return spans.empty(); }
  // spaCy's has_overlap: whether two spans share a token (an empty span inside another counts, as
  // spaCy's test start < previous end).
  bool has_overlap() const;
};

class SpanGroups {
 public:
  using Item = std::pair<std::string, std::shared_ptr<SpanGroup>>;

  SpanGroups() = default;
  SpanGroups(const SpanGroups& other);  // copies every group
  SpanGroups& operator=(const SpanGroups& other);
  SpanGroups(SpanGroups&&) noexcept = default;
  SpanGroups& operator=(SpanGroups&&) noexcept = default;

  std::size_t size() const noexcept { return items_.size(); }
  bool empty() const noexcept { return items_.empty(); }
  bool contains(std::string_view key) const noexcept { return find(key) != nullptr; }
  // The group under `key`, or nullptr.
  SpanGroup* find(std::string_view key) noexcept;
  const SpanGroup* find(std::string_view key) const noexcept;
  std::shared_ptr<SpanGroup> shared(std::string_view key) const noexcept;
  // The group under `key`; KeyError when there is none.
  SpanGroup& at(std::string_view key);
  const SpanGroup& at(std::string_view key) const;
  // The group under `key`, made empty (named `key`) when there is none.
  SpanGroup& operator[](std::string_view key);
  // Puts `group` under `key` (a key already there keeps its place, as in a Python dict).
  void set(std::string_view key, std::shared_ptr<SpanGroup> group);
  // Removes `key`; false when it was not there.
  bool erase(std::string_view key);
  void clear() noexcept { items_.clear(); }
  // Keys and groups in insertion order.
  const std::vector<Item>& items() const noexcept { return items_; }
  std::vector<Item>::const_iterator begin() const noexcept { return items_.begin(); }
  std::vector<Item>::const_iterator end() const noexcept { return items_.end(); }

  // Maps every span through a retokenization: a span [s, e) of the old Doc becomes [new_start[s],
  // new_end[e - 1]) (an empty span [s, s) becomes [new_start[s], new_start[s])), where new_start[i]
  // is the new index of old token i's first piece and new_end[i] one past its last; index n (the old
  // size) maps to new_size. Each group is mapped once, even under two keys.
  void remap(const std::vector<std::uint32_t>& new_start, const std::vector<std::uint32_t>& new_end,
             std::size_t new_size);

 private:
  std::vector<Item> items_;
};

}  // namespace weft
