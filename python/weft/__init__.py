"""weft: fast natural-language processing with a spaCy-style API.

    import weft
    nlp = weft.blank("en")
    doc = nlp("Hello world!")
    [t.text for t in doc]
"""
from ._weft import (  # noqa: F401
    Doc,
    DocBin,
    EncodingError,
    Error,
    FormatError,
    IndexError,
    IOError,
    KeyError,
    Lexeme,
    ModelError,
    Span,
    StringStore,
    Token,
    ValueError,
    Vocab,
    __version__,
)
from . import attrs, registry  # noqa: F401
from .language import Language, blank  # noqa: F401

__all__ = [
    "Doc", "DocBin", "Error", "EncodingError", "FormatError", "IOError", "KeyError", "IndexError", "ModelError",
    "ValueError", "Language", "Lexeme", "Span", "StringStore", "Token", "Vocab", "attrs", "blank", "registry",
    "__version__",
]
