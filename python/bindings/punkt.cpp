// The Punkt sentencizer from Python: `punkt = nlp.add_pipe("weft.PunktSentencizer.v1")` (or get_pipe)
// gives this view, a Component with NLTK's names: train(text) learns the parameters from raw text
// (NLTK's PunktTrainer), abbrev_types / collocations / sent_starters show them (PunktParameters),
// span_tokenize(text) and tokenize(text) give the sentences (PunktSentenceTokenizer), with code-point
// offsets as Python's.
#include <pybind11/stl.h>

#include "bindings.hpp"
#include "weft/components/punkt/punkt.hpp"
#include "weft/strings/utf8.hpp"

namespace weft::py {

namespace {

struct PyPunkt : PyComponentView {};

PunktSentencizer& punkt_of(const PyPunkt& v) { return dynamic_cast<PunktSentencizer&>(*v.component); }

// Code-point offsets of byte offsets (ascending) in `text`.
std::vector<std::pair<std::size_t, std::size_t>> to_code_points(std::string_view text,
                                                                 const std::vector<std::pair<std::size_t, std::size_t>>& spans) {
  std::vector<std::pair<std::size_t, std::size_t>> out;
  out.reserve(spans.size());
  std::size_t byte = 0, cp = 0;
  const auto advance = [&](std::size_t to) {
    for (; byte < to && byte < text.size(); ++byte) cp += (static_cast<unsigned char>(text[byte]) & 0xC0) != 0x80;
    return cp;
  };
  for (const auto& [b, e] : spans) {
    const std::size_t cb = advance(b);
    out.emplace_back(cb, advance(e));
  }
  return out;
}

}  // namespace

void register_punkt(pyb::module_& m) {
  pyb::class_<PyPunkt, PyComponentView>(m, "PunktSentencizer")
      .def(
          "train",
          [](const PyPunkt& v, const pyb::handle& text) {
            const std::string t = utf8_from_py(text);
            {
              pyb::gil_scoped_release release;
              punkt_of(v).learn_from_text(t);
            }
            return v;
          },
          pyb::arg("text"),
          "Learns abbreviations, collocations, sentence starters and orthographic contexts from raw text "
          "(NLTK's PunktTrainer(text)); replaces what was learnt before. Returns self")
      .def_property_readonly(
          "abbrev_types", [](const PyPunkt& v) { return punkt_of(v).parameters().abbrev_types; },
          "Abbreviation types, lowercased, without their final period")
      .def_property_readonly(
          "collocations", [](const PyPunkt& v) { return punkt_of(v).parameters().collocations; },
          "(type, type) pairs whose period is not a sentence boundary")
      .def_property_readonly(
          "sent_starters", [](const PyPunkt& v) { return punkt_of(v).parameters().sent_starters; },
          "Frequent sentence starters")
      .def_property_readonly("summary", [](const PyPunkt& v) { return punkt_of(v).learnt_summary(); })
      .def(
          "span_tokenize",
          [](const PyPunkt& v, const pyb::handle& text) {
            const std::string t = utf8_from_py(text);
            std::vector<std::pair<std::size_t, std::size_t>> spans;
            {
              pyb::gil_scoped_release release;
              spans = punkt_of(v).sentence_spans(t);
            }
            return to_code_points(t, spans);
          },
          pyb::arg("text"), "The sentences of TEXT as (start, end) character offsets (NLTK's span_tokenize)")
      .def(
          "tokenize",
          [](const PyPunkt& v, const pyb::handle& text) {
            const std::string t = utf8_from_py(text);
            std::vector<std::string> out;
            for (const auto& [b, e] : punkt_of(v).sentence_spans(t)) out.push_back(t.substr(b, e - b));
            return out;
          },
          pyb::arg("text"), "The sentences of TEXT as strings (NLTK's tokenize)");

  add_component_view([](const PyComponentView& v) -> pyb::object {
    if (dynamic_cast<PunktSentencizer*>(v.component.get())) return pyb::cast(PyPunkt{v});
    return pyb::none();
  });
}

}  // namespace weft::py
