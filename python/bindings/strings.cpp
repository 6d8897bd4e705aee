// StringStore, Vocab and Lexeme as in spaCy: vocab.strings["word"] -> hash, vocab.strings[hash] -> str,
// vocab["word"] -> a Lexeme with the context-free attributes.
#include <pybind11/stl.h>

#include <cctype>

#include "bindings.hpp"
#include "weft/error.hpp"
#include "weft/pipeline/language.hpp"
#include "weft/pipeline/registry.hpp"
#include "weft/strings/vocab.hpp"

namespace weft::py {

namespace {
struct PyLexeme {
  std::shared_ptr<Vocab> vocab;
  std::string text;
  Lexeme lex;
};

// StringStore is owned by its Vocab; the Python object keeps the Vocab alive.
struct PyStrings {
  std::shared_ptr<Vocab> vocab;
};
}  // namespace

std::string utf8_from_py(const pyb::handle& text) {
  if (!PyUnicode_Check(text.ptr()))
    throw pyb::type_error(std::string("expected str, got ") + Py_TYPE(text.ptr())->tp_name);
  Py_ssize_t size = 0;
  const char* data = PyUnicode_AsUTF8AndSize(text.ptr(), &size);
  if (data == nullptr) {
    std::string where;
    if (PyErr_ExceptionMatches(PyExc_UnicodeEncodeError)) {
      PyObject *type, *value, *trace;
      PyErr_Fetch(&type, &value, &trace);
      Py_ssize_t start = 0;
      if (value && PyUnicodeEncodeError_GetStart(value, &start) == 0) where = " at character " + std::to_string(start);
      Py_XDECREF(type);
      Py_XDECREF(value);
      Py_XDECREF(trace);
    } else {
      PyErr_Clear();
    }
    throw EncodingError("text cannot be encoded as UTF-8 (a lone surrogate" + where + ")");
  }
  return std::string(data, static_cast<std::size_t>(size));
}

std::vector<std::string> utf8_list_from_py(const pyb::list& texts) {
  std::vector<std::string> out;
  out.reserve(texts.size());
  for (auto t : texts) out.push_back(utf8_from_py(t));
  return out;
}

Attr attr_from_py(const pyb::handle& h) {
  if (pyb::isinstance<pyb::str>(h)) {
    const std::string name = h.cast<std::string>();
    if (auto a = attr_from_name(name)) return *a;
    throw weft::ValueError("unknown attribute \"" + name + "\"");
  }
  const auto id = h.cast<std::uint32_t>();
  const Attr a = static_cast<Attr>(id);
  if (attr_name(a) == "UNKNOWN") throw weft::ValueError("unknown attribute id " + std::to_string(id));
  return a;
}

void register_strings(pyb::module_& m) {
  pyb::class_<PyStrings>(m, "StringStore")
      .def_property_readonly("_vocab", [](const PyStrings& s) { return s.vocab; })
      .def("add", [](PyStrings& s, const std::string& str) { return s.vocab->strings().add(str); })
      .def("__getitem__",
           [](PyStrings& s, const pyb::object& key) -> pyb::object {
             if (pyb::isinstance<pyb::str>(key)) return pyb::int_(hash_string(key.cast<std::string>()));
             return pyb::str(std::string(s.vocab->strings().at(key.cast<hash_t>())));
           })
      .def("__contains__",
           [](PyStrings& s, const pyb::object& key) {
             if (pyb::isinstance<pyb::str>(key)) return s.vocab->strings().contains(key.cast<std::string>());
             return s.vocab->strings().contains(key.cast<hash_t>());
           })
      .def("__len__", [](PyStrings& s) { return s.vocab->strings().size(); })
      .def("__iter__",
           [](PyStrings& s) {
             pyb::list out;
             for (auto v : s.vocab->strings().strings()) out.append(pyb::str(std::string(v)));
             return pyb::iter(out);
           })
      .def_static("hash", [](const std::string& s) { return hash_string(s); }, "The stable 64-bit hash of a string");

  pyb::class_<Vocab, std::shared_ptr<Vocab>>(m, "Vocab")
      .def(pyb::init([](const std::string& lang) { return std::make_shared<Vocab>(lang); }), pyb::arg("lang") = "")
      .def_property_readonly("lang", &Vocab::lang)
      .def_property_readonly("strings", [](std::shared_ptr<Vocab> v) { return PyStrings{std::move(v)}; })
      .def("__getitem__",
           [](std::shared_ptr<Vocab> v, const pyb::object& key) {
             std::string text = pyb::isinstance<pyb::str>(key) ? key.cast<std::string>()
                                                                 : std::string(v->strings().at(key.cast<hash_t>()));
             Lexeme lex = v->lexeme(text);
             return PyLexeme{std::move(v), std::move(text), lex};
           })
      .def("__contains__", [](const Vocab& v, const std::string& s) { return v.find(hash_string(s)) != nullptr; })
      .def("__len__", &Vocab::size)
      .def("add", [](Vocab& v, const std::string& s) { v.add(s); })
      .def_property_readonly("frozen", &Vocab::frozen)
      .def("freeze", &Vocab::freeze)
      // What pickling needs (python/weft/_pickle.py): (lang, strings, lexeme texts, frozen).
      .def("_state", [](const Vocab& v) {
        pyb::list strings, lexemes;
        for (const std::string_view s : v.strings().strings()) strings.append(pyb::str(s.data(), s.size()));
        for (const hash_t h : v.lexeme_orths()) {
          const std::string_view s = v.strings().at(h);
          lexemes.append(pyb::str(s.data(), s.size()));
        }
        return pyb::make_tuple(v.lang(), strings, lexemes, v.frozen());
      });
  // The inverse of Vocab._state: the language's own lexical data (when the language is registered),
  // then the strings and lexemes.
  m.def("_vocab_from_state", [](const std::string& lang, const std::vector<std::string>& strings,
                                const std::vector<std::string>& lexemes, bool frozen) {
    std::shared_ptr<Vocab> v = !lang.empty() && Registry::global().has("languages", lang) ? make_vocab(language_data(lang))
                                                                                          : std::make_shared<Vocab>(lang);
    for (const std::string& s : strings) v->strings().add(s);
    for (const std::string& s : lexemes) v->add(s);
    if (frozen) v->freeze();
    return v;
  });

  auto lexeme = pyb::class_<PyLexeme>(m, "Lexeme")
                    .def_property_readonly("text", [](const PyLexeme& l) { return l.text; })
                    .def_property_readonly("vocab", [](const PyLexeme& l) { return l.vocab; })
                    .def_property_readonly("orth", [](const PyLexeme& l) { return l.lex.orth; })
                    .def_property_readonly("orth_", [](const PyLexeme& l) { return l.text; })
                    .def_property_readonly("lower", [](const PyLexeme& l) { return l.lex.lower; })
                    .def_property_readonly("norm", [](const PyLexeme& l) { return l.lex.norm; })
                    .def_property_readonly("shape", [](const PyLexeme& l) { return l.lex.shape; })
                    .def_property_readonly("prefix", [](const PyLexeme& l) { return l.lex.prefix; })
                    .def_property_readonly("suffix", [](const PyLexeme& l) { return l.lex.suffix; })
                    .def_property_readonly("lower_", [](const PyLexeme& l) { return lex::lower(l.text); })
                    .def_property_readonly("norm_", [](const PyLexeme& l) { return lex::norm(l.text, l.vocab->lex_attr_data()); })
                    .def_property_readonly("shape_", [](const PyLexeme& l) { return lex::shape(l.text); })
                    .def_property_readonly("prefix_", [](const PyLexeme& l) { return lex::prefix(l.text); })
                    .def_property_readonly("suffix_", [](const PyLexeme& l) { return lex::suffix(l.text); })
                    .def("__repr__", [](const PyLexeme& l) { return "Lexeme(" + l.text + ")"; });
  for (const auto& [name, flag] : flag_properties())
    lexeme.def_property_readonly(name.c_str(), [f = flag](const PyLexeme& l) { return l.lex.check(f); });
}

std::vector<std::pair<std::string, LexFlag>> flag_properties() {
  std::vector<std::pair<std::string, LexFlag>> out;
  for (std::uint32_t id = 1; id < 20; ++id) {
    const Attr a = static_cast<Attr>(id);
    if (auto f = flag_of(a)) {
      std::string name(attr_name(a));
      for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      out.emplace_back(std::move(name), *f);
    }
  }
  return out;
}

}  // namespace weft::py
