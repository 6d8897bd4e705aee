// Doc in Python, named and behaving as spaCy's: len, iteration, indexing (negative too), slicing to a
// Span, text, to_json, to_array (numpy, no per-token Python objects), sents, noun_chunks, to_bytes /
// from_bytes.
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include "bindings.hpp"
#include "weft/doc/doc_bin.hpp"
#include "weft/doc/doc_json.hpp"
#include "weft/doc/span.hpp"
#include "weft/error.hpp"

namespace weft::py {

namespace {
pyb::object json_to_py(const Json& j) { return pyb::module_::import("json").attr("loads")(j.dump()); }

std::shared_ptr<Doc> doc_from_bytes(const pyb::bytes& data, const std::shared_ptr<Vocab>& vocab) {
  DocBin bin = DocBin::from_bytes(std::string(data), "<bytes>");
  if (bin.size() != 1) throw weft::ValueError("Doc.from_bytes: expected one document, found " + std::to_string(bin.size()));
  return std::make_shared<Doc>(std::move(bin.get_docs(vocab).front()));
}
// Entities from Python: Spans of this Doc (with their kb_id and id), or (label, start, end),
// (label, kb_id, start, end) or (id, kb_id, label, start, end) tuples (spaCy's get_entity_info), each
// string a str or a hash.
std::vector<Span> spans_from_py(const std::shared_ptr<Doc>& d, const pyb::iterable& ents) {
  std::vector<Span> out;
  for (const pyb::handle item : ents) {
    if (pyb::isinstance<PySpan>(item)) {
      const PySpan& s = item.cast<const PySpan&>();
      if (s.doc != d) throw ValueError("doc.ents: the Span [" + std::to_string(s.start) + ", " + std::to_string(s.end) + ") belongs to another Doc");
      out.emplace_back(d.get(), s.start, s.end, s.label, s.kb_id, s.id);
    } else if (pyb::isinstance<pyb::tuple>(item) && pyb::len(item) >= 3 && pyb::len(item) <= 5) {
      const pyb::tuple t = item.cast<pyb::tuple>();
      const std::size_t n = t.size();
      const hash_t label = hash_from_py(*d, t[n == 5 ? 2 : 0]);
      const hash_t kb_id = n == 3 ? 0 : hash_from_py(*d, t[1]);
      const hash_t id = n == 5 ? hash_from_py(*d, t[0]) : 0;
      const auto start = t[n - 2].cast<std::size_t>(), end = t[n - 1].cast<std::size_t>();
      if (start > end || end > d->size())
        throw ValueError("doc.ents: (" + std::to_string(start) + ", " + std::to_string(end) + ") is outside the Doc's " +
                         std::to_string(d->size()) + " tokens");
      out.emplace_back(d.get(), start, end, label, kb_id, id);
    } else {
      throw ValueError("doc.ents: expected Spans or (label, start, end) tuples, got " +
                       std::string(pyb::str(pyb::type::of(item).attr("__name__"))));
    }
  }
  return out;
}

}  // namespace

void set_user_data(Doc& doc, const pyb::object& data) {
  if (data.is_none()) {
    doc.binding_state().reset();
    return;
  }
  if (!pyb::isinstance<pyb::dict>(data)) throw pyb::type_error("user_data must be a dict");
  auto* held = new pyb::object(data);
  // The Doc may die on a thread without the GIL (a pipeline worker), or after the interpreter.
  doc.binding_state() = std::shared_ptr<void>(held, [](void* p) {
    auto* o = static_cast<pyb::object*>(p);
    if (Py_IsInitialized() == 0) {
      o->release();
    } else {
      pyb::gil_scoped_acquire gil;
      delete o;
      return;
    }
    delete o;
  });
}

bool has_user_data(const Doc& doc) { return doc.binding_state() != nullptr; }

hash_t hash_from_py(Doc& doc, const pyb::handle& value) {
  if (value.is_none()) return 0;
  if (pyb::isinstance<pyb::str>(value)) {
    const std::string s = utf8_from_py(value);
    return s.empty() ? 0 : doc.intern(s);
  }
  if (pyb::isinstance<pyb::int_>(value)) return value.cast<hash_t>();
  throw pyb::type_error("expected a str, an int (a hash) or None, got " +
                        std::string(pyb::str(pyb::type::of(value).attr("__name__"))));
}

pyb::dict user_data(Doc& doc) {
  if (!doc.binding_state()) {
    pyb::dict fresh;
    if (!doc.extras().meta_json.empty()) fresh["meta"] = pyb::module_::import("json").attr("loads")(doc.extras().meta_json);
    set_user_data(doc, fresh);
  }
  return static_cast<pyb::object*>(doc.binding_state().get())->cast<pyb::dict>();
}

void register_doc(pyb::module_& m) {
  pyb::class_<Doc, std::shared_ptr<Doc>>(m, "Doc")
      .def(pyb::init([](std::shared_ptr<Vocab> vocab, std::optional<std::vector<std::string>> words,
                        std::optional<std::vector<bool>> spaces) {
             if (!words) return std::make_shared<Doc>(std::move(vocab), std::string());
             return std::make_shared<Doc>(Doc::from_words(std::move(vocab), *words, spaces.value_or(std::vector<bool>{})));
           }),
           pyb::arg("vocab"), pyb::arg("words") = pyb::none(), pyb::arg("spaces") = pyb::none())
      .def_property_readonly("text", &Doc::text)
      .def_property_readonly("text_with_ws", &Doc::text)
      .def_property_readonly("vocab", &Doc::vocab_ptr)
      .def("__len__", &Doc::size)
      .def("__str__", &Doc::text)
      .def("__repr__", &Doc::text)
      .def("__getitem__",
           [](std::shared_ptr<Doc> d, std::ptrdiff_t i) {
             const std::size_t j = (*d)[i].i();
             return PyToken{std::move(d), j};
           })
      .def("__getitem__",
           [](std::shared_ptr<Doc> d, const pyb::slice& s) {
             std::size_t start = 0, stop = 0, step = 0, len = 0;
             if (!s.compute(d->size(), &start, &stop, &step, &len)) throw pyb::error_already_set();
             if (step != 1) throw weft::ValueError("Doc slices must have step 1");
             if (stop < start) stop = start;
             return PySpan{std::move(d), start, stop, 0};
           })
      .def("__iter__",
           [](std::shared_ptr<Doc> d) {
             pyb::list out;
             for (std::size_t i = 0; i < d->size(); ++i) out.append(PyToken{d, i});
             return pyb::iter(out);
           })
      .def_property_readonly("sents",
                             [](std::shared_ptr<Doc> d) {
                               pyb::list out;
                               for (const Span& s : d->sents()) out.append(PySpan{d, s.start(), s.end(), 0});
                               return pyb::iter(out);
                             })
      // spaCy's doc.ents: a tuple of labelled Spans; assigning a list of Spans (or (label, start, end)
      // tuples) sets them with the other tokens "O" (Doc.set_ents(..., default="outside")).
      .def_property(
          "ents",
          [](std::shared_ptr<Doc> d) {
            pyb::list out;
            for (const Span& s : d->ents()) out.append(PySpan{d, s.start(), s.end(), s.label(), s.kb_id(), s.id()});
            return pyb::tuple(out);
          },
          [](std::shared_ptr<Doc> d, const pyb::iterable& ents) { d->set_ents(spans_from_py(d, ents)); })
      .def(
          "set_ents",
          [](std::shared_ptr<Doc> d, const pyb::iterable& ents, const std::string& default_) {
            d->set_ents(spans_from_py(d, ents), default_);
          },
          pyb::arg("entities"), pyb::arg("default") = "outside")
      .def_property_readonly("noun_chunks",
                             [](std::shared_ptr<Doc> d) {
                               pyb::list out;
                               for (const Span& s : d->noun_chunks())
                                 out.append(PySpan{d, s.start(), s.end(), s.label()});
                               return pyb::iter(out);
                             })
      .def(
          "char_span",
          [](std::shared_ptr<Doc> d, std::size_t start, std::size_t end, const pyb::object& label,
             const pyb::object& kb_id, const pyb::object& vector, const std::string& alignment_mode,
             const pyb::object& span_id) -> pyb::object {
            if (!vector.is_none()) throw weft::ValueError("char_span: weft Spans carry no vectors (vector must be None)");
            const hash_t h = hash_from_py(*d, label), k = hash_from_py(*d, kb_id), i = hash_from_py(*d, span_id);
            auto s = d->char_span(start, end, h, alignment_mode);
            if (!s) return pyb::none();
            return pyb::cast(PySpan{d, s->start(), s->end(), h, k, i});
          },
          pyb::arg("start_idx"), pyb::arg("end_idx"), pyb::arg("label") = pyb::none(), pyb::arg("kb_id") = pyb::none(),
          pyb::arg("vector") = pyb::none(), pyb::arg("alignment_mode") = "strict", pyb::arg("span_id") = pyb::none(),
          "The Span for character offsets [start_idx, end_idx), or None when they do not align (spaCy's char_span)")
      .def(
          "has_annotation",
          [](const Doc& d, const pyb::object& attr, bool require_complete) {
            // spaCy's names for the sentence starts
            if (pyb::isinstance<pyb::str>(attr)) {
              const std::string name = attr.cast<std::string>();
              if (name == "IS_SENT_START" || name == "IS_SENT_END" || name == "is_sent_start")
                return d.has_annotation(Attr::SENT_START, require_complete);
            }
            return d.has_annotation(attr_from_py(attr), require_complete);
          },
          pyb::arg("attr"), pyb::kw_only(), pyb::arg("require_complete") = false)
      .def("to_json", [](const Doc& d) { return json_to_py(doc_to_json(d)); })
      .def(
          "to_array",
          [](const Doc& d, const pyb::object& attrs) -> pyb::object {
            const bool single = pyb::isinstance<pyb::str>(attrs) || pyb::isinstance<pyb::int_>(attrs);
            std::vector<Attr> ids;
            if (single) {
              ids.push_back(attr_from_py(attrs));
            } else {
              for (auto a : attrs) ids.push_back(attr_from_py(a));
            }
            std::vector<std::uint64_t> values;
            {
              pyb::gil_scoped_release release;
              values = d.to_array(ids);
            }
            if (single) {
              pyb::array_t<std::uint64_t> out(static_cast<pyb::ssize_t>(d.size()));
              std::copy(values.begin(), values.end(), out.mutable_data());
              return out;
            }
            pyb::array_t<std::uint64_t> out({static_cast<pyb::ssize_t>(d.size()), static_cast<pyb::ssize_t>(ids.size())});
            std::copy(values.begin(), values.end(), out.mutable_data());
            return out;
          },
          pyb::arg("attrs"))
      .def("to_bytes",
           [](Doc& d) {
             sync_span_group_attrs(d);
             DocBin bin;
             bin.add(d);
             return pyb::bytes(bin.to_bytes());
           })
      .def("from_bytes",
           [](const Doc& self, const pyb::bytes& data) { return doc_from_bytes(data, self.vocab_ptr()); })
      .def_property_readonly("_has_user_data", [](const Doc& d) { return has_user_data(d); })
      .def_property("user_data", [](Doc& d) { return user_data(d); },
                    [](Doc& d, const pyb::object& data) { set_user_data(d, data); })
      // A copy of the Doc's tokens, text, annotations and extras (user_data is not copied: copy.copy
      // and copy.deepcopy in python/weft/_doc_api.py decide how it is carried).
      .def("_copy", [](Doc& d) {
        sync_span_group_attrs(d);
        auto out = std::make_shared<Doc>(d);
        out->binding_state().reset();
        reset_span_group_attrs(*out);  // the copy's groups read their own attrs from the saved JSON
        return out;
      });
}

}  // namespace weft::py
