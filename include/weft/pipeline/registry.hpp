// The Registry maps a category ("tokenizers", "languages", "components", later "architectures",
// "optimizers", ...) and a versioned name ("weft.Tokenizer.v1") to a factory. Everything a config can
// name is made through it, so alternative algorithms are just more entries. Built-in entries are added
// on first use by register_builtins(); user code adds its own with WEFT_REGISTER (C++) or the
// registry decorators of the Python module.
#pragma once

#include <any>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "weft/error.hpp"

namespace weft {

struct RegistryEntry {
  std::string category;
  std::string name;
  std::string description;
  std::string source;  // where it was registered ("builtin", "python", a C++ file)
  std::any factory;    // a std::function of the category's factory type
};

class Registry {
 public:
  // The process-wide registry, with the built-in entries.
  static Registry& global();

  // Adds an entry; throws ValueError when the name is already taken in the category (unless replace).
  template <class Factory>
  void add(const std::string& category, const std::string& name, Factory factory, std::string description = "",
           std::string source = "", bool replace = false) {
    add_entry({category, name, std::move(description), std::move(source), std::any(std::move(factory))}, replace);
  }
  // The factory for (category, name); throws KeyError listing the category's names when it is missing,
  // and ValueError when the entry's factory is not of the requested type.
  template <class Factory>
  const Factory& get(const std::string& category, const std::string& name) const {
    const RegistryEntry& e = entry(category, name);
    if (const auto* f = std::any_cast<Factory>(&e.factory)) return *f;
    throw ValueError("registry entry " + category + "/" + name + " has a factory of another type");
  }
  bool has(const std::string& category, const std::string& name) const;
  // The entry; a missing name is first offered to the resolver (set_resolver), then KeyError listing
  // the category's names (for components, also how to register a Python one).
  const RegistryEntry& entry(const std::string& category, const std::string& name) const;

  // Called, without the registry's lock, when a name is missing: it may register the name (the Python
  // module loads the "weft_factories" entry points this way) and returns whether it did.
  using Resolver = std::function<bool(const std::string& category, const std::string& name)>;
  void set_resolver(Resolver resolver);
  // has(), or else whether the resolver registered it.
  bool resolve(const std::string& category, const std::string& name) const;
  std::vector<std::string> categories() const;
  // Entries of one category (all categories when empty), sorted by category then name.
  std::vector<RegistryEntry> entries(const std::string& category = "") const;

 private:
  void add_entry(RegistryEntry e, bool replace);
  mutable std::recursive_mutex mutex_;
  std::shared_ptr<const Resolver> resolver_;  // under mutex_
  std::map<std::string, std::map<std::string, RegistryEntry>> table_;
};

// Adds the library's own entries to `r` (called once by Registry::global()).
void register_builtins(Registry& r);

namespace detail {
struct Registrar {
  template <class Factory>
  Registrar(const char* category, const char* name, Factory f, const char* description, const char* file) {
    Registry::global().add(category, name, std::move(f), description, file);
  }
};
}  // namespace detail

}  // namespace weft

// Registers a factory from user code at static-initialisation time:
//   WEFT_REGISTER(tokenizers, "my.Tokenizer.v1", weft::TokenizerFactory(...), "what it does");
#define WEFT_REGISTER_CAT2(a, b) a##b
#define WEFT_REGISTER_CAT(a, b) WEFT_REGISTER_CAT2(a, b)
#define WEFT_REGISTER(category, name, factory, description)                                       \
  static ::weft::detail::Registrar WEFT_REGISTER_CAT(weft_registrar_, __COUNTER__)(#category, name, \
                                                                                     factory, description, __FILE__)
