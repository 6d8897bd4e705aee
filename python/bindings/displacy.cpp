// weft.displacy's native half (render/displacy.hpp): Docs or manual parses to markup, and the progress
// line of nlp.pipe(progress=True) (weft/progress.hpp) writing through a Python callable.
#include <pybind11/functional.h>
#include <pybind11/stl.h>

#include "bindings.hpp"
#include "weft/error.hpp"
#include "weft/progress.hpp"
#include "weft/render/displacy.hpp"

namespace weft::py {

namespace {

render::Options options_from_py(const std::string& style, const pyb::object& options, bool page, bool minify) {
  render::Options o = render::Options::from_json(render::style_from_name(style),
                                                 options.is_none() ? Json() : json_from_py(options));
  o.page = page;
  o.minify = minify;
  return o;
}

pyb::tuple result(const render::Rendered& r) { return pyb::make_tuple(r.markup, r.warnings); }

}  // namespace

void register_displacy(pyb::module_& m) {
  m.def(
      "_displacy_render",
      [](const std::vector<std::shared_ptr<Doc>>& docs, const std::vector<std::string>& titles, const std::string& style,
         const pyb::object& options, bool page, bool minify) {
        const render::Options o = options_from_py(style, options, page, minify);
        std::vector<render::DocInput> in;
        for (std::size_t i = 0; i < docs.size(); ++i) {
          if (!docs[i]) throw ValueError("displacy.render: None is not a Doc");
          in.push_back({docs[i].get(), i < titles.size() ? titles[i] : std::string()});
        }
        render::Rendered r;
        {
          pyb::gil_scoped_release release;
          r = render::render(in, o);
        }
        return result(r);
      },
      pyb::arg("docs"), pyb::arg("titles"), pyb::arg("style"), pyb::arg("options"), pyb::arg("page"), pyb::arg("minify"),
      "(markup, warnings) of Docs in displaCy's style `style` (dep, ent, span)");
  m.def(
      "_displacy_render_manual",
      [](const pyb::object& parses, const std::string& style, const pyb::object& options, bool page, bool minify) {
        const render::Options o = options_from_py(style, options, page, minify);
        return result(render::render_manual(json_from_py(parses), o));
      },
      pyb::arg("parses"), pyb::arg("style"), pyb::arg("options"), pyb::arg("page"), pyb::arg("minify"),
      "(markup, warnings) of displaCy's manual dicts");
  m.def(
      "_displacy_parse",
      [](const std::shared_ptr<Doc>& doc, const std::string& title, const std::string& style, const pyb::object& options) {
        const render::Options o = options_from_py(style, options, false, false);
        std::vector<std::string> warnings;
        Json parses = Json::array();
        switch (o.style) {
          case render::Style::Dep:
            for (const render::DepParse& p : render::parse_deps(*doc, o.dep, &warnings)) parses.push_back(render::to_json(p));
            break;
          case render::Style::Ent: parses.push_back(render::to_json(render::parse_ents(*doc, o.ent, title, &warnings))); break;
          case render::Style::Span:
            parses.push_back(render::to_json(render::parse_spans(*doc, o.span, title, &warnings)));
            break;
        }
        return pyb::make_tuple(py_from_json(parses), warnings);
      },
      pyb::arg("doc"), pyb::arg("title"), pyb::arg("style"), pyb::arg("options"),
      "([parse dicts], warnings) of a Doc: displaCy's parse_deps / parse_ents / parse_spans");
  m.def(
      "_displacy_check_options",
      [](const std::string& style, const pyb::object& options) {
        options_from_py(style, options, false, false);
      },
      pyb::arg("style"), pyb::arg("options"), "Raises what rendering with these options would raise for them");

  pyb::class_<Progress>(m, "Progress")
      .def(pyb::init([](const std::string& label, std::uint64_t total, const std::string& unit, double interval,
                        const pyb::object& write, const pyb::object& clock) {
             Progress::Options o;
             o.label = label;
             o.total = total;
             o.unit = unit;
             o.interval = interval;
             if (!write.is_none())
               o.sink = [write](std::string_view s) {
                 pyb::gil_scoped_acquire gil;
                 write(pyb::str(s.data(), s.size()));
               };
             if (!clock.is_none())
               o.clock = [clock]() {
                 pyb::gil_scoped_acquire gil;
                 return clock().cast<double>();
               };
             return std::make_unique<Progress>(std::move(o));
           }),
           pyb::arg("label"), pyb::arg("total") = 0, pyb::arg("unit") = "docs", pyb::arg("interval") = -1.0,
           pyb::arg("write") = pyb::none(), pyb::arg("clock") = pyb::none(),
           "The progress line of weft's CLI: `write(str)` receives each redraw and the final line")
      .def("add", &Progress::add, pyb::arg("docs"), pyb::arg("words"))
      .def("set_position", &Progress::set_position, pyb::arg("position"))
      .def("finish", &Progress::finish)
      .def("line", &Progress::line, pyb::arg("final") = false)
      .def_property_readonly("docs", &Progress::docs)
      .def_property_readonly("words", &Progress::words)
      .def_static("stderr_is_terminal", &Progress::stderr_is_terminal);
}

}  // namespace weft::py
