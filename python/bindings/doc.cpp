// Doc in Python, named and behaving as spaCy's: the constructor with spaCy's annotation keywords, len,
// iteration, indexing (negative too), slicing to a Span, text, ents / set_ents, has_annotation, the
// core of to_json / from_json (spaCy's schema; python/weft/_doc_api.py completes them), to_array /
// from_array (numpy, no per-token Python objects), count_by, sents, noun_chunks, to_bytes / from_bytes.
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <mutex>
#include <unordered_map>

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

bool truthy(const pyb::handle& h) {
  const int r = PyObject_IsTrue(h.ptr());
  if (r < 0) throw pyb::error_already_set();
  return r == 1;
}

std::string type_name(const pyb::handle& h) { return std::string(pyb::str(pyb::type::of(h).attr("__name__"))); }

// Spans for set_ents' blocked / missing / outside: Spans of this Doc only (spaCy's E1012).
std::vector<Span> region_from_py(const std::shared_ptr<Doc>& d, const pyb::object& spans, const char* name) {
  std::vector<Span> out;
  if (spans.is_none()) return out;
  for (const pyb::handle item : spans) {
    if (!pyb::isinstance<PySpan>(item))
      throw ValueError(std::string("set_ents: ") + name + " must be a list of Span objects, got a " + type_name(item) +
                       " (spaCy's E1012)");
    const PySpan& s = item.cast<const PySpan&>();
    if (s.doc != d) throw ValueError(std::string("set_ents: a Span in ") + name + " belongs to another Doc");
    out.emplace_back(d.get(), s.start, s.end, s.label);
  }
  return out;
}

// --- Doc(vocab, words, spaces, *, tags=..., ...): Python values to DocAnnotations, as spaCy reads them.
std::optional<std::vector<std::string>> strings_arg(const pyb::object& values, const char* name) {
  if (values.is_none()) return std::nullopt;
  std::vector<std::string> out;
  for (const pyb::handle v : values) {
    if (v.is_none()) out.emplace_back();
    else if (pyb::isinstance<pyb::str>(v)) out.push_back(utf8_from_py(v));
    else throw pyb::type_error(std::string("Doc: ") + name + " must be strings (or None), got a " + type_name(v));
  }
  return out;
}

std::optional<std::vector<std::string>> pos_arg(const pyb::object& values) {
  if (values.is_none()) return std::nullopt;
  std::vector<std::string> out;
  for (const pyb::handle v : values) {
    if (!pyb::isinstance<pyb::str>(v))
      throw ValueError("Doc: pos value \"" + std::string(pyb::str(v)) +
                       "\" is not a Universal Dependencies tag (NOUN, VERB, ...; other tags go in tags; spaCy's E1021)");
    out.push_back(utf8_from_py(v));
  }
  return out;
}

// FEATS strings, MorphAnalysis objects (their str) or {"Field": "Value"} dicts.
std::optional<std::vector<std::string>> morphs_arg(const pyb::object& values) {
  if (values.is_none()) return std::nullopt;
  std::vector<std::string> out;
  for (const pyb::handle v : values) {
    if (v.is_none()) {
      out.emplace_back();
    } else if (pyb::isinstance<pyb::str>(v)) {
      out.push_back(utf8_from_py(v));
    } else if (pyb::isinstance<pyb::dict>(v)) {
      out.push_back(pyb::str(pyb::module_::import("weft.morphology").attr("MorphAnalysis")(v)).cast<std::string>());
    } else if (pyb::hasattr(v, "to_json")) {  // a MorphAnalysis
      out.push_back(pyb::str(v).cast<std::string>());
    } else {
      throw pyb::type_error("Doc: morphs must be FEATS strings, dicts or MorphAnalysis objects, got a " + type_name(v));
    }
  }
  return out;
}

std::optional<std::vector<std::int64_t>> heads_arg(const pyb::object& values) {
  if (values.is_none()) return std::nullopt;
  std::vector<std::int64_t> out;
  for (const pyb::handle v : values) {
    if (v.is_none()) out.push_back(static_cast<std::int64_t>(out.size()));  // spaCy: no head = its own
    else if (pyb::hasattr(v, "__index__")) out.push_back(pyb::reinterpret_borrow<pyb::object>(v).cast<std::int64_t>());
    else throw pyb::type_error("Doc: heads must be token indices (int) or None, got a " + type_name(v));
  }
  return out;
}

// spaCy: True -> 1, False -> -1, -1 / 0 / 1 as they are, anything else (None) -> 0.
std::optional<std::vector<std::int8_t>> sent_starts_arg(const pyb::object& values) {
  if (values.is_none()) return std::nullopt;
  std::vector<std::int8_t> out;
  for (const pyb::handle v : values) {
    std::int8_t s = 0;
    if (v.ptr() == Py_True) s = 1;
    else if (v.ptr() == Py_False) s = -1;
    else if (!v.is_none()) {
      for (int c : {-1, 0, 1})
        if (v.equal(pyb::int_(c))) s = static_cast<std::int8_t>(c);
    }
    out.push_back(s);
  }
  return out;
}

std::optional<std::vector<std::string>> ents_arg(const pyb::object& values) {
  if (values.is_none()) return std::nullopt;
  std::vector<std::string> out;
  for (const pyb::handle v : values) {
    if (v.is_none()) out.emplace_back();
    else if (pyb::isinstance<pyb::str>(v)) out.push_back(utf8_from_py(v));
    else throw ValueError("Doc: ill-formed IOB tag " + std::string(pyb::repr(v)) + " in ents (spaCy's E177)");
  }
  return out;
}

std::shared_ptr<Doc> make_doc(const std::shared_ptr<Vocab>& vocab, const pyb::object& words, const pyb::object& spaces,
                              const pyb::object& user_data, const pyb::object& tags, const pyb::object& pos,
                              const pyb::object& morphs, const pyb::object& lemmas, const pyb::object& heads,
                              const pyb::object& deps, const pyb::object& sent_starts, const pyb::object& ents) {
  if (words.is_none() && !spaces.is_none())
    throw ValueError("Doc: spaces were given without words (spaCy's E908)");
  std::vector<std::string> w;
  if (!words.is_none()) {
    for (const pyb::handle word : words) {
      if (pyb::isinstance<pyb::str>(word)) w.push_back(utf8_from_py(word));
      else if (pyb::isinstance<pyb::bytes>(word))
        throw ValueError("Doc: words must be str, got the bytes " + std::string(pyb::repr(word)) + " (spaCy's E028)");
      else if (pyb::isinstance<pyb::int_>(word)) w.emplace_back(vocab->strings().at(word.cast<hash_t>()));
      else throw pyb::type_error("Doc: words must be str or int (a hash), got a " + type_name(word) + " (spaCy's E1022)");
    }
  }
  std::vector<bool> sp;
  if (!spaces.is_none()) {
    for (const pyb::handle s : spaces) sp.push_back(truthy(s));
    if (sp.size() != w.size())
      throw ValueError("Doc: " + std::to_string(w.size()) + " words but " + std::to_string(sp.size()) +
                       " spaces; words and spaces must have the same length (spaCy's E027)");
  }
  DocAnnotations a;
  a.tags = strings_arg(tags, "tags");
  a.pos = pos_arg(pos);
  a.morphs = morphs_arg(morphs);
  a.lemmas = strings_arg(lemmas, "lemmas");
  a.heads = heads_arg(heads);
  a.deps = strings_arg(deps, "deps");
  a.sent_starts = sent_starts_arg(sent_starts);
  a.ents = ents_arg(ents);
  auto doc = std::make_shared<Doc>(Doc::from_words(vocab, w, sp));
  doc->annotate(a);
  if (!user_data.is_none()) set_user_data(*doc, user_data);
  return doc;
}

// Strings behind hashes that to_array exported from a Doc's own pool (lemmas, labels first seen at run
// time), remembered process-wide so that from_array on another Doc can resolve them, as spaCy's shared
// StringStore would. Bounded (DESIGN.md: no global store grows forever while streaming): two
// generations of at most kExportedGeneration strings each; when the newer one fills, the older one is
// dropped, so the strings of the latest exports are always known.
constexpr std::size_t kExportedGeneration = std::size_t{1} << 18;
std::mutex exported_mutex;
struct ExportedStrings {
  std::unordered_map<hash_t, std::string> current, previous;
  const std::string* find(hash_t h) const {
    if (const auto it = current.find(h); it != current.end()) return &it->second;
    if (const auto it = previous.find(h); it != previous.end()) return &it->second;
    return nullptr;
  }
  void add(hash_t h, const std::string& s) {
    if (find(h)) return;
    if (current.size() >= kExportedGeneration) {
      previous = std::move(current);
      current.clear();
    }
    current.emplace(h, s);
  }
};
ExportedStrings& exported_strings() {
  static auto* strings = new ExportedStrings();
  return *strings;
}

bool is_string_attr(Attr a) {
  return a == Attr::LEMMA || a == Attr::NORM || a == Attr::TAG || a == Attr::MORPH || a == Attr::DEP ||
         a == Attr::ENT_TYPE;
}

void remember_exported(const Doc& d, const std::vector<Attr>& ids, const std::vector<std::uint64_t>& values) {
  if (d.pool().empty()) return;
  std::lock_guard<std::mutex> lock(exported_mutex);
  auto& known = exported_strings();
  for (std::size_t j = 0; j < ids.size(); ++j) {
    if (!is_string_attr(ids[j])) continue;
    for (std::size_t i = 0; i < d.size(); ++i) {
      const hash_t h = values[i * ids.size() + j];
      if (const auto it = d.pool().find(h); it != d.pool().end()) known.add(h, it->second);
    }
  }
}

// Interns into `d` the exported strings behind hashes of string columns that `d` cannot resolve.
void adopt_exported(Doc& d, const std::vector<Attr>& ids, const std::vector<std::uint64_t>& values) {
  std::lock_guard<std::mutex> lock(exported_mutex);
  const auto& known = exported_strings();
  if (known.current.empty() && known.previous.empty()) return;
  for (std::size_t j = 0; j < ids.size(); ++j) {
    if (!is_string_attr(ids[j])) continue;
    for (std::size_t i = 0; i < d.size(); ++i) {
      const hash_t h = values[i * ids.size() + j];
      if (h == 0 || d.pool().count(h) || d.vocab().strings().contains(h)) continue;
      if (const std::string* s = known.find(h)) d.intern(*s);
    }
  }
}

std::vector<Attr> attrs_arg(const pyb::object& attrs, bool& single) {
  single = pyb::isinstance<pyb::str>(attrs) || pyb::isinstance<pyb::int_>(attrs);
  std::vector<Attr> ids;
  if (single) {
    ids.push_back(attr_from_py(attrs));
  } else {
    for (auto a : attrs) ids.push_back(attr_from_py(a));
  }
  return ids;
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
      .def(pyb::init(&make_doc), pyb::arg("vocab"), pyb::arg("words") = pyb::none(), pyb::arg("spaces") = pyb::none(),
           pyb::kw_only(), pyb::arg("user_data") = pyb::none(), pyb::arg("tags") = pyb::none(),
           pyb::arg("pos") = pyb::none(), pyb::arg("morphs") = pyb::none(), pyb::arg("lemmas") = pyb::none(),
           pyb::arg("heads") = pyb::none(), pyb::arg("deps") = pyb::none(), pyb::arg("sent_starts") = pyb::none(),
           pyb::arg("ents") = pyb::none(),
           "spaCy's Doc(vocab, words, spaces, *, user_data, tags, pos, morphs, lemmas, heads, deps, sent_starts, ents)")
      .def_property_readonly("text", &Doc::text)
      .def_property_readonly("text_with_ws", &Doc::text)
      .def_property_readonly("vocab", &Doc::vocab_ptr)
      .def("__len__", &Doc::size)
      .def_property("tensor", &doc_tensor, &set_doc_tensor,
                    "spaCy's doc.tensor: the tok2vec's output per token, float32 (tokens, width), kept where "
                    "nlp.keep_tensors is on (a read-only NumPy view on the CPU, a weft.Tensor on a GPU; both take "
                    "__dlpack__); an empty array otherwise")
      .def_property_readonly("weft_tensor", &doc_weft_tensor,
                             "doc.tensor as a weft.Tensor on any device (DLPack, legacy capsules included, for "
                             "consumers that predate DLPack 1.0); None where the Doc has no tensor")
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
          [](std::shared_ptr<Doc> d, const pyb::iterable& ents) {
            const std::vector<Span> spans = spans_from_py(d, ents);
            // set_ents ignores unlabelled spans (spaCy); assigning one to doc.ents is surely a mistake.
            for (const Span& s : spans)
              if (s.label() == 0)
                throw ValueError("doc.ents: the entity [" + std::to_string(s.start()) + ", " + std::to_string(s.end()) +
                                 ") has no label");
            d->set_ents(spans);
          })
      .def(
          "set_ents",
          [](std::shared_ptr<Doc> d, const pyb::iterable& ents, const pyb::object& blocked, const pyb::object& missing,
             const pyb::object& outside, const pyb::object& default_) {
            const auto b = region_from_py(d, blocked, "blocked"), m = region_from_py(d, missing, "missing");
            const auto o = region_from_py(d, outside, "outside");
            // spaCy's SetEntsDefault is a str Enum: its members compare equal to their names.
            const std::string mode = pyb::isinstance<pyb::str>(default_) ? pyb::str(default_).cast<std::string>()
                                     : pyb::hasattr(default_, "value") ? pyb::str(default_.attr("value")).cast<std::string>()
                                                                       : std::string(pyb::str(default_));
            d->set_ents(spans_from_py(d, ents), EntsRegions{b, m, o}, mode);
          },
          pyb::arg("entities"), pyb::kw_only(), pyb::arg("blocked") = pyb::none(), pyb::arg("missing") = pyb::none(),
          pyb::arg("outside") = pyb::none(), pyb::arg("default") = "outside")
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
            Attr a;
            if (pyb::isinstance<pyb::str>(attr) && (attr.cast<std::string>() == "IS_SENT_START" ||
                                                    attr.cast<std::string>() == "IS_SENT_END"))
              a = Attr::SENT_START;
            else
              a = attr_from_py(attr);
            return d.has_annotation(a, require_complete);
          },
          pyb::arg("attr"), pyb::kw_only(), pyb::arg("require_complete") = false)
      // spaCy's schema (doc_to_spacy_json); Doc.to_json / Doc.from_json in python/weft/_doc_api.py add
      // the "spans", "cats" and "_" parts. _to_weft_json is weft's JSONL record (doc_to_json).
      .def("_to_spacy_json", [](const Doc& d) { return json_to_py(doc_to_spacy_json(d)); })
      .def("to_weft_json", [](const Doc& d) { return json_to_py(doc_to_json(d)); },
           "The Doc as one record of weft's JSONL format (spaCy's to_json fields plus \"mwt\" and \"meta\")")
      .def("_from_spacy_json",
           [](Doc& self, const pyb::object& data) {
             Doc built = doc_from_spacy_json(json_from_py(data), self.vocab_ptr());
             auto state = self.binding_state();  // user_data stays with the Python object, as spaCy's
             self = std::move(built);
             self.binding_state() = std::move(state);
           })
      .def(
          "to_array",
          [](const Doc& d, const pyb::object& attrs) -> pyb::object {
            bool single = false;
            const std::vector<Attr> ids = attrs_arg(attrs, single);
            std::vector<std::uint64_t> values;
            {
              pyb::gil_scoped_release release;
              values = d.to_array(ids);
            }
            remember_exported(d, ids, values);
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
      .def(
          "from_array",
          [](std::shared_ptr<Doc> d, const pyb::object& attrs, const pyb::object& array) {
            bool single = false;
            const std::vector<Attr> ids = attrs_arg(attrs, single);
            pyb::module_ np = pyb::module_::import("numpy");
            pyb::object arr = np.attr("asarray")(array);
            if (!pyb::str(arr.attr("dtype")).equal(pyb::str("uint64"))) {
              // Signed values (HEAD offsets, SENT_START -1) keep their two's complement bits.
              if (pyb::str(arr.attr("dtype").attr("kind")).cast<std::string>() == "i")
                arr = arr.attr("astype")("int64").attr("astype")("uint64");
              else
                arr = arr.attr("astype")("uint64");
            }
            const auto ndim = arr.attr("ndim").cast<int>();
            if (ndim == 1) arr = arr.attr("reshape")(pyb::make_tuple(-1, 1));
            else if (ndim != 2) throw ValueError("from_array: the array must have 1 or 2 dimensions, not " + std::to_string(ndim));
            const auto shape = arr.attr("shape").cast<std::pair<std::size_t, std::size_t>>();
            if (shape.first != d->size())
              throw ValueError("from_array: the array has " + std::to_string(shape.first) + " rows for a Doc of " +
                               std::to_string(d->size()) + " tokens (spaCy's E971)");
            if (shape.second != ids.size())
              throw ValueError("from_array: the array has " + std::to_string(shape.second) + " columns for " +
                               std::to_string(ids.size()) + " attributes");
            auto contiguous = np.attr("ascontiguousarray")(arr).cast<pyb::array_t<std::uint64_t, pyb::array::c_style>>();
            const std::vector<std::uint64_t> values(contiguous.data(), contiguous.data() + contiguous.size());
            adopt_exported(*d, ids, values);
            d->from_array(ids, values);
            return d;
          },
          pyb::arg("attrs"), pyb::arg("array"))
      .def(
          "count_by",
          [](std::shared_ptr<Doc> d, const pyb::object& attr_id, const pyb::object& exclude,
             const pyb::object& counts) -> pyb::object {
            const Attr a = attr_from_py(attr_id);
            pyb::object target = counts.is_none() ? pyb::object(pyb::dict()) : counts;
            if (exclude.is_none() && counts.is_none()) {
              pyb::dict out;
              for (const auto& [value, n] : d->count_by(a)) out[pyb::int_(value)] = pyb::int_(n);
              return out;
            }
            const std::vector<std::uint64_t> values = d->to_array({a});
            for (std::size_t i = 0; i < d->size(); ++i) {
              if (!exclude.is_none() && truthy(exclude(PyToken{d, i}))) continue;
              pyb::int_ key(values[i]);
              if (counts.is_none() && !target.contains(key)) target[key] = pyb::int_(0);
              pyb::object now = target[key];  // counts[key] += 1, as spaCy (a KeyError for a plain dict)
              auto sum = pyb::reinterpret_steal<pyb::object>(PyNumber_Add(now.ptr(), pyb::int_(1).ptr()));
              if (!sum) throw pyb::error_already_set();
              target[key] = sum;
            }
            if (counts.is_none()) return target;
            return pyb::none();
          },
          pyb::arg("attr_id"), pyb::arg("exclude") = pyb::none(), pyb::arg("counts") = pyb::none())
      .def("to_bytes",
           [](Doc& d) {
             sync_span_group_attrs(d);
             DocBin bin;
             bin.add(d);
             return pyb::bytes(bin.to_bytes());
           })
      // spaCy's Doc.from_bytes: fills this Doc and returns it. user_data is not in the bytes (pickling
      // carries it), so the Doc keeps its own.
      .def("from_bytes",
           [](const std::shared_ptr<Doc>& self, const pyb::bytes& data) {
             std::shared_ptr<Doc> read = doc_from_bytes(data, self->vocab_ptr());
             auto state = self->binding_state();
             *self = std::move(*read);
             self->binding_state() = std::move(state);
             return self;
           })
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
