"""weft.displacy: spaCy's displaCy for weft Docs, drawn by weft's C++ renderer (render/displacy.hpp,
the same code as `weft render`), with displaCy's markup, options and colours.

    from weft import displacy
    html = displacy.render(doc, style="dep", options={"compact": True})   # SVG markup
    html = displacy.render(docs, style="ent", page=True)                  # a whole HTML page
    displacy.serve(doc, style="dep", port=5000)                           # http://localhost:5000

Styles: "dep" (words, tags and labelled arcs; one SVG per Doc, or per sentence with
options={"per_sentence": True}), "ent" (doc.ents marked in the text) and "span" (doc.spans[spans_key]).
Docs, Spans (rendered as span.as_doc()) and lists of them are accepted, and with manual=True displaCy's
dicts. A title comes from doc.user_data["title"] (or a JSONL record's meta "title"), as in spaCy, for
the ent and span styles. displaCy's warnings (a Doc without a parse, without entities or spans) are
UserWarnings; unknown styles and options, and bad option values, are ValueErrors (weft.ConfigError for
an unknown option name).
"""
import http.server
import socket
import warnings

from . import _weft

__all__ = ["render", "serve", "parse_deps", "parse_ents", "parse_spans", "set_render_wrapper", "get_doc_settings"]

_html = {}
RENDER_WRAPPER = None


def _is_in_jupyter():
    """Whether this runs in a Jupyter kernel (spaCy's is_in_jupyter)."""
    try:
        from IPython import get_ipython  # noqa: F401  (IPython is optional: not a dependency)
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and shell.__class__.__name__ == "ZMQInteractiveShell"


def _title(doc):
    data = doc.user_data
    title = data.get("title")
    if title is None and isinstance(data.get("meta"), dict):
        title = data["meta"].get("title")
    return "" if title is None else str(title)


def _as_docs(docs):
    if isinstance(docs, (_weft.Doc, _weft.Span, dict)):
        docs = [docs]
    out = []
    for obj in docs:
        if isinstance(obj, _weft.Span):
            obj = obj.as_doc()
        out.append(obj)
    return out


def _render(docs, style, page, minify, options, manual):
    if not isinstance(style, str):
        raise ValueError(f"displaCy style must be a str (dep, ent, span), not {style!r}")
    if options is None:
        options = {}
    if not isinstance(options, dict):
        raise ValueError(f"displaCy options must be a dict, not {type(options).__name__}")
    docs = _as_docs(docs)
    if manual:
        if not all(isinstance(d, (dict, _weft.Doc)) for d in docs):
            raise ValueError("displacy.render with manual=True takes dicts (or Docs)")
        if all(isinstance(d, dict) for d in docs):
            markup, warns = _weft._displacy_render_manual(docs, style, options, page, minify)
        else:
            # A mix: each Doc is turned into its parse first, as spaCy's render does with manual=True.
            parses = []
            for d in docs:
                parses.extend([d] if isinstance(d, dict) else _parsed(d, style, options))
            markup, warns = _weft._displacy_render_manual(parses, style, options, page, minify)
    else:
        if not all(isinstance(d, _weft.Doc) for d in docs):
            raise ValueError("displacy.render takes Docs, Spans or lists of them (dicts need manual=True), not "
                             + ", ".join(sorted({type(d).__name__ for d in docs if not isinstance(d, _weft.Doc)})))
        titles = [_title(d) if style in ("ent", "span") else "" for d in docs]
        markup, warns = _weft._displacy_render(docs, titles, style, options, page, minify)
    for w in warns:
        warnings.warn(w, UserWarning, stacklevel=3)
    return markup


def render(docs, style="dep", page=False, minify=False, jupyter=None, options=None, manual=False):
    """Renders Docs (or Spans, or with manual=True displaCy's dicts) as displaCy markup: SVG for "dep",
    HTML for "ent" and "span"; with page=True a whole HTML5 page. Returns the markup; in a Jupyter
    notebook (or with jupyter=True) displays it instead, as spaCy does."""
    html = _render(docs, style, page, minify, options, manual)
    _html["parsed"] = html
    if RENDER_WRAPPER is not None:
        html = RENDER_WRAPPER(html)
    if jupyter or (jupyter is None and _is_in_jupyter()):
        from IPython.display import HTML, display

        return display(HTML(f'<span class="tex2jax_ignore">{html}</span>'))
    return html


def set_render_wrapper(func):
    """Sets a function that render() calls on the markup before returning (or displaying) it, as
    spaCy's displacy.set_render_wrapper: to embed the markup in a page or platform of one's own."""
    global RENDER_WRAPPER
    if not hasattr(func, "__call__"):
        raise ValueError(f"Invalid displaCy render wrapper. Expected callable, got: {type(func)}")
    RENDER_WRAPPER = func


def get_doc_settings(doc):
    """The language and writing direction a Doc's markup declares (spaCy's get_doc_settings)."""
    return {"lang": doc.lang_ or "en", "direction": "ltr"}


def _parsed(doc, style, options):
    if isinstance(doc, _weft.Span):
        doc = doc.as_doc()
    if not isinstance(doc, _weft.Doc):
        raise ValueError(f"displacy.parse_{style}s takes a Doc or a Span, not {type(doc).__name__}")
    if options is not None and not isinstance(options, dict):
        raise ValueError(f"displaCy options must be a dict, not {type(options).__name__}")
    title = _title(doc) if style in ("ent", "span") else ""
    parses, warns = _weft._displacy_parse(doc, title, style, options or {})
    for w in warns:
        warnings.warn(w, UserWarning, stacklevel=3)
    return parses


def parse_deps(orig_doc, options=None):
    """The dict displaCy draws for a Doc (or Span) in the dep style, as spaCy's displacy.parse_deps:
    {"words": [{"text", "tag", "lemma"}], "arcs": [{"start", "end", "label", "dir"}], "settings"},
    after collapse_punct / collapse_phrases. With options {"per_sentence": True}, a list of them."""
    parses = _parsed(orig_doc, "dep", options)
    return parses if (options or {}).get("per_sentence") else parses[0]


def parse_ents(doc, options=None):
    """The dict displaCy draws for a Doc in the ent style: {"text", "ents": [{"start", "end", "label",
    "kb_id", "kb_url"}], "title", "settings"} (character offsets), as spaCy's displacy.parse_ents."""
    return _parsed(doc, "ent", options)[0]


def parse_spans(doc, options=None):
    """The dict displaCy draws for a Doc in the span style: {"text", "tokens", "spans": [{"start_token",
    "end_token", "label", "kb_id", "kb_url"}], "title", "settings"}, as spaCy's displacy.parse_spans."""
    return _parsed(doc, "span", options)[0]


def _port_in_use(port, host):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return True
    return False


def _free_port(host):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def serve(docs, style="dep", page=True, minify=False, options=None, manual=False, port=5000, host="0.0.0.0",
          auto_select_port=False):
    """Serves the rendered markup over HTTP (Python's http.server) on host:port until interrupted
    (Ctrl-C), as spaCy's displacy.serve. A port in use is a ValueError, or with auto_select_port=True
    another, free port is taken (with a warning)."""
    if _port_in_use(port, host):
        if not auto_select_port:
            raise ValueError(f"Port {port} is already in use. Please specify an available port with "
                             "`displacy.serve(doc, port=port)` or use `auto_select_port=True` to pick an "
                             "available port automatically.")
        new_port = _free_port(host)
        warnings.warn(f"Port {port} is already in use. Using {new_port} instead.", UserWarning, stacklevel=2)
        port = new_port
    if _is_in_jupyter():
        warnings.warn("Looks like you're calling displacy.serve from within a Jupyter notebook or a similar "
                      "environment. Use displacy.render instead.", UserWarning, stacklevel=2)
    render(docs, style=style, page=page, minify=minify, options=options, manual=manual, jupyter=False)
    payload = _html["parsed"].encode("utf-8")  # as spaCy's app: the markup without the render wrapper

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802  (http.server's name)
            self.send_response(200)
            self.send_header("Content-type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def do_HEAD(self):  # noqa: N802
            self.send_response(200)
            self.send_header("Content-type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()

    httpd = http.server.ThreadingHTTPServer((host, port), Handler)
    print(f"\nUsing the '{style}' visualizer")
    print(f"Serving on http://{host}:{httpd.server_address[1]} ...\n", flush=True)
    try:
        httpd.serve_forever()
    except KeyboardInterrupt:
        print(f"Shutting down server on port {port}.", flush=True)
    finally:
        httpd.server_close()


def _repr_html(doc):
    """What Jupyter shows for a Doc: its dependency SVG when it is parsed, then its entities when it has
    some; its text (escaped, in the ent style's box) otherwise."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        parts = []
        if len(doc) and doc.has_annotation("DEP"):
            parts.append(_render([doc], "dep", False, False, {}, False))
        if doc.ents or not parts:
            parts.append(_render([doc], "ent", False, False, {}, False))
    return '<span class="tex2jax_ignore">' + "".join(parts) + "</span>"
