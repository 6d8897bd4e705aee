// SpanGroup in Python, as spaCy's (spacy/tokens/span_group.pyx): SpanGroup(doc, name=, attrs=, spans=),
// name, doc, attrs, has_overlap, len, [i] (a copy of the span), [i] = span, del [i], iteration,
// append, extend, +=, +, copy(doc=None), to_bytes / from_bytes. A SpanGroup object is a handle on a C++
// SpanGroup (span_group.hpp) that doc.spans (python/weft/_span_groups.py, over the Doc._span_group_*
// methods added here) stores by reference, so `doc.spans["x"].append(span)` changes the Doc's group.
//
// attrs: the Python dict itself is kept in SpanGroup::binding_attrs, so mutating it sticks; it is
// written to SpanGroup::attrs_json (as JSON, non-JSON values as their str()) by sync_span_group_attrs
// before the Doc is saved or copied.
#include <pybind11/stl.h>

#include <algorithm>

#include "bindings.hpp"
#include "weft/doc/span.hpp"
#include "weft/error.hpp"

namespace weft::py {

namespace {

// Holds a Python object in a shared_ptr<void> that may be released on any thread, or after the
// interpreter has finished (as user_data in doc.cpp).
std::shared_ptr<void> hold(const pyb::object& o) {
  return std::shared_ptr<void>(new pyb::object(o), [](void* p) {
    auto* obj = static_cast<pyb::object*>(p);
    if (Py_IsInitialized() == 0) {
      obj->release();
      delete obj;
      return;
    }
    pyb::gil_scoped_acquire gil;
    delete obj;
  });
}

pyb::object json_module() { return pyb::module_::import("json"); }

pyb::object attrs_of(SpanGroup& g) {
  if (!g.binding_attrs) {
    pyb::object d = g.attrs_json.empty() ? pyb::dict() : json_module().attr("loads")(g.attrs_json);
    g.binding_attrs = hold(d);
  }
  return *static_cast<pyb::object*>(g.binding_attrs.get());
}

void set_attrs(SpanGroup& g, const pyb::object& attrs) {
  if (attrs.is_none()) {
    g.binding_attrs = hold(pyb::dict());
    return;
  }
  if (!pyb::isinstance<pyb::dict>(attrs)) throw pyb::type_error("SpanGroup.attrs must be a dict");
  g.binding_attrs = hold(attrs);
}

std::string attrs_text(const pyb::object& attrs) {
  if (pyb::len(attrs) == 0) return {};
  return json_module().attr("dumps")(attrs, pyb::arg("default") = pyb::module_::import("builtins").attr("str"))
      .cast<std::string>();
}

const char* kOtherDoc = "the span belongs to another Doc than the span group (spaCy's E855)";

SpanRecord record_of(const PySpanGroup& g, const pyb::handle& item) {
  if (!pyb::isinstance<PySpan>(item))
    throw pyb::type_error("a SpanGroup holds Spans, not " + std::string(pyb::str(pyb::type::of(item).attr("__name__"))));
  const PySpan& s = item.cast<const PySpan&>();
  if (s.doc != g.doc) throw ValueError(std::string("SpanGroup: ") + kOtherDoc);
  if (s.start > s.end || s.end > g.doc->size())
    throw IndexError("SpanGroup: span [" + std::to_string(s.start) + ", " + std::to_string(s.end) +
                     ") is outside its Doc of " + std::to_string(g.doc->size()) + " tokens (retokenized?)");
  return SpanRecord{static_cast<std::uint32_t>(s.start), static_cast<std::uint32_t>(s.end), s.label, s.kb_id, s.id};
}

PySpan span_of(const PySpanGroup& g, const SpanRecord& r) { return PySpan{g.doc, r.start, r.end, r.label, r.kb_id, r.id}; }

std::size_t index_of(const PySpanGroup& g, std::ptrdiff_t i) {
  const auto n = static_cast<std::ptrdiff_t>(g.group->spans.size());
  if (i < -n || i >= n)
    throw IndexError("span group index " + std::to_string(i) + " out of range for a group of " + std::to_string(n) +
                     " spans (spaCy's E856)");
  return static_cast<std::size_t>(i < 0 ? i + n : i);
}

// Appends spans or another group's spans (spaCy's _concat: a group's attrs fill keys missing here).
void concat(PySpanGroup& g, const pyb::object& other) {
  if (pyb::isinstance<PySpanGroup>(other)) {
    const PySpanGroup& o = other.cast<const PySpanGroup&>();
    if (o.doc != g.doc) throw ValueError("SpanGroup: the span group belongs to another Doc (spaCy's E855)");
    pyb::dict mine = attrs_of(*g.group);
    const pyb::dict theirs = pyb::module_::import("copy").attr("deepcopy")(attrs_of(*o.group));
    for (const auto& [k, v] : theirs)
      if (!mine.contains(k)) mine[k] = v;
    const std::vector<SpanRecord> add = o.group->spans;  // a copy: `g += g` doubles the group
    g.group->spans.insert(g.group->spans.end(), add.begin(), add.end());
    return;
  }
  std::vector<SpanRecord> add;
  for (const pyb::handle item : pyb::iter(other)) add.push_back(record_of(g, item));
  g.group->spans.insert(g.group->spans.end(), add.begin(), add.end());
}

PySpanGroup copy_group(const PySpanGroup& g, const std::shared_ptr<Doc>& target) {
  auto group = std::make_shared<SpanGroup>();
  group->name = g.group->name;
  PySpanGroup out{target, group};
  set_attrs(*group, pyb::module_::import("copy").attr("deepcopy")(attrs_of(*g.group)));
  if (target == g.doc) {
    group->spans = g.group->spans;
    return out;
  }
  // Another Doc: the same character offsets there (spaCy), strings carried into its pool.
  const auto carry = [&](hash_t h) -> hash_t {
    if (h == 0) return 0;
    std::string s;
    try {
      s = std::string(g.doc->str(h));
    } catch (const KeyError&) {
      return h;
    }
    return target->intern(s);
  };
  for (std::size_t k = 0; k < g.group->spans.size(); ++k) {
    const SpanRecord& r = g.group->spans[k];
    const Span v(g.doc.get(), r.start, r.end);
    const auto s = target->char_span(v.start_char(), v.end_char());
    if (!s) throw ValueError("SpanGroup.copy: span " + std::to_string(k) + " \"" + std::string(v.text()) +
                             "\" does not align with the tokens of the target Doc (spaCy's E1052)");
    group->spans.push_back(SpanRecord{static_cast<std::uint32_t>(s->start()), static_cast<std::uint32_t>(s->end()),
                                      carry(r.label), carry(r.kb_id), carry(r.id)});
  }
  return out;
}

// The group as JSON: name, attrs, spans as [start, end, label, kb_id, id] and the strings behind them.
Json group_json(const PySpanGroup& g) {
  Json j = Json::object();
  j["name"] = g.group->name;
  j["attrs"] = json_from_py(attrs_of(*g.group));
  Json spans = Json::array(), strings = Json::array();
  std::vector<hash_t> seen;
  for (const SpanRecord& r : g.group->spans) {
    spans.push_back(Json::array({r.start, r.end, r.label, r.kb_id, r.id}));
    for (const hash_t h : {r.label, r.kb_id, r.id}) {
      if (h == 0 || std::find(seen.begin(), seen.end(), h) != seen.end()) continue;
      seen.push_back(h);
      try {
        strings.push_back(std::string(g.doc->str(h)));
      } catch (const KeyError&) {
      }
    }
  }
  j["spans"] = std::move(spans);
  j["strings"] = std::move(strings);
  return j;
}

void load_group_json(PySpanGroup& g, const Json& j) {
  const auto bad = [](const std::string& why) { throw ValueError("SpanGroup.from_bytes: " + why); };
  if (!j.is_object() || !j.contains("name") || !j["name"].is_string() || !j.contains("spans") ||
      !j["spans"].is_array())
    bad("not a serialized SpanGroup");
  std::vector<SpanRecord> spans;
  for (const Json& s : j["spans"]) {
    if (!s.is_array() || s.size() != 5) bad("a span is not [start, end, label, kb_id, id]");
    for (const Json& v : s)
      if (!v.is_number_unsigned()) bad("a span is not [start, end, label, kb_id, id]");
    const auto start = s[0].get<std::uint64_t>(), end = s[1].get<std::uint64_t>();
    if (start > end || end > g.doc->size())
      bad("span [" + std::to_string(start) + ", " + std::to_string(end) + ") is outside the Doc's " +
          std::to_string(g.doc->size()) + " tokens");
    spans.push_back(SpanRecord{static_cast<std::uint32_t>(start), static_cast<std::uint32_t>(end), s[2].get<hash_t>(),
                               s[3].get<hash_t>(), s[4].get<hash_t>()});
  }
  if (j.contains("strings") && j["strings"].is_array())
    for (const Json& s : j["strings"])
      if (s.is_string()) g.doc->intern(s.get<std::string>());
  g.group->name = j["name"].get<std::string>();
  set_attrs(*g.group, j.contains("attrs") ? py_from_json(j["attrs"]) : pyb::dict());
  g.group->spans = std::move(spans);
}

PySpanGroup make_group(const std::shared_ptr<Doc>& doc, const std::string& name, const pyb::object& attrs,
                       const pyb::object& spans) {
  PySpanGroup g{doc, std::make_shared<SpanGroup>()};
  g.group->name = name;
  set_attrs(*g.group, attrs.is_none() ? pyb::dict() : pyb::dict(attrs));  // spaCy: dict(attrs)
  if (!spans.is_none()) concat(g, spans);
  return g;
}

}  // namespace

void sync_span_group_attrs(Doc& doc) {
  for (const auto& [key, group] : doc.spans())
    if (group->binding_attrs) group->attrs_json = attrs_text(*static_cast<pyb::object*>(group->binding_attrs.get()));
}

void reset_span_group_attrs(Doc& doc) {
  for (const auto& [key, group] : doc.spans()) group->binding_attrs.reset();
}

void register_span_group(pyb::module_& m) {
  auto cls = pyb::class_<PySpanGroup>(m, "SpanGroup");
  cls.def(pyb::init([](std::shared_ptr<Doc> doc, const std::string& name, const pyb::object& attrs,
                       const pyb::object& spans) { return make_group(doc, name, attrs, spans); }),
          pyb::arg("doc"), pyb::kw_only(), pyb::arg("name") = "", pyb::arg("attrs") = pyb::none(),
          pyb::arg("spans") = pyb::none())
      .def_property_readonly("doc", [](const PySpanGroup& g) { return g.doc; })
      .def_property(
          "name", [](const PySpanGroup& g) { return g.group->name; },
          [](const PySpanGroup& g, const std::string& name) { g.group->name = name; })
      .def_property(
          "attrs", [](const PySpanGroup& g) { return attrs_of(*g.group); },
          [](const PySpanGroup& g, const pyb::object& attrs) { set_attrs(*g.group, attrs); })
      .def_property_readonly("has_overlap", [](const PySpanGroup& g) { return g.group->has_overlap(); })
      .def("__len__", [](const PySpanGroup& g) { return g.group->spans.size(); })
      .def("__getitem__",
           [](const PySpanGroup& g, std::ptrdiff_t i) { return span_of(g, g.group->spans[index_of(g, i)]); })
      .def("__setitem__",
           [](const PySpanGroup& g, std::ptrdiff_t i, const pyb::object& span) {
             const SpanRecord r = record_of(g, span);
             g.group->spans[index_of(g, i)] = r;
           })
      .def("__delitem__",
           [](const PySpanGroup& g, std::ptrdiff_t i) {
             g.group->spans.erase(g.group->spans.begin() + static_cast<std::ptrdiff_t>(index_of(g, i)));
           })
      .def("__iter__",
           [](const PySpanGroup& g) {
             pyb::list out;
             for (const SpanRecord& r : g.group->spans) out.append(span_of(g, r));
             return pyb::iter(out);
           })
      .def("__repr__",
           [](const PySpanGroup& g) {
             pyb::list out;
             for (const SpanRecord& r : g.group->spans) out.append(span_of(g, r));
             return pyb::str(out);
           })
      .def("append", [](PySpanGroup& g, const pyb::object& span) { g.group->spans.push_back(record_of(g, span)); },
           pyb::arg("span"))
      .def("extend", [](PySpanGroup& g, const pyb::object& spans) { concat(g, spans); },
           pyb::arg("spans_or_span_group"))
      .def("__iadd__",
           [](PySpanGroup& g, const pyb::object& other) {
             concat(g, other);
             return g;
           })
      .def("__add__",
           [](const PySpanGroup& g, const pyb::object& other) -> pyb::object {
             if (!pyb::isinstance<PySpanGroup>(other)) return pyb::reinterpret_borrow<pyb::object>(Py_NotImplemented);
             PySpanGroup out = copy_group(g, g.doc);
             concat(out, other);
             return pyb::cast(out);
           })
      .def(
          "copy",
          [](const PySpanGroup& g, const std::shared_ptr<Doc>& doc) { return copy_group(g, doc ? doc : g.doc); },
          pyb::arg("doc") = nullptr,
          "A copy of the group (attrs deep-copied); with doc, bound to that Doc at the same character offsets")
      .def("to_bytes", [](const PySpanGroup& g) { return pyb::bytes(group_json(g).dump()); })
      .def(
          "from_bytes",
          [](PySpanGroup& g, const pyb::bytes& data) {
            Json j;
            try {
              j = Json::parse(std::string(data));
            } catch (const Json::exception&) {
              throw ValueError("SpanGroup.from_bytes: not a serialized SpanGroup");
            }
            load_group_json(g, j);
            return g;
          },
          pyb::arg("bytes_data"))
      // The same group (spaCy compares SpanGroup objects by identity; a weft SpanGroup object is a
      // handle, so two handles on one group are equal).
      .def("__eq__",
           [](const PySpanGroup& a, const pyb::object& b) -> pyb::object {
             if (!pyb::isinstance<PySpanGroup>(b)) return pyb::reinterpret_borrow<pyb::object>(Py_NotImplemented);
             return pyb::bool_(a.group == b.cast<const PySpanGroup&>().group);
           })
      .def("__hash__", [](const PySpanGroup& g) { return std::hash<const void*>()(g.group.get()); });

  // The Doc side of doc.spans (python/weft/_span_groups.py builds the dict-like object over these).
  pyb::object doc_cls = m.attr("Doc");
  doc_cls.attr("_span_group_keys") = pyb::cpp_function(
      [](const Doc& d) {
        std::vector<std::string> keys;
        for (const auto& [key, group] : d.spans()) keys.push_back(key);
        return keys;
      },
      pyb::name("_span_group_keys"), pyb::is_method(doc_cls));
  doc_cls.attr("_span_group_get") = pyb::cpp_function(
      [](std::shared_ptr<Doc> d, const std::string& key) -> pyb::object {
        auto group = d->spans().shared(key);
        if (!group) return pyb::none();
        return pyb::cast(PySpanGroup{std::move(d), std::move(group)});
      },
      pyb::name("_span_group_get"), pyb::is_method(doc_cls));
  doc_cls.attr("_span_group_set") = pyb::cpp_function(
      [](std::shared_ptr<Doc> d, const std::string& key, const pyb::object& value) {
        if (pyb::isinstance<PySpanGroup>(value)) {
          const PySpanGroup& g = value.cast<const PySpanGroup&>();
          if (g.doc != d) throw ValueError("doc.spans: the span group belongs to another Doc (spaCy's E855)");
          d->spans().set(key, g.group);
          return;
        }
        if (pyb::isinstance<pyb::str>(value) || pyb::isinstance<PySpan>(value))
          throw pyb::type_error("doc.spans[key] takes a SpanGroup or an iterable of Spans");
        PySpanGroup g = make_group(d, key, pyb::none(), value);
        d->spans().set(key, g.group);
      },
      pyb::name("_span_group_set"), pyb::is_method(doc_cls));
  doc_cls.attr("_span_group_del") = pyb::cpp_function(
      [](Doc& d, const std::string& key) { return d.spans().erase(key); }, pyb::name("_span_group_del"),
      pyb::is_method(doc_cls));
}

}  // namespace weft::py
