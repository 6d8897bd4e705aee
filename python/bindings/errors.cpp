// weft::Error and its subclasses become Python exceptions that subclass both weft.Error and the
// matching built-in (FormatError is a ValueError, IOError an OSError, KeyError a KeyError, ...), so
// spaCy-style code that catches built-ins keeps working.
#include "bindings.hpp"
#include "weft/error.hpp"

namespace weft::py {

void register_errors(pyb::module_& m) {
  pyb::object base = pyb::reinterpret_borrow<pyb::object>(PyExc_Exception);
  auto type = pyb::module_::import("builtins").attr("type");
  pyb::object error = type("Error", pyb::make_tuple(base), pyb::dict());
  error.attr("__module__") = "weft";
  m.attr("Error") = error;
  auto sub = [&](const char* name, PyObject* builtin) {
    pyb::object cls = type(name, pyb::make_tuple(error, pyb::reinterpret_borrow<pyb::object>(builtin)), pyb::dict());
    cls.attr("__module__") = "weft";
    m.attr(name) = cls;
  };
  sub("EncodingError", PyExc_ValueError);
  sub("FormatError", PyExc_ValueError);
  sub("IOError", PyExc_OSError);
  sub("ModelError", PyExc_OSError);
  sub("ValueError", PyExc_ValueError);
  sub("KeyError", PyExc_KeyError);
  sub("IndexError", PyExc_IndexError);
  // A ConfigError is a weft.ValueError (and so a built-in ValueError).
  pyb::object config_error = type("ConfigError", pyb::make_tuple(m.attr("ValueError")), pyb::dict());
  config_error.attr("__module__") = "weft";
  m.attr("ConfigError") = config_error;

  pyb::register_exception_translator([](std::exception_ptr p) {
    if (!p) return;
    try {
      std::rethrow_exception(p);
    } catch (const weft::Error& e) {
      const char* name = dynamic_cast<const EncodingError*>(&e) ? "EncodingError"
                         : dynamic_cast<const FormatError*>(&e) ? "FormatError"
                         : dynamic_cast<const weft::IOError*>(&e) ? "IOError"
                         : dynamic_cast<const ModelError*>(&e)  ? "ModelError"
                         : dynamic_cast<const ConfigError*>(&e) ? "ConfigError"
                         : dynamic_cast<const weft::ValueError*>(&e) ? "ValueError"
                         : dynamic_cast<const weft::KeyError*>(&e)   ? "KeyError"
                         : dynamic_cast<const weft::IndexError*>(&e) ? "IndexError"
                                                                      : "Error";
      pyb::object cls = pyb::module_::import("weft._weft").attr(name);
      PyErr_SetString(cls.ptr(), e.what());
    }
  });
}

}  // namespace weft::py
