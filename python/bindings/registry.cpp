// The Registry from Python: listing entries, and adding Python callables as tokenizers and
// components (the decorators in python/weft/registry.py). Python entries take the GIL whenever the
// native side calls them, so they also work inside nlp.pipe with several threads.
#include <pybind11/stl.h>

#include "bindings.hpp"
#include "weft/error.hpp"
#include "weft/pipeline/component.hpp"
#include "weft/pipeline/registry.hpp"
#include "weft/strings/unicode.hpp"
#include "weft/strings/utf8.hpp"
#include "weft/tokenize/tokenizer_base.hpp"

namespace weft::py {

namespace {
pyb::object from_json(const Json& j) { return pyb::module_::import("json").attr("loads")(j.dump()); }

// A tokenizer whose words come from a Python callable (text -> list of str); the words must appear in
// the text in order, separated only by whitespace or directly adjacent.
class PythonTokenizer : public TokenizerBase {
 public:
  PythonTokenizer(std::string name, Json config, std::shared_ptr<Vocab> vocab, pyb::object fn)
      : TokenizerBase(std::move(vocab)), name_(std::move(name)), config_(std::move(config)), fn_(std::move(fn)) {}
  ~PythonTokenizer() override {
    pyb::gil_scoped_acquire gil;
    fn_ = pyb::object();
  }

  Doc operator()(std::string text) const override {
    std::vector<std::string> words;
    {
      pyb::gil_scoped_acquire gil;
      words = fn_(text).cast<std::vector<std::string>>();
    }
    Doc doc(vocab_, std::move(text));
    std::size_t pos = 0;
    const std::string& t = doc.text();
    for (const std::string& w : words) {
      while (pos < t.size() && t.compare(pos, w.size(), w) != 0) {
        std::size_t k = pos;
        if (!unicode::is_space(utf8::next(t, k)))
          throw ValueError("tokenizer " + name_ + ": word \"" + w + "\" does not continue the text at byte " +
                           std::to_string(pos));
        pos = k;
      }
      if (pos >= t.size() && !w.empty()) throw ValueError("tokenizer " + name_ + ": word \"" + w + "\" is not in the text");
      doc.push_token(pos, w.size());
      pos += w.size();
    }
    return doc;
  }
  std::vector<ExplainEntry> explain(std::string_view text) const override {
    Doc d = (*this)(std::string(text));
    std::vector<ExplainEntry> out;
    for (std::size_t i = 0; i < d.size(); ++i) out.push_back({"TOKEN", std::string(d.token_text(i))});
    return out;
  }
  std::string registry_name() const override { return name_; }
  Json to_json() const override { return config_; }

 private:
  std::string name_;
  Json config_;
  pyb::object fn_;
};

// A component backed by a Python callable (Doc -> Doc or None). Its config (as filled by the
// factory's defaults) is what config.json keeps; to_disk / from_disk call the object's own methods of
// those names when it has them (spaCy calls them with the component's folder).
class PythonComponent : public Component {
 public:
  PythonComponent(std::string name, std::string factory, Json config, pyb::object fn, std::vector<std::string> assigns)
      : Component(std::move(name)),
        factory_(std::move(factory)),
        config_(std::move(config)),
        fn_(std::move(fn)),
        assigns_(std::move(assigns)) {}
  ~PythonComponent() override {
    pyb::gil_scoped_acquire gil;
    fn_ = pyb::object();
  }
  std::string factory_name() const override { return factory_; }
  Json config() const override { return config_; }
  // What @Language.component / .factory was given as `assigns` (spaCy's metadata).
  std::vector<std::string> assigns() const override { return assigns_; }
  void operator()(Doc& doc) const override {
    // The Python side sees a shared Doc; the annotations it makes are moved back afterwards. A
    // component that returns another Doc (spaCy's contract: it returns the Doc) hands that one on.
    auto shared = std::make_shared<Doc>(std::move(doc));
    try {
      pyb::gil_scoped_acquire gil;
      const pyb::object out = fn_(shared);
      if (!out.is_none() && pyb::isinstance<Doc>(out)) {
        auto returned = out.cast<std::shared_ptr<Doc>>();
        if (returned != shared) {
          doc = *returned;
          return;
        }
      }
    } catch (...) {
      doc = std::move(*shared);
      throw;
    }
    doc = std::move(*shared);
  }
  void to_disk(const std::filesystem::path& dir) const override { call_method("to_disk", dir); }
  void from_disk(const std::filesystem::path& dir) override { call_method("from_disk", dir); }
  const pyb::object& object() const noexcept { return fn_; }

 private:
  void call_method(const char* method, const std::filesystem::path& dir) const {
    pyb::gil_scoped_acquire gil;
    if (pyb::hasattr(fn_, method)) fn_.attr(method)(pyb::module_::import("pathlib").attr("Path")(dir.string()));
  }

  std::string factory_;
  Json config_;
  pyb::object fn_;
  std::vector<std::string> assigns_;
};
}  // namespace

void register_registry(pyb::module_& m) {
  auto r = m.def_submodule("registry", "The native registry");
  r.def("categories", [] { return Registry::global().categories(); });
  r.def(
      "entries",
      [](const std::optional<std::string>& category) {
        pyb::list out;
        for (const RegistryEntry& e : Registry::global().entries(category.value_or(""))) {
          pyb::dict d;
          d["category"] = e.category;
          d["name"] = e.name;
          d["description"] = e.description;
          d["source"] = e.source;
          out.append(d);
        }
        return out;
      },
      pyb::arg("category") = pyb::none());
  r.def("has", [](const std::string& c, const std::string& n) { return Registry::global().has(c, n); });
  r.def("add_tokenizer", [](const std::string& name, pyb::object factory, const std::string& description) {
    Registry::global().add(
        "tokenizers", name,
        TokenizerFactory([name, factory](const Json& config, std::shared_ptr<Vocab> vocab) -> std::unique_ptr<TokenizerBase> {
          pyb::gil_scoped_acquire gil;
          pyb::object fn = factory(from_json(config), vocab);
          return std::make_unique<PythonTokenizer>(name, config, std::move(vocab), std::move(fn));
        }),
        description, "python", true);
  });
  // `fill_config(config) -> config` (optional) completes a config with the factory's defaults before the
  // factory sees it; the filled config is the one the component keeps and config.json saves.
  r.def(
      "add_component",
      [](const std::string& name, pyb::object factory, const std::string& description, pyb::object fill_config,
         const std::vector<std::string>& assigns) {
        Registry::global().add(
            "components", name,
            ComponentFactory([name, factory, fill_config, assigns](const std::string& instance, const Json& config,
                                                          std::shared_ptr<Vocab> vocab) -> std::unique_ptr<Component> {
              pyb::gil_scoped_acquire gil;
              Json filled = config;
              if (!fill_config.is_none()) filled = json_from_py(fill_config(from_json(config)));
              pyb::object fn = factory(instance, from_json(filled), vocab);
              if (!PyCallable_Check(fn.ptr()))
                throw ValueError("component factory \"" + name + "\" returned " +
                                 pyb::repr(fn).cast<std::string>() + ", which is not callable (a component is called with a Doc)");
              return std::make_unique<PythonComponent>(instance, name, std::move(filled), std::move(fn), assigns);
            }),
            description, "python", true);
      },
      pyb::arg("name"), pyb::arg("factory"), pyb::arg("description") = "", pyb::arg("fill_config") = pyb::none(),
      pyb::arg("assigns") = std::vector<std::string>{});
  r.def("source", [](const std::string& c, const std::string& n) -> pyb::object {
    if (!Registry::global().has(c, n)) return pyb::none();
    return pyb::str(Registry::global().entry(c, n).source);
  });
  // Names the registry misses are offered to weft.registry._resolve (the "weft_factories" entry
  // points). The hook holds no Python object: it looks the function up when called.
  Registry::global().set_resolver([](const std::string& category, const std::string& name) {
    if (!Py_IsInitialized()) return false;
    pyb::gil_scoped_acquire gil;
    return pyb::module_::import("weft.registry").attr("_resolve")(category, name).cast<bool>();
  });
  // nlp.add_pipe / get_pipe of a Python component give the Python object itself, as spaCy does.
  add_component_view([](const PyComponentView& v) -> pyb::object {
    if (const auto* p = dynamic_cast<const PythonComponent*>(v.component.get())) return p->object();
    return pyb::none();
  });
}

}  // namespace weft::py
