// A pipeline component: something that annotates Docs in place after tokenization (sentencizer,
// tagger, parser, ...). Components are made through the Registry ("components" category) from a
// name and a JSON config; a loaded component is immutable and shared by all threads.
#pragma once

#include <functional>
#include <memory>
#include <span>
#include <string>

#include "weft/doc/doc.hpp"
#include "weft/json.hpp"

namespace weft {

class Component {
 public:
  explicit Component(std::string name) : name_(std::move(name)) {}
  virtual ~Component() = default;

  const std::string& name() const noexcept { return name_; }
  // The registry name of the factory that made it ("weft.Sentencizer.v1").
  virtual std::string factory_name() const = 0;
  // The config that recreates it (without the name).
  virtual Json config() const = 0;

  // Annotates one Doc.
  virtual void operator()(Doc& doc) const = 0;
  // Annotates a batch (components with batched models override this).
  virtual void pipe(std::span<Doc> docs) const {
    for (Doc& d : docs) (*this)(d);
  }

 private:
  std::string name_;
};

// Registry factory type for the "components" category: (instance name, config, vocab) -> component.
using ComponentFactory =
    std::function<std::unique_ptr<Component>(const std::string& name, const Json& config, std::shared_ptr<Vocab>)>;

}  // namespace weft
