// Pipeline: the `nlp` object. A tokenizer plus an ordered list of components sharing one Vocab.
// Once built it is used read-only, so one Pipeline serves any number of threads. pipe() streams:
// it reads input in batches, processes up to n_threads batches at once and hands documents to the
// sink in input order, never holding more than a few batches.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "weft/pipeline/component.hpp"
#include "weft/tokenize/tokenizer_base.hpp"

namespace weft {

// One unit of pipe() input: raw text to tokenize, or a Doc that is already tokenized (CoNLL-U input).
struct PipeInput {
  std::string text;
  std::optional<Doc> doc;
  std::string meta_json;  // copied into the Doc's extras (JSONL "meta")
};

struct PipeOptions {
  std::size_t batch_size = 256;  // documents per batch
  int n_threads = 1;
};

class Pipeline {
 public:
  Pipeline(std::shared_ptr<Vocab> vocab, std::unique_ptr<TokenizerBase> tokenizer, std::string lang);
  Pipeline(Pipeline&&) = default;
  Pipeline& operator=(Pipeline&&) = default;

  // A pipeline with the language's vocabulary and tokenizer and no components (spacy.blank).
  static Pipeline blank(const std::string& lang);

  const std::string& lang() const noexcept { return lang_; }
  const std::shared_ptr<Vocab>& vocab() const noexcept { return vocab_; }
  const TokenizerBase& tokenizer() const noexcept { return *tokenizer_; }
  const std::shared_ptr<TokenizerBase>& tokenizer_ptr() const noexcept { return tokenizer_; }
  void set_tokenizer(std::shared_ptr<TokenizerBase> tokenizer);

  // spaCy's nlp.max_length: the longest text, in characters (code points, as Python's len counts
  // them), that make_doc, operator() and pipe take; a longer one is a ValueError (check_length). 0: no
  // limit. The default is spaCy's, 1,000,000 characters, so that code written for spaCy behaves the
  // same; weft annotates a long text in bounded memory, so the limit can be raised safely.
  static constexpr std::size_t kDefaultMaxLength = 1'000'000;
  std::size_t max_length() const noexcept { return max_length_; }
  void set_max_length(std::size_t characters) noexcept { max_length_ = characters; }
  // ValueError when `text` is longer than max_length, naming its length, the limit and how to raise it.
  void check_length(std::string_view text) const;
  // The message of that error, for callers that report it with a location (weft run: file and line).
  static std::string length_error(std::size_t length, std::size_t max_length);

  // spaCy's doc.tensor: with keep_tensors on, every tok2vec component leaves its output on the Docs it
  // annotates (Doc::tensor, a view of the batch's output: no copy; the last tok2vec's stays, as in
  // spaCy). Off by default, so a Doc costs nothing more; on, each Doc keeps its batch's output alive
  // (width * 4 bytes a token of the batch) for as long as it lives. A setting of the object, not saved.
  bool keep_tensors() const noexcept { return keep_tensors_; }
  void set_keep_tensors(bool on) noexcept { keep_tensors_ = on; }

  // Tokenizes only (after check_length).
  Doc make_doc(std::string text) const {
    check_length(text);
    return (*tokenizer_)(std::move(text));
  }
  // Tokenizes and runs every enabled component.
  Doc operator()(std::string text) const;
  // Runs the enabled components on an already tokenized Doc.
  void annotate(Doc& doc) const;
  void annotate(std::span<Doc> docs) const;
  // The same on Docs whose sentence boundaries are part of the input (gold CoNLL-U): components that
  // only set sentence boundaries (the sentencizer) are left out; a parser keeps the given ones.
  void annotate_sentences(std::span<Doc> docs) const;
  // Whether a component sets sentence boundaries (it assigns token.is_sent_start: a sentencizer, a
  // parser), and whether that is all it sets (a sentencizer or senter).
  static bool is_segmenter(const Component& c);
  static bool is_sentence_only(const Component& c);

  // Streams documents from `source` (nullopt ends the stream) to `sink`, in order.
  void pipe(const std::function<std::optional<PipeInput>()>& source, const std::function<void(Doc&)>& sink,
            const PipeOptions& options = {}) const;
  // One batch of pipe() input, tokenized (texts) and annotated, in order.
  std::vector<Doc> process(std::vector<PipeInput> batch) const;
  // Convenience: processes a list of texts.
  std::vector<Doc> pipe(const std::vector<std::string>& texts, const PipeOptions& options = {}) const;

  // The device the networks run on (spaCy's nlp.to / require_gpu): moves every component's networks
  // there, and components added later follow. Throws ValueError (naming CUDA and why it is not
  // available) for a device this process cannot use, leaving the pipeline where it was. Not
  // thread-safe with annotation.
  void to(backend::Device device);
  backend::Device device() const noexcept { return device_; }

  // Components (spaCy names). add_pipe makes the component through the Registry; `before`/`after`
  // name an existing component, empty appends.
  Component& add_pipe(const std::string& factory, std::string name = "", const Json& config = Json::object(),
                      const std::string& before = "", const std::string& after = "");
  // Takes the component out and returns it (spaCy's remove_pipe): it stays a working object.
  std::shared_ptr<Component> remove_pipe(const std::string& name);
  // Puts a new component made by `factory` in the place of `name` (spaCy's replace_pipe), same name.
  Component& replace_pipe(const std::string& name, const std::string& factory, const Json& config = Json::object());
  // Renames a component (spaCy's rename_pipe); ValueError when `new_name` is taken.
  void rename_pipe(const std::string& old_name, const std::string& new_name);
  Component& get_pipe(const std::string& name) const;
  // The component as a shared object (Python views hold it, so it outlives its removal).
  std::shared_ptr<Component> get_pipe_ptr(const std::string& name) const;
  // The registry factory name it was made with.
  const std::string& factory_of(const std::string& name) const;
  bool has_pipe(const std::string& name) const;
  std::vector<std::string> component_names() const;  // all, in order
  std::vector<std::string> pipe_names() const;       // enabled ones, in order
  void disable_pipe(const std::string& name);
  void enable_pipe(const std::string& name);
  std::vector<std::string> disabled() const;

  // {"lang", "pipeline": [names], "disabled": [names]} and {name: {"factory": ..., config...}}: the
  // sections of config.json that rebuild this pipeline.
  Json nlp_config() const;
  Json components_config() const;
  // meta.json of a loaded model (empty object for a blank pipeline).
  const Json& meta() const noexcept { return meta_; }
  void set_meta(Json meta) { meta_ = std::move(meta); }

 private:
  struct Slot {
    std::shared_ptr<Component> component;
    std::string factory;
    bool enabled = true;
  };
  std::size_t index_of(const std::string& name) const;
  std::shared_ptr<Vocab> vocab_;
  std::shared_ptr<TokenizerBase> tokenizer_;
  std::string lang_;
  std::vector<Slot> slots_;
  Json meta_ = Json::object();
  std::size_t max_length_ = kDefaultMaxLength;
  bool keep_tensors_ = false;
  backend::Device device_ = backend::Device::cpu();
};

}  // namespace weft
