// Shared declarations of the _weft module: one register function per bound class (CTranslate2's
// pattern), and the Python-side view types. Tokens and Spans hold a shared_ptr to their Doc so a view
// keeps its document alive in Python, as in spaCy.
#pragma once

#include <pybind11/pybind11.h>

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "weft/components/matcher/matcher.hpp"
#include "weft/doc/doc.hpp"
#include "weft/json.hpp"

namespace weft {
class Pipeline;
class Component;
}

namespace weft::py {

namespace pyb = pybind11;

struct PyToken {
  std::shared_ptr<Doc> doc;
  std::size_t i;
};

struct PySpan {
  std::shared_ptr<Doc> doc;
  std::size_t start, end;
  hash_t label = 0;
  hash_t kb_id = 0;  // spaCy's Span.kb_id
  hash_t id = 0;     // spaCy's Span.id (ent_id_ of an entity: the EntityRuler's pattern id)
};

// A handle on a span group (span_group.cpp): the Doc it belongs to and the group, which the Doc's
// doc.spans may hold under one or more keys, or not at all (a group made but not yet stored).
struct PySpanGroup {
  std::shared_ptr<Doc> doc;
  std::shared_ptr<SpanGroup> group;
};
// Writes the Python attrs dict of each of the Doc's span groups to its attrs_json, before the Doc is
// saved (DocBin, to_bytes, pickling) or copied; reset drops the dicts (a copy then reads its own).
void sync_span_group_attrs(Doc& doc);
void reset_span_group_attrs(Doc& doc);

void register_errors(pyb::module_& m);
void register_strings(pyb::module_& m);
void register_doc(pyb::module_& m);
void register_token(pyb::module_& m);
void register_span(pyb::module_& m);
void register_span_group(pyb::module_& m);  // after register_doc: adds the Doc._span_group_* methods
void register_doc_bin(pyb::module_& m);
void register_tokenizer(pyb::module_& m);  // weft.Tokenizer, the view nlp.tokenizer returns
void register_pipeline(pyb::module_& m);
void register_registry(pyb::module_& m);
void register_training(pyb::module_& m);
void register_phrase_matcher(pyb::module_& m);
void register_matcher(pyb::module_& m);
void register_entity_ruler(pyb::module_& m);
void register_punkt(pyb::module_& m);  // weft.PunktSentencizer, the Punkt component's view
void register_learners(pyb::module_& m);  // weft.GoldLearner (learn(docs, n_iter)), PerceptronTagger, CRFEntityRecognizer
void register_dependency_matcher(pyb::module_& m);
void register_retokenize(pyb::module_& m);  // after register_doc: adds Doc.retokenize
void register_displacy(pyb::module_& m);    // _displacy_render*, Progress (displacy.cpp)
void register_interop(pyb::module_& m);     // weft.Tensor (DLPack), the ONNX export and its trace

// doc.tensor (interop.cpp): a read-only NumPy view on the CPU, a weft.Tensor on a GPU, spaCy's empty
// float32 array where the Doc has none; the setter takes an array of len(doc) rows (or None / an empty one).
pyb::object doc_tensor(const Doc& d);
pyb::object doc_weft_tensor(const Doc& d);  // the weft.Tensor itself (None without one)
void set_doc_tensor(Doc& d, const pyb::object& value);

// nlp.tokenizer: a view of the pipeline's current tokenizer (tokenizer.cpp).
struct PyTokenizerView {
  std::shared_ptr<Pipeline> nlp;
};

// A pipeline component seen from Python (pipeline.cpp binds it as weft's Component). It holds the
// component itself, so an object returned by add_pipe or remove_pipe stays usable after the component
// leaves its pipeline, as in spaCy.
struct PyComponentView {
  std::shared_ptr<Component> component;
};
// Components with Python methods of their own (the EntityRuler's add_patterns, ...) register a maker
// that returns their view for a component of their type and None otherwise; add_pipe and get_pipe
// return the first view a maker gives, else the generic Component.
void add_component_view(std::function<pyb::object(const PyComponentView&)> maker);
// Adds the trained-model methods (meta, nlp_config, components_config, to_disk, evaluate) to the
// Pipeline class made by register_pipeline (training.cpp).
void bind_pipeline_model(pyb::class_<Pipeline, std::shared_ptr<Pipeline>>& cls);

// The boolean lexeme flags as Python property names ("is_alpha", ..., "like_email").
std::vector<std::pair<std::string, LexFlag>> flag_properties();

// The UTF-8 bytes of a Python str. A str that cannot be encoded (a lone surrogate) raises
// weft.EncodingError naming the character position, instead of pybind11's argument-type TypeError.
std::string utf8_from_py(const pyb::handle& text);
std::vector<std::string> utf8_list_from_py(const pyb::list& texts);

// JSON trees across the boundary (through Python's json module: configs and scores are small).
// json_from_py writes values json cannot (pathlib.Path, ...) as their str().
pyb::object py_from_json(const Json& j);
Json json_from_py(const pyb::handle& obj);

// A Doc's user_data dict (spaCy's doc.user_data), kept in the Doc's binding_state so that every Python
// object reaching the Doc sees the same one; made on first use (holding {"meta": ...} of a JSONL
// record when the Doc has one). set_user_data replaces it (None clears it).
pyb::dict user_data(Doc& doc);
void set_user_data(Doc& doc, const pyb::object& data);
bool has_user_data(const Doc& doc);

// A label-like value from Python: None -> 0, an int as the hash, a str interned in the Doc.
hash_t hash_from_py(Doc& doc, const pyb::handle& value);

// A Matcher pattern value (dict, list, str, int, float, bool, None) as JSON, strictly; integer
// attribute ids as dict keys become their names (matcher.cpp).
Json pattern_json(const pyb::handle& h);
// The columns of a Matcher's external predicates (custom extension attributes "_", FUZZY with a
// Python fuzzy_compare) for doc[start, end), computed in Python with the GIL held (matcher.cpp).
// `doc_obj` is the Python object of `doc`; `compare` the fuzzy compare (the built-in one: builtin_compare()).
void compute_external(const pyb::object& doc_obj, const Doc& doc, std::size_t start, std::size_t end,
                      const std::vector<ExternalPredicate>& predicates, const pyb::object& compare,
                      ExternalColumns& columns);
pyb::object builtin_compare();
// The CLI in the module (python -m weft): _weft._cli_main, when built with CLI11 (cli.cpp).
void register_cli(pyb::module_& m);
// Batch annotation of Arrow-layout text columns for weft.spark and weft.dask (records.cpp).
void register_records(pyb::module_& m);

// spaCy's matcher keys (_normalize_key): a str, hashed, or a non-negative int, the hash itself.
// match_key_id throws ValueError naming `owner` ("Matcher", "DependencyMatcher") for anything else.
bool is_match_key(const pyb::handle& key);
hash_t match_key_id(const pyb::handle& key, const char* owner);

// has_key, __contains__, __len__ and get(key, default=None) -> (on_match, patterns) for a matcher
// binding `Py` holding `matcher` (contains(id), size(), get(id) -> a Rule with `patterns`) and
// `callbacks` (id -> on_match), as the Matcher and DependencyMatcher bindings do.
template <class Py, class Cls>
void bind_rule_lookups(Cls& cls, const char* owner) {
  cls.def("has_key", [owner](const Py& self, const pyb::object& key) {
       return is_match_key(key) && self.matcher.contains(match_key_id(key, owner));
     })
      .def("__contains__", [owner](const Py& self, const pyb::object& key) {
        return is_match_key(key) && self.matcher.contains(match_key_id(key, owner));
      })
      .def("__len__", [](const Py& self) { return self.matcher.size(); })
      .def(
          "get",
          [owner](const Py& self, const pyb::object& key, const pyb::object& default_) -> pyb::object {
            if (!is_match_key(key)) return default_;
            const hash_t id = match_key_id(key, owner);
            const auto* rule = self.matcher.get(id);
            if (!rule) return default_;
            const auto it = self.callbacks.find(id);
            return pyb::make_tuple(it == self.callbacks.end() ? pyb::none() : it->second, py_from_json(rule->patterns));
          },
          pyb::arg("key"), pyb::arg("default") = pyb::none());
}

// Accepts an attribute id or name ("ORTH", "lower") as spaCy does; throws ValueError otherwise.
Attr attr_from_py(const pyb::handle& h);

}  // namespace weft::py
