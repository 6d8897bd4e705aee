"""weft: fast natural-language processing with a spaCy-style API.

    import weft
    nlp = weft.blank("en")
    doc = nlp("Hello world!")
    [t.text for t in doc]

    weft.train({}, overrides={"training.max_steps": 1000}, output="out")
    nlp = weft.load("out/model-best")
    [(t.text, t.pos_, t.tag_, str(t.morph), t.lemma_) for t in nlp("She sat down.")]
    nlp.evaluate(weft.read_conllu("dev.conllu"))
"""
from ._weft import (  # noqa: F401
    ConfigError,
    DependencyMatcher,
    Doc,
    DocBin,
    EncodingError,
    EntityRuler,
    Error,
    FormatError,
    IndexError,
    IOError,
    KeyError,
    Lexeme,
    Matcher,
    ModelError,
    PhraseMatcher,
    PunktSentencizer,
    CRFEntityRecognizer,
    GoldLearner,
    PerceptronTagger,
    Span,
    SpanGroup,
    StringStore,
    Tensor,
    Token,
    ValueError,
    Vocab,
    __version__,
    cpu_int8,
    read_conllu,
    set_cpu_int8,
)
from . import _doc_api, _span_groups, _tokenizer_api, attrs, registry, util  # noqa: F401
from .language import Language, blank, load  # noqa: F401
from .morphology import MorphAnalysis, _token_morph, _token_set_morph
from .training import default_config, train, training_config  # noqa: F401
from .device import prefer_gpu, require_cpu, require_gpu  # noqa: F401

Token.morph = property(_token_morph, _token_set_morph,
                       doc="The token's morphological features (a MorphAnalysis); settable as Token.set_morph")
Token.set_morph = _token_set_morph
_doc_api.install()
_doc_api.install_small_api()
_span_groups.install()
_tokenizer_api.install()
from . import matcher  # noqa: E402,F401  (weft.matcher: levenshtein_compare, "_" in Matcher patterns)
from . import displacy  # noqa: E402  (weft.displacy: render, serve)

Doc._repr_html_ = displacy._repr_html  # Jupyter shows a Doc as its displaCy picture
from . import onnx  # noqa: E402,F401  (weft.onnx: export, compare, features)

__all__ = [
    "ConfigError", "Doc", "DocBin", "Error", "EncodingError", "FormatError", "IOError", "KeyError", "IndexError", "ModelError",
    "ValueError", "Language", "Lexeme", "MorphAnalysis", "Span", "StringStore", "Token", "Vocab", "attrs", "blank",
    "default_config", "load", "read_conllu", "registry", "train", "training_config", "__version__",
    "PhraseMatcher", "Matcher", "EntityRuler", "PunktSentencizer", "GoldLearner", "PerceptronTagger", "CRFEntityRecognizer", "cpu_int8", "set_cpu_int8",
    "DependencyMatcher", "SpanGroup", "matcher", "util", "displacy", "prefer_gpu", "require_cpu", "require_gpu", "Tensor", "onnx",
]
