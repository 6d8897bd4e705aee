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

#include "weft/doc/doc.hpp"
#include "weft/json.hpp"

namespace weft {
class Pipeline;
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
};

void register_errors(pyb::module_& m);
void register_strings(pyb::module_& m);
void register_doc(pyb::module_& m);
void register_token(pyb::module_& m);
void register_span(pyb::module_& m);
void register_doc_bin(pyb::module_& m);
void register_pipeline(pyb::module_& m);
void register_registry(pyb::module_& m);
void register_training(pyb::module_& m);
void register_phrase_matcher(pyb::module_& m);
void register_matcher(pyb::module_& m);
void register_entity_ruler(pyb::module_& m);
void register_retokenize(pyb::module_& m);  // after register_doc: adds Doc.retokenize

// A pipeline component seen from Python: the pipeline that owns it and its name (pipeline.cpp binds
// it as weft's Component).
struct PyComponentView {
  std::shared_ptr<Pipeline> nlp;
  std::string name;
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

// Accepts an attribute id or name ("ORTH", "lower") as spaCy does; throws ValueError otherwise.
Attr attr_from_py(const pyb::handle& h);

}  // namespace weft::py
