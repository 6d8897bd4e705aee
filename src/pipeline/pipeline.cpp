#include "weft/pipeline/pipeline.hpp"

#include <algorithm>
#include <span>

#include "weft/backend/ops.hpp"
#include "weft/error.hpp"
#include "weft/pipeline/language.hpp"
#include "weft/pipeline/pipe_workers.hpp"
#include "weft/pipeline/registry.hpp"
#include "weft/strings/utf8.hpp"

namespace weft {

std::unique_ptr<TokenizerBase> make_tokenizer(const Json& config, std::shared_ptr<Vocab> vocab) {
  if (!config.is_object() || !config.contains("@tokenizers") || !config["@tokenizers"].is_string())
    throw ValueError("tokenizer config needs a string \"@tokenizers\" naming a registered tokenizer");
  const auto& factory = Registry::global().get<TokenizerFactory>("tokenizers", config["@tokenizers"].get<std::string>());
  return factory(config, std::move(vocab));
}

Pipeline::Pipeline(std::shared_ptr<Vocab> vocab, std::unique_ptr<TokenizerBase> tokenizer, std::string lang)
    : vocab_(std::move(vocab)), tokenizer_(std::move(tokenizer)), lang_(std::move(lang)) {
  if (!vocab_ || !tokenizer_) throw ValueError("a Pipeline needs a Vocab and a tokenizer");
}

Pipeline Pipeline::blank(const std::string& lang) {
  const LanguageData data = language_data(lang);
  auto vocab = make_vocab(data);
  auto tokenizer = make_tokenizer(data.tokenizer, vocab);
  return Pipeline(vocab, std::move(tokenizer), lang);
}

void Pipeline::set_tokenizer(std::shared_ptr<TokenizerBase> tokenizer) {
  if (!tokenizer) throw ValueError("set_tokenizer: null tokenizer");
  // Components that keep the tokenizer are told first; should one refuse it, those told already go
  // back to the current one.
  std::size_t told = 0;
  try {
    for (; told < slots_.size(); ++told) slots_[told].component->set_tokenizer(tokenizer);
  } catch (...) {
    for (std::size_t i = 0; i < told; ++i) slots_[i].component->set_tokenizer(tokenizer_);
    throw;
  }
  tokenizer_ = std::move(tokenizer);
}

std::string Pipeline::length_error(std::size_t length, std::size_t max_length) {
  return "Text of length " + std::to_string(length) + " exceeds maximum of " + std::to_string(max_length) +
         " characters (nlp.max_length). weft annotates a long text in bounded memory (a few hundred bytes a word "
         "beyond the Doc itself), so the limit can be raised: nlp.max_length = N in Python, "
         "Pipeline::set_max_length(N) in C++, weft run --max-length N; 0 means no limit. The limit counts "
         "characters (code points), as len(text) does in Python.";
}

void Pipeline::check_length(std::string_view text) const {
  // A text of no more bytes than the limit has no more characters: only longer ones are counted.
  if (max_length_ == 0 || text.size() <= max_length_) return;
  const std::size_t n = utf8::length(text);
  if (n > max_length_) throw ValueError(length_error(n, max_length_));
}

Doc Pipeline::operator()(std::string text) const {
  Doc doc = make_doc(std::move(text));
  annotate(doc);
  return doc;
}

void Pipeline::annotate(Doc& doc) const { annotate(std::span<Doc>(&doc, 1)); }

void Pipeline::annotate(std::span<Doc> docs) const {
  PipeContext context;
  context.keep_tensors = keep_tensors_;
  for (const Slot& s : slots_)
    if (s.enabled) s.component->pipe(docs, context);
}

void Pipeline::annotate_sentences(std::span<Doc> docs) const {
  PipeContext context;
  context.keep_tensors = keep_tensors_;
  for (const Slot& s : slots_)
    if (s.enabled && !is_sentence_only(*s.component)) s.component->pipe(docs, context);
}

bool Pipeline::is_segmenter(const Component& c) {
  const std::vector<std::string> a = c.assigns();
  return std::find(a.begin(), a.end(), "token.is_sent_start") != a.end();
}

bool Pipeline::is_sentence_only(const Component& c) {
  const std::vector<std::string> a = c.assigns();
  return !a.empty() && std::all_of(a.begin(), a.end(), [](const std::string& x) {
    return x == "token.is_sent_start" || x == "doc.sents";
  });
}

std::vector<Doc> Pipeline::process(std::vector<PipeInput> batch) const {
  std::vector<Doc> docs;
  docs.reserve(batch.size());
  for (PipeInput& in : batch) {
    Doc doc = in.doc ? std::move(*in.doc) : make_doc(std::move(in.text));
    if (!in.meta_json.empty()) doc.extras().meta_json = std::move(in.meta_json);
    docs.push_back(std::move(doc));
  }
  annotate(std::span<Doc>(docs));
  return docs;
}

void Pipeline::pipe(const std::function<std::optional<PipeInput>()>& source, const std::function<void(Doc&)>& sink,
                    const PipeOptions& options) const {
  const std::size_t batch_size = std::max<std::size_t>(1, options.batch_size);
  const std::size_t threads = static_cast<std::size_t>(std::max(1, options.n_threads));

  // Reading stays on the calling thread (sources are not thread-safe); batches are processed by
  // up to `threads` workers and handed to the sink in input order.
  auto read_batch = [&](std::vector<PipeInput>& batch) {
    batch.clear();
    while (batch.size() < batch_size) {
      std::optional<PipeInput> in = source();
      if (!in) break;
      batch.push_back(std::move(*in));
    }
    return !batch.empty();
  };
  std::vector<PipeInput> batch;
  if (threads == 1) {
    while (read_batch(batch))
      for (Doc& d : process(std::move(batch))) sink(d);
    return;
  }
  // Worker threads for the length of the call (their thread-local scratch memory and tokenizer
  // caches stay warm across its batches), at most 2 batches per worker in flight, results handed to
  // the sink in input order on this thread. A failed batch's exception reaches the caller after the
  // batches before it were handed on.
  PipeWorkers workers(*this, static_cast<int>(threads));
  PipeWorkers::Stream stream(workers);
  while (read_batch(batch)) {
    stream.submit(std::move(batch));
    batch = {};
    while (stream.in_flight() >= 2 * threads)
      for (Doc& d : stream.next()) sink(d);
    while (auto docs = stream.try_next())
      for (Doc& d : *docs) sink(d);
  }
  while (stream.in_flight() > 0)
    for (Doc& d : stream.next()) sink(d);
}

std::vector<Doc> Pipeline::pipe(const std::vector<std::string>& texts, const PipeOptions& options) const {
  std::size_t next = 0;
  std::vector<Doc> out;
  out.reserve(texts.size());
  pipe([&]() -> std::optional<PipeInput> {
         if (next == texts.size()) return std::nullopt;
         return PipeInput{texts[next++], std::nullopt, {}};
       },
       [&](Doc& d) { out.push_back(std::move(d)); }, options);
  return out;
}

std::size_t Pipeline::index_of(const std::string& name) const {
  for (std::size_t i = 0; i < slots_.size(); ++i)
    if (slots_[i].component->name() == name) return i;
  std::string known;
  for (const auto& s : slots_) known += (known.empty() ? "" : ", ") + s.component->name();
  throw KeyError("no component \"" + name + "\" in the pipeline (components: " + (known.empty() ? "none" : known) + ")");
}

namespace {

// Makes a component through the registry. A config value of the wrong type that a factory reads with
// nlohmann's accessors (j.value("width", 64) on a string) throws nlohmann's type_error, which is not a
// weft::Error: it becomes the ValueError every other bad config value gives, naming the component.
std::shared_ptr<Component> make_component(const std::string& factory, const std::string& name, const Json& config,
                                          const std::shared_ptr<Vocab>& vocab) {
  const auto& make = Registry::global().get<ComponentFactory>("components", factory);
  try {
    return make(name, config.is_null() ? Json::object() : config, vocab);
  } catch (const nlohmann::json::exception& e) {
    std::string what = e.what();
    if (const auto p = what.find("] "); what.rfind("[json.exception.", 0) == 0 && p != std::string::npos)
      what = what.substr(p + 2);
    std::string shown = config.dump(-1, ' ', false, Json::error_handler_t::replace);
    if (shown.size() > 300) shown = shown.substr(0, 300) + "...";
    throw ValueError("component \"" + name + "\" (factory \"" + factory + "\"): invalid config value: " + what +
                     " (config: " + shown + ")");
  }
}

}  // namespace

Component& Pipeline::add_pipe(const std::string& factory, std::string name, const Json& config,
                              const std::string& before, const std::string& after) {
  if (name.empty()) name = factory;
  if (has_pipe(name)) throw ValueError("a component named \"" + name + "\" is already in the pipeline");
  if (!before.empty() && !after.empty()) throw ValueError("add_pipe: give `before` or `after`, not both");
  std::shared_ptr<Component> component = make_component(factory, name, config, vocab_);
  component->set_tokenizer(tokenizer_);
  if (!device_.is_cpu()) component->to(device_);
  std::size_t pos = slots_.size();
  if (!before.empty()) pos = index_of(before);
  if (!after.empty()) pos = index_of(after) + 1;
  auto it = slots_.insert(slots_.begin() + static_cast<std::ptrdiff_t>(pos), Slot{std::move(component), factory, true});
  return *it->component;
}

std::shared_ptr<Component> Pipeline::remove_pipe(const std::string& name) {
  const auto it = slots_.begin() + static_cast<std::ptrdiff_t>(index_of(name));
  std::shared_ptr<Component> out = std::move(it->component);
  slots_.erase(it);
  return out;
}

void Pipeline::to(backend::Device device) {
  // Asking for the device's ops checks that it is available (ValueError naming CUDA and why not)
  // before anything moves.
  (void)backend::ops(device);
  for (Slot& s : slots_) s.component->to(device);
  device_ = device;
}

Component& Pipeline::replace_pipe(const std::string& name, const std::string& factory, const Json& config) {
  Slot& slot = slots_[index_of(name)];
  std::shared_ptr<Component> component = make_component(factory, name, config, vocab_);
  component->set_tokenizer(tokenizer_);
  if (!device_.is_cpu()) component->to(device_);
  slot.component = std::move(component);
  slot.factory = factory;
  return *slot.component;
}

void Pipeline::rename_pipe(const std::string& old_name, const std::string& new_name) {
  const std::size_t i = index_of(old_name);
  if (new_name.empty()) throw ValueError("rename_pipe: the new name is empty");
  if (new_name != old_name && has_pipe(new_name))
    throw ValueError("rename_pipe: a component named \"" + new_name + "\" is already in the pipeline");
  slots_[i].component->set_name(new_name);
}

Component& Pipeline::get_pipe(const std::string& name) const { return *slots_[index_of(name)].component; }

std::shared_ptr<Component> Pipeline::get_pipe_ptr(const std::string& name) const { return slots_[index_of(name)].component; }

const std::string& Pipeline::factory_of(const std::string& name) const { return slots_[index_of(name)].factory; }

bool Pipeline::has_pipe(const std::string& name) const {
  return std::any_of(slots_.begin(), slots_.end(), [&](const Slot& s) { return s.component->name() == name; });
}

std::vector<std::string> Pipeline::component_names() const {
  std::vector<std::string> out;
  for (const auto& s : slots_) out.push_back(s.component->name());
  return out;
}

std::vector<std::string> Pipeline::pipe_names() const {
  std::vector<std::string> out;
  for (const auto& s : slots_)
    if (s.enabled) out.push_back(s.component->name());
  return out;
}

void Pipeline::disable_pipe(const std::string& name) { slots_[index_of(name)].enabled = false; }
void Pipeline::enable_pipe(const std::string& name) { slots_[index_of(name)].enabled = true; }

std::vector<std::string> Pipeline::disabled() const {
  std::vector<std::string> out;
  for (const auto& s : slots_)
    if (!s.enabled) out.push_back(s.component->name());
  return out;
}

Json Pipeline::nlp_config() const {
  Json j = Json::object();
  j["lang"] = lang_;
  j["pipeline"] = component_names();
  j["disabled"] = disabled();
  return j;
}

Json Pipeline::components_config() const {
  Json j = Json::object();
  for (const Slot& s : slots_) {
    Json c = Json::object();
    c["factory"] = s.factory;
    const Json config = s.component->config();
    for (const auto& [k, v] : config.items()) c[k] = v;
    j[s.component->name()] = c;
  }
  return j;
}

}  // namespace weft
