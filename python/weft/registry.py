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
