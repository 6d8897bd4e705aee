// A pipeline component: something that annotates Docs in place after tokenization (sentencizer,
// tagger, parser, ...). Components are made through the Registry ("components" category) from a
// name and a JSON config; a loaded component is immutable and shared by all threads.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "weft/backend/device.hpp"
#include "weft/doc/doc.hpp"
#include "weft/json.hpp"
#include "weft/nn/ragged.hpp"

namespace weft {

class TokenizerBase;
class TokenEncoder;
class TrainablePipe;

// A component that learns from raw text, without annotations (Punkt's abbreviations, collocations and
// sentence starters): `weft train` gives it the training corpus's text (a .txt file, or the documents'
// text of a CoNLL-U file) before anything else is trained. Learning replaces what it had learnt.
class TextLearner {
 public:
  virtual ~TextLearner() = default;
  virtual void learn_from_text(std::string_view text) = 0;
  // One line on what it learnt, for the training log.
  virtual std::string learnt_summary() const = 0;
};

// What the components of one pipeline pass see of each other while annotating one batch: the output
// of every tok2vec component that ran, by component name, which listening components read (spaCy's
// listener pattern: one shared encoder, several heads).
struct PipeContext {
  std::map<std::string, nn::Ragged> tok2vec;
  // Whether a tok2vec also leaves its output on each Doc (Doc::tensor, spaCy's doc.tensor):
  // Pipeline::keep_tensors.
  bool keep_tensors = false;
};

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
  // Annotates a batch inside a pipeline pass; listening components read `context`.
  virtual void pipe(std::span<Doc> docs, PipeContext& context) const {
    (void)context;
    pipe(docs);
  }

  // A model folder holds one sub-folder per component with what the config cannot say (weights,
  // labels). Components without such state write nothing.
  virtual void to_disk(const std::filesystem::path& dir) const { (void)dir; }
  virtual void from_disk(const std::filesystem::path& dir) { (void)dir; }

  // Moves its networks to a device (Pipeline::to): on a GPU they run there in large batches, on the CPU
  // in their CPU inference forms again. Components without a network ignore it. Not thread-safe with
  // annotation (as from_disk).
  virtual void to(backend::Device device) { (void)device; }

  // Components that tokenize text of their own (the entity ruler's phrase patterns) use the pipeline's
  // tokenizer: the Pipeline gives it when the component is added and again whenever it is replaced.
  // The tokenizer is shared, so a component removed from its pipeline (or outliving it) keeps a valid one.
  virtual void set_tokenizer(std::shared_ptr<const TokenizerBase> tokenizer) { (void)tokenizer; }

  // What it writes on a Doc, in spaCy's `assigns` terms ("token.tag", "token.is_sent_start",
  // "doc.ents", ...). The pipeline tells sentence segmenters by it: a component that assigns
  // token.is_sent_start segments, and one that assigns nothing else only segments.
  virtual std::vector<std::string> assigns() const { return {}; }

  // The roles it plays in training, which the trainer asks instead of casting: an encoder that other
  // components listen to (tok2vec), a head with a model that training updates (TrainablePipe), a
  // learner from raw text (Punkt).
  virtual TokenEncoder* as_encoder() noexcept { return nullptr; }
  virtual TrainablePipe* as_trainable() noexcept { return nullptr; }
  // A learner from raw text (TextLearner), which training gives the corpus's text.
  virtual TextLearner* as_text_learner() noexcept { return nullptr; }

  // The Pipeline renames a component (rename_pipe); the name is otherwise fixed.
  void set_name(std::string name) { name_ = std::move(name); }

 private:
  std::string name_;
};

// Registry factory type for the "components" category: (instance name, config, vocab) -> component.
using ComponentFactory =
    std::function<std::unique_ptr<Component>(const std::string& name, const Json& config, std::shared_ptr<Vocab>)>;

}  // namespace weft
