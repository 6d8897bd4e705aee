#include "weft/pipeline/registry.hpp"

#include <algorithm>

#include "pipeline/builtins.hpp"

namespace weft {

Registry& Registry::global() {
  static Registry* registry = [] {
    auto* r = new Registry();  // never destroyed: entries may be used during static destruction
    register_builtins(*r);
    return r;
  }();
  return *registry;
}

void register_builtins(Registry& r) {
  register_languages(r);
  register_tokenizers(r);
  register_sentencizer(r);
  register_tok2vec(r);
  register_taggers(r);
  register_lemmatizer(r);
  register_parser(r);
  register_ner(r);
  register_entity_ruler(r);
}

void Registry::add_entry(RegistryEntry e, bool replace) {
  std::lock_guard lock(mutex_);
  auto& cat = table_[e.category];
  if (!replace && cat.count(e.name))
    throw ValueError("registry: \"" + e.name + "\" is already registered in \"" + e.category + "\"");
  if (e.source.empty()) e.source = "builtin";
  const std::string name = e.name;
  cat[name] = std::move(e);
}

bool Registry::has(const std::string& category, const std::string& name) const {
  std::lock_guard lock(mutex_);
  auto it = table_.find(category);
  return it != table_.end() && it->second.count(name);
}

const RegistryEntry& Registry::entry(const std::string& category, const std::string& name) const {
  std::lock_guard lock(mutex_);
  auto it = table_.find(category);
  if (it == table_.end()) {
    std::string known;
    for (const auto& [c, _] : table_) known += (known.empty() ? "" : ", ") + c;
    throw KeyError("registry: no category \"" + category + "\" (known: " + known + ")");
  }
  auto e = it->second.find(name);
  if (e == it->second.end()) {
    std::string known;
    for (const auto& [n, _] : it->second) known += (known.empty() ? "" : ", ") + n;
    throw KeyError("registry: no \"" + name + "\" in \"" + category + "\" (registered: " + known + ")");
  }
  return e->second;
}

std::vector<std::string> Registry::categories() const {
  std::lock_guard lock(mutex_);
  std::vector<std::string> out;
  for (const auto& [c, _] : table_) out.push_back(c);
  return out;
}

std::vector<RegistryEntry> Registry::entries(const std::string& category) const {
  std::lock_guard lock(mutex_);
  std::vector<RegistryEntry> out;
  for (const auto& [c, names] : table_) {
    if (!category.empty() && c != category) continue;
    for (const auto& [_, e] : names) out.push_back(e);
  }
  return out;
}

}  // namespace weft
