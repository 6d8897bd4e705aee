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
  register_biaffine_parser(r);
  register_ner(r);
  register_entity_ruler(r);
  register_punkt(r);
  register_perceptron_tagger(r);
  register_crf_entity_recognizer(r);
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

void Registry::set_resolver(Resolver resolver) {
  std::lock_guard lock(mutex_);
  resolver_ = resolver ? std::make_shared<const Resolver>(std::move(resolver)) : nullptr;
}

bool Registry::resolve(const std::string& category, const std::string& name) const {
  if (has(category, name)) return true;
  // One resolution at a time per thread: a resolver that asks the registry again is not re-entered.
  thread_local bool resolving = false;
  std::shared_ptr<const Resolver> resolver;
  {
    std::lock_guard lock(mutex_);
    resolver = resolver_;
  }
  if (!resolver || resolving) return false;
  resolving = true;
  bool ok = false;
  try {
    ok = (*resolver)(category, name);
  } catch (...) {
    resolving = false;
    throw;
  }
  resolving = false;
  return ok && has(category, name);
}

const RegistryEntry& Registry::entry(const std::string& category, const std::string& name) const {
  if (!has(category, name)) resolve(category, name);
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
    std::string hint;
    if (category == "components")
      hint = "; a Python component is registered with @weft.Language.component, @weft.Language.factory or "
             "@weft.registry.components in code imported first (weft.load(path, code=\"file.py\"), weft ... --code "
             "FILE) or in a package's \"weft_factories\" entry point";
    else if (category == "tokenizers")
      hint = "; a Python tokenizer is registered with @weft.registry.tokenizers in code imported first "
             "(weft.load(path, code=\"file.py\"), weft ... --code FILE)";
    throw KeyError("registry: no \"" + name + "\" in \"" + category + "\" (registered: " + known + ")" + hint);
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
