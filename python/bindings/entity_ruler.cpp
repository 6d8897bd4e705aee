// The EntityRuler from Python, as spaCy's: `ruler = nlp.add_pipe("entity_ruler")` (or get_pipe) gives
// this view of the pipeline's component, a Component with add_patterns, patterns, labels, ent_ids,
// len, `label in ruler`, clear, remove(id), match(doc) and to_disk / from_disk of a patterns.jsonl
// file or a component folder. Patterns cross as JSON (lists of dicts of str, int, float, bool).
#include <pybind11/stl.h>

#include "bindings.hpp"
#include "weft/components/entity_ruler/entity_ruler.hpp"
#include "weft/error.hpp"
#include "weft/pipeline/pipeline.hpp"

namespace weft::py {

namespace {

struct PyEntityRuler : PyComponentView {};

EntityRuler& ruler_of(const PyEntityRuler& v) { return dynamic_cast<EntityRuler&>(*v.component); }

pyb::tuple strings(const std::vector<std::string>& v) {
  pyb::tuple out(v.size());
  for (std::size_t i = 0; i < v.size(); ++i) out[i] = pyb::str(v[i]);
  return out;
}

bool is_jsonl(const std::string& path) { return path.size() > 6 && path.compare(path.size() - 6, 6, ".jsonl") == 0; }

}  // namespace

void register_entity_ruler(pyb::module_& m) {
  pyb::class_<PyEntityRuler, PyComponentView>(m, "EntityRuler")
      .def(
          "add_patterns",
          [](const PyEntityRuler& v, const pyb::object& patterns) {
            // Any iterable of pattern dicts (spaCy takes a list); a dict or str is passed on for the
            // native side to reject with its message.
            pyb::object list = patterns;
            if (!pyb::isinstance<pyb::list>(patterns) && !pyb::isinstance<pyb::tuple>(patterns) &&
                !pyb::isinstance<pyb::dict>(patterns) && !pyb::isinstance<pyb::str>(patterns) &&
                pyb::hasattr(patterns, "__iter__"))
              list = pyb::list(patterns);
            Json j;
            try {
              j = json_from_py(list);
            } catch (const pyb::error_already_set&) {
              throw;
            } catch (const std::exception& e) {
              throw weft::ValueError(std::string("entity_ruler: the patterns are not JSON-like: ") + e.what());
            }
            ruler_of(v).add_patterns(j);
          },
          pyb::arg("patterns"), "Adds {\"label\", \"pattern\": str or list of token dicts, \"id\"?} patterns")
      .def_property_readonly("patterns", [](const PyEntityRuler& v) { return py_from_json(ruler_of(v).patterns()); })
      .def_property_readonly("labels", [](const PyEntityRuler& v) { return strings(ruler_of(v).labels()); })
      .def_property_readonly("ent_ids", [](const PyEntityRuler& v) { return strings(ruler_of(v).ent_ids()); })
      .def_property_readonly("phrase_matcher_attr",
                             [](const PyEntityRuler& v) -> pyb::object {
                               const auto& a = ruler_of(v).settings().phrase_matcher_attr;
                               return a ? pyb::object(pyb::str(*a)) : pyb::object(pyb::none());
                             })
      .def_property_readonly("overwrite", [](const PyEntityRuler& v) { return ruler_of(v).settings().overwrite_ents; })
      .def_property_readonly("ent_id_sep", [](const PyEntityRuler& v) { return ruler_of(v).settings().ent_id_sep; })
      .def("__len__", [](const PyEntityRuler& v) { return ruler_of(v).size(); })
      .def("__contains__", [](const PyEntityRuler& v, const std::string& label) { return ruler_of(v).contains(label); })
      .def("clear", [](const PyEntityRuler& v) { ruler_of(v).clear(); })
      .def("remove", [](const PyEntityRuler& v, const std::string& id) { ruler_of(v).remove(id); }, pyb::arg("ent_id"))
      .def(
          "match",
          [](const PyEntityRuler& v, std::shared_ptr<Doc> doc) {
            const EntityRuler& ruler = ruler_of(v);
            // Token patterns with custom extension attributes ("_"): their columns are computed here.
            ExternalColumns columns;
            const auto& predicates = ruler.token_matcher().external_predicates();
            if (!predicates.empty() && !doc->empty())
              compute_external(pyb::cast(doc), *doc, 0, doc->size(), predicates, builtin_compare(), columns);
            std::vector<RulerMatch> matches;
            {
              pyb::gil_scoped_release release;
              matches = ruler.match(*doc, predicates.empty() ? nullptr : &columns);
            }
            std::vector<std::tuple<hash_t, std::size_t, std::size_t>> out;
            for (const RulerMatch& x : matches) out.emplace_back(x.match_id, x.start, x.end);
            return out;
          },
          pyb::arg("doc"),
          "spaCy's EntityRuler.match: (match_id, start, end) of every distinct match, longest first, then earliest")
      .def(
          "to_disk",
          [](const PyEntityRuler& v, const pyb::object& path) {
            const std::string p = pyb::str(path).cast<std::string>();
            const EntityRuler& r = ruler_of(v);
            if (!is_jsonl(p)) return r.to_disk(p);
            std::string text;
            for (const Json& x : r.patterns()) text += x.dump() + '\n';
            write_file(p, text);
          },
          pyb::arg("path"), "Writes the patterns: to PATH if it ends in .jsonl, else to PATH/patterns.jsonl")
      .def(
          "from_disk",
          [](const PyEntityRuler& v, const pyb::object& path) {
            const std::string p = pyb::str(path).cast<std::string>();
            EntityRuler& r = ruler_of(v);
            if (!is_jsonl(p)) {
              r.from_disk(p);
            } else {
              r.clear();
              r.add_patterns_jsonl(p);
            }
            return v;
          },
          pyb::arg("path"), "Replaces the patterns with those of PATH (.jsonl) or PATH/patterns.jsonl");

  add_component_view([](const PyComponentView& v) -> pyb::object {
    if (dynamic_cast<EntityRuler*>(v.component.get())) return pyb::cast(PyEntityRuler{v});
    return pyb::none();
  });
}

}  // namespace weft::py
