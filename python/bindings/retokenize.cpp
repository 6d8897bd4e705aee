// spaCy's doc.retokenize() context manager: `with doc.retokenize() as r: r.merge(doc[3:5], attrs={...});
// r.split(doc[2], ["New", "York"], heads=[(doc[2], 1), doc[1]])`. The requests are applied together
// when the block ends without an exception (spaCy applies them even after one; weft leaves the Doc
// untouched). The method is attached to the Doc class made by register_doc.
#include <pybind11/stl.h>

#include "bindings.hpp"
#include "weft/doc/retokenizer.hpp"
#include "weft/error.hpp"

namespace weft::py {

namespace {

struct PyRetokenizer {
  std::shared_ptr<Doc> doc;
  std::unique_ptr<Retokenizer> r;
};

// One attribute value from Python: a str; an int (a string hash for the string attributes, weft's
// UPOS number for POS, 0-3 for ENT_IOB, -1/0/1 for SENT_START); a bool for SENT_START.
void set_attr(TokenAttrs& out, Attr a, const pyb::handle& value, const Doc& doc) {
  if (value.is_none()) return;  // left at its default
  if (pyb::isinstance<pyb::str>(value)) return out.set(a, utf8_from_py(value));
  if (a == Attr::SENT_START && pyb::isinstance<pyb::bool_>(value)) {
    out.sent_start = static_cast<std::int8_t>(value.cast<bool>() ? 1 : -1);
    return;
  }
  if (!pyb::isinstance<pyb::int_>(value))
    throw ValueError("retokenize: the value of " + std::string(attr_name(a)) + " must be a str or an int, not " +
                     std::string(pyb::str(pyb::type::of(value).attr("__name__"))));
  switch (a) {
    case Attr::POS: {
      const auto v = value.cast<long long>();
      if (v < 0 || v >= static_cast<long long>(UPOS::COUNT))
        throw ValueError("retokenize: POS " + std::to_string(v) + " is not a weft UPOS number");
      out.pos = static_cast<UPOS>(v);
      return;
    }
    case Attr::ENT_IOB: {
      const auto v = value.cast<long long>();
      if (v < 0 || v > 3) throw ValueError("retokenize: ENT_IOB must be 0-3, not " + std::to_string(v));
      out.ent_iob = static_cast<EntIob>(v);
      return;
    }
    case Attr::SENT_START: {
      const auto v = value.cast<long long>();
      if (v < -1 || v > 1) throw ValueError("retokenize: SENT_START must be 1, -1 or 0, not " + std::to_string(v));
      out.sent_start = static_cast<std::int8_t>(v);
      return;
    }
    default:
      TokenAttrs().set(a, "");  // ValueError first for an attribute that cannot be set
      out.set(a, doc.str(value.cast<hash_t>()));  // a hash: its string (KeyError when unknown)
  }
}

Attr attr_key(const pyb::handle& key) {
  if (pyb::isinstance<pyb::str>(key) && key.cast<std::string>() == "_")
    throw ValueError("retokenize: custom extension attributes (\"_\") do not exist in weft");
  return attr_from_py(key);
}

TokenAttrs merge_attrs(const pyb::dict& attrs, const Doc& doc) {
  TokenAttrs out;
  for (const auto& [key, value] : attrs) set_attr(out, attr_key(key), value, doc);
  return out;
}

// {"POS": ["PROPN", "PROPN"], ...} -> one TokenAttrs per subtoken.
std::vector<TokenAttrs> split_attrs(const pyb::dict& attrs, std::size_t n, const Doc& doc) {
  std::vector<TokenAttrs> out;
  if (attrs.empty()) return out;
  out.resize(n);
  for (const auto& [key, values] : attrs) {
    const Attr a = attr_key(key);
    if (pyb::isinstance<pyb::str>(values) || !pyb::isinstance<pyb::sequence>(values))
      throw ValueError("retokenize: split attrs map each attribute to a list of values, one per new token; " +
                       std::string(attr_name(a)) + " is not a list");
    const auto seq = values.cast<pyb::sequence>();
    if (seq.size() != n)
      throw ValueError("retokenize: " + std::string(attr_name(a)) + " has " + std::to_string(seq.size()) +
                       " values for " + std::to_string(n) + " new tokens");
    for (std::size_t k = 0; k < n; ++k) set_attr(out[k], a, seq[k], doc);
  }
  return out;
}

const PyToken& token_of(const pyb::handle& h, const std::shared_ptr<Doc>& doc, const char* what) {
  if (!pyb::isinstance<PyToken>(h))
    throw ValueError(std::string("retokenize: ") + what + " must be a Token, not " +
                     std::string(pyb::str(pyb::type::of(h).attr("__name__"))));
  const PyToken& t = h.cast<const PyToken&>();
  if (t.doc != doc) throw ValueError(std::string("retokenize: ") + what + " belongs to another Doc");
  if (t.i >= doc->size()) throw IndexError(std::string("retokenize: ") + what + " is outside the Doc");
  return t;
}

}  // namespace

void register_retokenize(pyb::module_& m) {
  pyb::class_<PyRetokenizer>(m, "Retokenizer")
      .def("__enter__", [](PyRetokenizer& self) -> PyRetokenizer& { return self; }, pyb::return_value_policy::reference)
      .def("__exit__",
           [](PyRetokenizer& self, const pyb::object& exc_type, const pyb::object&, const pyb::object&) {
             if (exc_type.is_none()) self.r->apply();
             else self.r = std::make_unique<Retokenizer>(*self.doc);  // drop the requests
             return false;
           })
      .def(
          "merge",
          [](PyRetokenizer& self, const PySpan& span, const std::optional<pyb::dict>& attrs) {
            if (span.doc != self.doc) throw ValueError("retokenize: merge was given a Span of another Doc");
            self.r->merge(span.start, span.end, attrs ? merge_attrs(*attrs, *self.doc) : TokenAttrs{});
          },
          pyb::arg("span"), pyb::arg("attrs") = pyb::none(),
          "Marks the span to become one token, with `attrs` ({\"LEMMA\": \"new york\", ...}) set on it")
      .def(
          "split",
          [](PyRetokenizer& self, const pyb::object& token, const pyb::object& orths, const pyb::object& heads,
             const std::optional<pyb::dict>& attrs) {
            const PyToken& t = token_of(token, self.doc, "the token to split");
            std::vector<Retokenizer::Head> hs;
            for (const pyb::handle h : pyb::list(heads)) {
              if (pyb::isinstance<pyb::tuple>(h) && pyb::len(h) == 2) {
                const auto tup = h.cast<pyb::tuple>();
                const long long sub = tup[1].cast<long long>();
                if (sub < 0) throw IndexError("retokenize: subtoken index " + std::to_string(sub) + " is negative");
                hs.push_back({token_of(tup[0], self.doc, "a head").i, static_cast<std::size_t>(sub)});
              } else {
                hs.push_back({token_of(h, self.doc, "a head").i, 0});
              }
            }
            const std::vector<std::string> os = utf8_list_from_py(pyb::list(orths));
            self.r->split(t.i, os, hs, attrs ? split_attrs(*attrs, os.size(), *self.doc) : std::vector<TokenAttrs>{});
          },
          pyb::arg("token"), pyb::arg("orths"), pyb::arg("heads"), pyb::arg("attrs") = pyb::none(),
          "Marks the token to become len(orths) tokens; heads[k] is a Token or a (Token, subtoken index) pair; "
          "attrs maps attribute names to one value per new token");

  pyb::object doc_cls = m.attr("Doc");
  doc_cls.attr("retokenize") = pyb::cpp_function(
      [](std::shared_ptr<Doc> d) {
        auto r = std::make_unique<Retokenizer>(*d);
        return PyRetokenizer{std::move(d), std::move(r)};
      },
      pyb::name("retokenize"), pyb::is_method(doc_cls),
      "A context manager that merges and splits tokens, applied together at the end of the with block (spaCy's "
      "Doc.retokenize)");
}

}  // namespace weft::py
