"""The weft registry from Python: list what is registered, and add Python tokenizers and components.

    @weft.registry.tokenizers("my.SpaceTokenizer.v1")
    def make(config, vocab):
        return lambda text: text.split()

    nlp.set_tokenizer({"@tokenizers": "my.SpaceTokenizer.v1"})

    @weft.registry.components("shout")
    def make_shout(name, config, vocab):
        def shout(doc):
            ...  # annotate doc in place
        return shout

    nlp.add_pipe("shout")
"""
from . import _weft

_native = _weft.registry


def categories():
    """The registry's categories ("components", "languages", "tokenizers", ...)."""
    return _native.categories()


def entries(category=None):
    """Registered entries as dicts with category, name, description and source."""
    return _native.entries(category)


def names(category):
    """The registered names in one category."""
    return [e["name"] for e in _native.entries(category)]


def has(category, name):
    return _native.has(category, name)


def tokenizers(name, description=""):
    """Decorator: registers `factory(config: dict, vocab) -> (text -> list[str])` as a tokenizer."""
    def register(factory):
        _native.add_tokenizer(name, factory, description or (factory.__doc__ or "").strip())
        return factory
    return register


def components(name, description=""):
    """Decorator: registers `factory(name, config: dict, vocab) -> (doc -> None)` as a pipeline component."""
    def register(factory):
        _native.add_component(name, factory, description or (factory.__doc__ or "").strip())
        return factory
    return register


# --- entry points ----------------------------------------------------------------------------------
# Packages provide components through the "weft_factories" entry point group (spaCy's
# "spacy_factories"): `[project.entry-points.weft_factories] my_component = "my_pkg.components:make"`.
# A name the registry lacks (weft.load, nlp.add_pipe, the weft command) makes weft import the group's
# entry points once, as spaCy imports its group when a Language is made; importing a module whose
# decorators register the name is enough. An entry point whose object is still not registered under
# its name is registered as a factory (a callable with `nlp` and `name` parameters) or, otherwise, as a
# stateless component.
ENTRY_POINT_GROUP = "weft_factories"
_loaded_entry_points = set()


def _entry_points():
    try:
        from importlib.metadata import entry_points
        return list(entry_points(group=ENTRY_POINT_GROUP))
    except Exception:  # a broken installation must not break loading built-in pipelines
        return []


def load_entry_points(name=None):
    """Imports the "weft_factories" entry points not imported yet (errors of the one named `name`
    propagate; the others only warn). Returns the names found."""
    import inspect
    import warnings

    found = []
    for ep in _entry_points():
        found.append(ep.name)
        key = (ep.name, ep.value)
        if key in _loaded_entry_points:
            continue
        _loaded_entry_points.add(key)
        try:
            obj = ep.load()
        except Exception as e:
            if ep.name == name:
                raise
            warnings.warn(f"weft: the {ENTRY_POINT_GROUP} entry point {ep.name} = {ep.value} failed to load: {e!r}")
            continue
        if _native.has("components", ep.name) or not callable(obj):
            continue
        from .language import Language
        try:
            params = inspect.signature(obj).parameters
        except (TypeError, ValueError):
            params = {}
        if "nlp" in params and "name" in params:
            Language.factory(ep.name, func=obj)
        else:
            Language.component(ep.name, func=obj)
    return found


def _resolve(category, name):
    """Called by the native registry for a missing name: True when loading entry points registered it."""
    if category != "components":
        return False
    load_entry_points(name)
    return _native.has(category, name)
