// The rule-based Matcher: a table of (words, annotations, rules, greedy, expected matches) covering every
// operator, predicate and attribute kind, then the API (callbacks, remove, spans, keys, errors).
#include <doctest/doctest.h>

#include <atomic>
#include <cctype>
#include <string>
#include <thread>
#include <vector>

#include "test_paths.hpp"
#include "weft/components/dependency_matcher/dependency_matcher.hpp"
#include "weft/components/entity_ruler/entity_ruler.hpp"
#include "weft/components/matcher/matcher.hpp"
#include "weft/doc/span.hpp"
#include "weft/error.hpp"
#include "weft/pipeline/language.hpp"

using namespace weft;

namespace {

// The table. Each row: "words" (and optionally "spaces"), per-token "annotations" (pos, tag, lemma,
// dep, morph, norm, ent_iob + ent_type, sent_start), "rules" ({key: [patterns]}, added in order),
// "greedy" ({key: "FIRST" | "LONGEST"}), optionally "span" ([start, end): match doc[start:end]) and
// "alignments" (with_alignments), and "expected": the matches in order as [key, start, end] (plus the
// alignments). The expected matches were worked out by hand from spaCy's algorithm (matcher.pyx:
// find_matches, transition_states, finish_states, __call__) and then checked against spaCy 3.8.18
// itself: a script read this table, built the same Docs with spacy.blank("en") and
// spacy.tokens.Doc(words=...), and compared spaCy's Matcher output with every row. Rows with a
// "departure" field are where weft differs from spaCy on purpose (the field says how).
constexpr const char* kTable = R"JSON([
{"name": "plain ORTH", "words": ["a", "b", "a", "c"],
 "rules": {"A": [[{"ORTH": "a"}]]}, "expected": [["A", 0, 1], ["A", 2, 3]]},
{"name": "TEXT alias and lower-case keys", "words": ["a", "b", "a", "c"],
 "rules": {"A": [[{"text": "b"}]], "B": [[{"orth": "c"}]]}, "expected": [["A", 1, 2], ["B", 3, 4]]},
{"name": "a sequence of two tokens", "words": ["a", "b", "a", "b", "b"],
 "rules": {"A": [[{"ORTH": "a"}, {"ORTH": "b"}]]}, "expected": [["A", 0, 2], ["A", 2, 4]]},
{"name": "! is one token that does not match", "words": ["a", "b", "a", "c", "a"],
 "rules": {"A": [[{"ORTH": "a"}, {"ORTH": "b", "OP": "!"}]]}, "expected": [["A", 2, 4]]},
{"name": "! first", "words": ["a", "b", "c", "b"],
 "rules": {"A": [[{"ORTH": "a", "OP": "!"}, {"ORTH": "b"}]]}, "expected": [["A", 2, 4]]},
{"name": "? in the middle", "words": ["a", "b", "c", "a", "c"],
 "rules": {"A": [[{"ORTH": "a"}, {"ORTH": "b", "OP": "?"}, {"ORTH": "c"}]]}, "expected": [["A", 0, 3], ["A", 3, 5]]},
{"name": "? last gives the match with and without the token", "words": ["a", "b", "a"],
 "rules": {"A": [[{"ORTH": "a"}, {"ORTH": "b", "OP": "?"}]]}, "expected": [["A", 0, 1], ["A", 0, 2], ["A", 2, 3]]},
{"name": "? first", "words": ["a", "b", "b"],
 "rules": {"A": [[{"OP": "?"}, {"ORTH": "b"}]]}, "expected": [["A", 0, 2], ["A", 1, 2], ["A", 1, 3], ["A", 2, 3]]},
{"name": "* in the middle, matches in spaCy's order", "words": ["a", "b", "a", "x", "x", "b"],
 "rules": {"A": [[{"ORTH": "a"}, {"OP": "*"}, {"ORTH": "b"}]]}, "expected": [["A", 0, 2], ["A", 2, 6], ["A", 0, 6]]},
{"name": "* last reports every extension", "words": ["a", "a", "b", "a"],
 "rules": {"A": [[{"ORTH": "a"}, {"OP": "*"}]]},
 "expected": [["A", 0, 1], ["A", 0, 2], ["A", 1, 2], ["A", 0, 3], ["A", 1, 3], ["A", 0, 4], ["A", 1, 4], ["A", 3, 4]]},
{"name": "* first and last", "words": ["a", "b", "c"],
 "rules": {"A": [[{"OP": "*"}, {"ORTH": "b"}, {"OP": "*"}]]},
 "expected": [["A", 0, 2], ["A", 1, 2], ["A", 0, 3], ["A", 1, 3]]},
{"name": "+ reports all overlapping matches", "words": ["a", "a", "b", "a"],
 "rules": {"A": [[{"ORTH": "a", "OP": "+"}]]}, "expected": [["A", 0, 1], ["A", 0, 2], ["A", 1, 2], ["A", 3, 4]]},
{"name": "+ in the middle", "words": ["a", "b", "b", "c", "a", "c"],
 "rules": {"A": [[{"ORTH": "a"}, {"ORTH": "b", "OP": "+"}, {"ORTH": "c"}]]}, "expected": [["A", 0, 4]]},
{"name": "? then * then one", "words": ["a", "b", "b", "c", "c"],
 "rules": {"A": [[{"ORTH": "a", "OP": "?"}, {"ORTH": "b", "OP": "*"}, {"ORTH": "c"}]]},
 "expected": [["A", 0, 4], ["A", 1, 4], ["A", 2, 4], ["A", 3, 4], ["A", 4, 5]]},
{"name": "{n}", "words": ["a", "a", "a", "a"],
 "rules": {"A": [[{"ORTH": "a", "OP": "{2}"}]]}, "expected": [["A", 0, 2], ["A", 1, 3], ["A", 2, 4]]},
{"name": "{n,m}", "words": ["a", "a", "b"],
 "rules": {"A": [[{"ORTH": "a", "OP": "{1,2}"}]]}, "expected": [["A", 0, 1], ["A", 0, 2], ["A", 1, 2]]},
{"name": "{n,}", "words": ["a", "a", "a", "b"],
 "rules": {"A": [[{"ORTH": "a", "OP": "{2,}"}]]}, "expected": [["A", 0, 2], ["A", 0, 3], ["A", 1, 3]]},
{"name": "{,m}", "words": ["a", "a", "b"],
 "rules": {"A": [[{"ORTH": "a", "OP": "{,2}"}]]}, "expected": [["A", 0, 1], ["A", 0, 2], ["A", 1, 2]]},
{"name": "{0} drops the token spec", "words": ["a", "b"],
 "rules": {"A": [[{"ORTH": "a"}, {"ORTH": "b", "OP": "{0}"}]], "B": [[{"ORTH": "a", "OP": "{0}"}]]},
 "expected": [["A", 0, 1]]},
{"name": "{} matches any one token", "words": ["a", "b", "c", "a", "c"],
 "rules": {"A": [[{"ORTH": "a"}, {}, {"ORTH": "c"}]]}, "expected": [["A", 0, 3]]},
{"name": "an empty predicate dict matches any token", "words": ["a", "b"],
 "rules": {"A": [[{"ORTH": {}}]]}, "expected": [["A", 0, 1], ["A", 1, 2]]},
{"name": "keys and patterns: matches in token order, then pattern order", "words": ["a", "b"],
 "rules": {"A": [[{"ORTH": "b"}]], "B": [[{"ORTH": "a"}, {"ORTH": "b"}], [{"ORTH": "a"}]]},
 "expected": [["B", 0, 1], ["B", 0, 2], ["A", 1, 2]]},
{"name": "one span from two patterns of a key is reported once", "words": ["a", "b", "a"],
 "rules": {"A": [[{"ORTH": "a"}], [{"LOWER": "a"}]], "B": [[{"ORTH": "a"}]]},
 "expected": [["A", 0, 1], ["B", 0, 1], ["A", 2, 3], ["B", 2, 3]]},
{"name": "greedy LONGEST", "words": ["a", "a", "b", "a"], "greedy": {"A": "LONGEST"},
 "rules": {"A": [[{"ORTH": "a", "OP": "+"}]]}, "expected": [["A", 0, 2], ["A", 3, 4]]},
{"name": "greedy FIRST", "words": ["a", "a", "b", "a"], "greedy": {"A": "FIRST"},
 "rules": {"A": [[{"ORTH": "a", "OP": "+"}]]}, "expected": [["A", 0, 2], ["A", 3, 4]]},
{"name": "greedy FIRST and LONGEST disagree", "words": ["b", "a", "a", "c", "c", "c"], "greedy": {"F": "FIRST", "L": "LONGEST"},
 "rules": {"F": [[{"ORTH": "b"}, {"ORTH": "a"}], [{"ORTH": "a"}, {"ORTH": "a"}, {"ORTH": "c", "OP": "+"}]],
           "L": [[{"ORTH": "b"}, {"ORTH": "a"}], [{"ORTH": "a"}, {"ORTH": "a"}, {"ORTH": "c", "OP": "+"}]]},
 "expected": [["F", 0, 2], ["L", 1, 6]]},
{"name": "greedy LONGEST prefers the earliest of equal lengths", "words": ["a", "a", "a"], "greedy": {"A": "LONGEST"},
 "rules": {"A": [[{"ORTH": "a"}, {"ORTH": "a"}]]}, "expected": [["A", 0, 2]]},
{"name": "greedy keys come after the others, each filtered alone", "words": ["x", "y", "y"], "greedy": {"B": "LONGEST", "C": "FIRST"},
 "rules": {"A": [[{"ORTH": "y"}]], "B": [[{"ORTH": "x"}, {"ORTH": "y", "OP": "*"}]], "C": [[{"ORTH": "y", "OP": "+"}]]},
 "expected": [["A", 1, 2], ["A", 2, 3], ["B", 0, 3], ["C", 1, 3]]},
{"name": "LOWER", "words": ["Apple", "apple", "APPLE", "pear"],
 "rules": {"A": [[{"LOWER": "apple"}]]}, "expected": [["A", 0, 1], ["A", 1, 2], ["A", 2, 3]]},
{"name": "NORM, with a token's own norm", "words": ["Apple", "banana", "pear"],
 "annotations": [{}, {"norm": "fruit"}, {}],
 "rules": {"A": [[{"NORM": "apple"}]], "B": [[{"NORM": "fruit"}]], "C": [[{"NORM": "banana"}]]},
 "expected": [["A", 0, 1], ["B", 1, 2]]},
{"name": "SHAPE", "words": ["Hello", "hello", "123", "HELLO"],
 "rules": {"A": [[{"SHAPE": "Xxxxx"}]], "B": [[{"SHAPE": "ddd"}]], "C": [[{"SHAPE": "XXXX"}]]},
 "expected": [["A", 0, 1], ["B", 2, 3], ["C", 3, 4]]},
{"name": "PREFIX and SUFFIX", "words": ["running", "jumping", "ran"],
 "rules": {"S": [[{"SUFFIX": "ing"}]], "P": [[{"PREFIX": "r"}]]},
 "expected": [["S", 0, 1], ["P", 0, 1], ["S", 1, 2], ["P", 2, 3]]},
{"name": "LENGTH", "words": ["a", "bb", "ccc", "é"],
 "rules": {"A": [[{"LENGTH": 2}]], "B": [[{"LENGTH": 1}]]}, "expected": [["B", 0, 1], ["A", 1, 2], ["B", 3, 4]]},
{"name": "LENGTH comparisons", "words": ["a", "bb", "ccc"],
 "rules": {"GE": [[{"LENGTH": {">=": 2}}]], "LT": [[{"LENGTH": {"<": 2}}]], "EQ": [[{"LENGTH": {"==": 3}}]],
           "NE": [[{"LENGTH": {"!=": 1}}]], "GT": [[{"LENGTH": {">": 1.5}}]], "LE": [[{"LENGTH": {"<=": 2}}]],
           "RANGE": [[{"LENGTH": {">=": 2, "<=": 2}}]]},
 "expected": [["LT", 0, 1], ["LE", 0, 1], ["GE", 1, 2], ["NE", 1, 2], ["GT", 1, 2], ["LE", 1, 2], ["RANGE", 1, 2],
              ["GE", 2, 3], ["EQ", 2, 3], ["NE", 2, 3], ["GT", 2, 3]]},
{"name": "LENGTH IN, NOT_IN and set predicates", "words": ["a", "bb", "ccc"],
 "rules": {"IN": [[{"LENGTH": {"IN": [1, 3]}}]], "NOT_IN": [[{"LENGTH": {"NOT_IN": [1]}}]],
           "SUB": [[{"LENGTH": {"IS_SUBSET": [2, 5]}}]], "SUP": [[{"LENGTH": {"IS_SUPERSET": [3]}}]],
           "X": [[{"LENGTH": {"INTERSECTS": [1]}}]]},
 "expected": [["IN", 0, 1], ["X", 0, 1], ["NOT_IN", 1, 2], ["SUB", 1, 2], ["IN", 2, 3], ["NOT_IN", 2, 3], ["SUP", 2, 3]]},
{"name": "lexical flags", "words": ["Hello", "world", "10", "ten", "$", "(", ")", "\"", "the", "USA", "café", "www.example.com", "me@example.com", ","],
 "rules": {"ALPHA": [[{"IS_ALPHA": true}]], "DIGIT": [[{"IS_DIGIT": true}]], "PUNCT": [[{"IS_PUNCT": true}]],
           "UPPER": [[{"IS_UPPER": true}]], "LOWER": [[{"IS_LOWER": true}]], "TITLE": [[{"IS_TITLE": true}]],
           "STOP": [[{"IS_STOP": true}]], "NUM": [[{"LIKE_NUM": true}]], "URL": [[{"LIKE_URL": true}]],
           "EMAIL": [[{"LIKE_EMAIL": true}]], "CURRENCY": [[{"IS_CURRENCY": true}]], "BRACKET": [[{"IS_BRACKET": true}]],
           "QUOTE": [[{"IS_QUOTE": true}]], "LEFT": [[{"IS_LEFT_PUNCT": true}]], "RIGHT": [[{"IS_RIGHT_PUNCT": true}]],
           "NONASCII": [[{"IS_ASCII": false}]], "SPACE": [[{"IS_SPACE": true}]]},
 "expected": [["ALPHA", 0, 1], ["TITLE", 0, 1], ["ALPHA", 1, 2], ["LOWER", 1, 2], ["DIGIT", 2, 3], ["NUM", 2, 3],
              ["ALPHA", 3, 4], ["LOWER", 3, 4], ["STOP", 3, 4], ["NUM", 3, 4], ["CURRENCY", 4, 5],
              ["PUNCT", 5, 6], ["BRACKET", 5, 6], ["LEFT", 5, 6], ["PUNCT", 6, 7], ["BRACKET", 6, 7], ["RIGHT", 6, 7],
              ["PUNCT", 7, 8], ["QUOTE", 7, 8], ["LEFT", 7, 8], ["RIGHT", 7, 8],
              ["ALPHA", 8, 9], ["LOWER", 8, 9], ["STOP", 8, 9], ["ALPHA", 9, 10], ["UPPER", 9, 10],
              ["ALPHA", 10, 11], ["LOWER", 10, 11], ["NONASCII", 10, 11], ["LOWER", 11, 12], ["URL", 11, 12],
              ["LOWER", 12, 13], ["EMAIL", 12, 13], ["PUNCT", 13, 14]]},
{"name": "a flag set to false", "words": ["a", "1", "b"],
 "rules": {"A": [[{"IS_ALPHA": false}]]}, "expected": [["A", 1, 2]]},
{"name": "SPACY (whitespace after the token)", "words": ["a", "b", "c"], "spaces": [false, true, false],
 "rules": {"A": [[{"SPACY": true}]], "B": [[{"SPACY": false}]]}, "expected": [["B", 0, 1], ["A", 1, 2], ["B", 2, 3]]},
{"name": "SENT_START and IS_SENT_START", "words": ["a", "b", "c", "d"],
 "annotations": [{"sent_start": 1}, {"sent_start": -1}, {"sent_start": 1}, {"sent_start": -1}],
 "rules": {"A": [[{"IS_SENT_START": true}]], "B": [[{"SENT_START": false}, {"SENT_START": true}]]},
 "expected": [["A", 0, 1], ["B", 1, 3], ["A", 2, 3]]},
{"name": "the first token starts a sentence, other unmarked ones do not", "words": ["a", "b"],
 "rules": {"A": [[{"IS_SENT_START": true}]], "B": [[{"IS_SENT_START": false}]]}, "expected": [["A", 0, 1], ["B", 1, 2]]},
{"name": "SENT_START in a Span reads the Doc's marks", "words": ["a", "b", "c"], "span": [1, 3],
 "annotations": [{"sent_start": 1}, {"sent_start": -1}, {"sent_start": 1}],
 "rules": {"A": [[{"IS_SENT_START": true}]]}, "expected": [["A", 1, 2]]},
{"name": "POS", "words": ["the", "cat", "sat"], "annotations": [{"pos": "DET"}, {"pos": "NOUN"}, {"pos": "VERB"}],
 "rules": {"A": [[{"POS": "NOUN"}]], "B": [[{"POS": {"IN": ["DET", "VERB"]}}]], "C": [[{"POS": "noun"}]],
           "D": [[{"POS": {"REGEX": "^N"}}]], "E": [[{"POS": {"NOT_IN": ["NOUN", "XYZ"]}}]]},
 "expected": [["B", 0, 1], ["E", 0, 1], ["A", 1, 2], ["D", 1, 2], ["B", 2, 3], ["E", 2, 3]]},
{"name": "TAG, DEP and LEMMA", "words": ["cats", "sat", "down"],
 "annotations": [{"tag": "NNS", "dep": "nsubj", "lemma": "cat"}, {"tag": "VBD", "dep": "ROOT", "lemma": "sit"}, {"tag": "RP", "dep": "prt", "lemma": "down"}],
 "rules": {"T": [[{"TAG": "VBD"}]], "D": [[{"DEP": {"IN": ["nsubj", "prt"]}}]], "L": [[{"LEMMA": "cat"}, {"LEMMA": "sit"}]],
           "R": [[{"TAG": {"REGEX": "^V"}}, {"DEP": "prt"}]]},
 "expected": [["D", 0, 1], ["L", 0, 2], ["T", 1, 2], ["R", 1, 3], ["D", 2, 3]]},
{"name": "ENT_TYPE and ENT_IOB", "words": ["Ada", "Lovelace", "wrote"],
 "annotations": [{"ent_iob": "B", "ent_type": "PER"}, {"ent_iob": "I", "ent_type": "PER"}, {"ent_iob": "O"}],
 "rules": {"T": [[{"ENT_TYPE": "PER", "OP": "+"}]], "B": [[{"ENT_IOB": "B"}]], "I": [[{"ENT_IOB": 1}]], "O": [[{"ENT_IOB": "O"}]],
           "NONE": [[{"ENT_TYPE": ""}]]},
 "expected": [["B", 0, 1], ["T", 0, 1], ["I", 1, 2], ["T", 0, 2], ["T", 1, 2], ["O", 2, 3], ["NONE", 2, 3]]},
{"name": "MORPH: plain FEATS and the set predicates", "words": ["she", "saw", "them", "who"],
 "annotations": [{"morph": "Case=Nom|Number=Sing|Person=3"}, {"morph": "Tense=Past|VerbForm=Fin"}, {"morph": "Case=Acc|Number=Plur|Person=3"}, {"morph": "PronType=Int,Rel"}],
 "rules": {"PLAIN": [[{"MORPH": "Case=Nom|Number=Sing|Person=3"}]],
           "IN": [[{"MORPH": {"IN": ["Tense=Past|VerbForm=Fin", "Number=Sing"]}}]],
           "SUB": [[{"MORPH": {"IS_SUBSET": ["Tense=Past", "VerbForm=Fin", "Mood=Ind"]}}]],
           "SUP": [[{"MORPH": {"IS_SUPERSET": ["Person=3", "Number=Plur"]}}]],
           "X": [[{"MORPH": {"INTERSECTS": ["Case=Nom", "PronType=Rel"]}}]],
           "NOT": [[{"MORPH": {"NOT_IN": ["Tense=Past|VerbForm=Fin"]}}]]},
 "expected": [["PLAIN", 0, 1], ["X", 0, 1], ["NOT", 0, 1], ["IN", 1, 2], ["SUB", 1, 2], ["SUP", 2, 3], ["NOT", 2, 3],
              ["X", 3, 4], ["NOT", 3, 4]]},
{"name": "MORPH: a plain value in another feature order", "words": ["she"],
 "annotations": [{"morph": "Case=Nom|Number=Sing"}],
 "rules": {"A": [[{"MORPH": "Number=Sing|Case=Nom"}]], "B": [[{"MORPH": {"IN": ["Number=Sing|Case=Nom"]}}]]},
 "expected": [["A", 0, 1], ["B", 0, 1]],
 "departure": "spaCy compares a plain MORPH value as written, so only B matches there; weft canonicalizes it as spaCy canonicalizes IN"},
{"name": "REGEX searches anywhere in the string", "words": ["hello", "Ulm", "yellow", "ULTRA"],
 "rules": {"A": [[{"ORTH": {"REGEX": "ll"}}]], "B": [[{"TEXT": {"REGEX": "^[Uu]"}}]], "C": [[{"LOWER": {"REGEX": "^ul"}}]]},
 "expected": [["A", 0, 1], ["B", 1, 2], ["C", 1, 2], ["A", 2, 3], ["B", 3, 4], ["C", 3, 4]]},
{"name": "IN and NOT_IN nested in REGEX", "words": ["apple", "pear", "kiwi", "fig"],
 "rules": {"A": [[{"LOWER": {"REGEX": {"IN": ["^a", "i$"]}}}]], "B": [[{"LOWER": {"REGEX": {"NOT_IN": ["^a", "i$"]}}}]]},
 "expected": [["A", 0, 1], ["B", 1, 2], ["A", 2, 3], ["B", 3, 4]]},
{"name": "string IN, NOT_IN and set predicates", "words": ["a", "b", "c"],
 "rules": {"IN": [[{"ORTH": {"IN": ["a", "c", "z"]}}]], "NOT": [[{"ORTH": {"NOT_IN": ["a"]}}]],
           "SUB": [[{"LOWER": {"IS_SUBSET": ["b"]}}]], "SUP": [[{"LOWER": {"IS_SUPERSET": []}}]],
           "X": [[{"LOWER": {"INTERSECTS": ["c", "q"]}}]]},
 "expected": [["IN", 0, 1], ["SUP", 0, 1], ["NOT", 1, 2], ["SUB", 1, 2], ["SUP", 1, 2], ["IN", 2, 3], ["NOT", 2, 3],
              ["SUP", 2, 3], ["X", 2, 3]]},
{"name": "FUZZY with spaCy's default edit count", "words": ["apple", "aple", "app", "apply", "xpplx", "banana"],
 "rules": {"A": [[{"ORTH": {"FUZZY": "appl"}}]]},
 "expected": [["A", 0, 1], ["A", 1, 2], ["A", 2, 3], ["A", 3, 4], ["A", 4, 5]]},
{"name": "FUZZY1 and FUZZY2", "words": ["apple", "aple", "app", "apply", "xpplx"],
 "rules": {"ONE": [[{"LOWER": {"FUZZY1": "apple"}}]], "TWO": [[{"LOWER": {"FUZZY2": "apple"}}]]},
 "expected": [["ONE", 0, 1], ["TWO", 0, 1], ["ONE", 1, 2], ["TWO", 1, 2], ["TWO", 2, 3], ["ONE", 3, 4], ["TWO", 3, 4],
              ["TWO", 4, 5]]},
{"name": "FUZZY allows 30% of a long pattern", "words": ["internationally", "intrnatonal", "intrntnl", "national", "ínternational"],
 "rules": {"A": [[{"LOWER": {"FUZZY": "international"}}]]}, "expected": [["A", 0, 1], ["A", 1, 2], ["A", 4, 5]]},
{"name": "IN and NOT_IN nested in FUZZY", "words": ["aple", "peer", "kiwi"],
 "rules": {"A": [[{"LOWER": {"FUZZY": {"IN": ["apple", "pear"]}}}]], "B": [[{"LOWER": {"FUZZY1": {"NOT_IN": ["apple", "pear"]}}}]]},
 "expected": [["A", 0, 1], ["A", 1, 2], ["B", 2, 3]]},
{"name": "several predicates on one token", "words": ["Apple", "apple", "Apricot"],
 "rules": {"A": [[{"LOWER": {"REGEX": "^ap"}, "IS_TITLE": true, "LENGTH": {"<": 6}}]]}, "expected": [["A", 0, 1]]},
{"name": "a Span: positions relative to it", "words": ["a", "b", "a", "b", "c"], "span": [1, 4],
 "rules": {"A": [[{"ORTH": "a"}, {"ORTH": "b"}]], "B": [[{"ORTH": "b"}]]},
 "expected": [["B", 0, 1], ["A", 1, 3], ["B", 2, 3]]},
{"name": "alignments", "words": ["a", "b", "b", "c"], "alignments": true,
 "rules": {"A": [[{"ORTH": "a"}, {"ORTH": "b", "OP": "+"}, {"ORTH": "c"}]], "B": [[{"ORTH": "b", "OP": "?"}, {"ORTH": "c"}]]},
 "expected": [["A", 0, 4, [0, 1, 1, 2]], ["B", 2, 4, [0, 1]], ["B", 3, 4, [1]]]},
{"name": "alignments with * and a final ?", "words": ["x", "y", "y", "z"], "alignments": true,
 "rules": {"A": [[{"ORTH": "x"}, {"OP": "*"}, {"ORTH": "z", "OP": "?"}]]},
 "expected": [["A", 0, 1, [0]], ["A", 0, 2, [0, 1]], ["A", 0, 3, [0, 1, 1]], ["A", 0, 4, [0, 1, 1, 2]]]},
{"name": "an empty Doc", "words": [], "rules": {"A": [[{"OP": "*"}]]}, "expected": []},
{"name": "an empty list of patterns", "words": ["a"], "rules": {"A": []}, "expected": []}
])JSON";

std::shared_ptr<Vocab> en_vocab() {
  static const std::shared_ptr<Vocab> v = make_vocab(language_data("en"));
  return v;
}

Doc make_doc(const Json& row) {
  std::vector<std::string> words;
  for (const Json& w : row["words"]) words.push_back(w.get<std::string>());
  std::vector<bool> spaces;
  if (row.contains("spaces"))
    for (const Json& s : row["spaces"]) spaces.push_back(s.get<bool>());
  Doc doc = Doc::from_words(en_vocab(), words, spaces);
  if (!row.contains("annotations")) return doc;
  for (std::size_t i = 0; i < doc.size(); ++i) {
    const Json& a = row["annotations"][i];
    TokenData& t = doc.data(i);
    if (a.contains("pos")) t.pos = *upos_from_name(a["pos"].get<std::string>());
    if (a.contains("tag")) t.tag = doc.intern(a["tag"].get<std::string>());
    if (a.contains("lemma")) t.lemma = doc.intern(a["lemma"].get<std::string>());
    if (a.contains("dep")) t.dep = doc.intern(a["dep"].get<std::string>());
    if (a.contains("morph")) t.morph = doc.intern(a["morph"].get<std::string>());
    if (a.contains("norm")) t.norm = doc.intern(a["norm"].get<std::string>());
    if (a.contains("ent_type")) t.ent_type = doc.intern(a["ent_type"].get<std::string>());
    if (a.contains("ent_iob")) {
      const std::string iob = a["ent_iob"].get<std::string>();
      t.ent_iob = iob == "B" ? EntIob::B : iob == "I" ? EntIob::I : EntIob::O;
    }
    if (a.contains("sent_start")) t.sent_start = static_cast<std::int8_t>(a["sent_start"].get<int>());
  }
  return doc;
}

// Matches as [key, start, end(, alignments)] rows, keys by name.
Json as_rows(const std::vector<Match>& matches, const Json& rules) {
  Json out = Json::array();
  for (const Match& m : matches) {
    std::string key = "?";
    for (auto it = rules.begin(); it != rules.end(); ++it)
      if (hash_string(it.key()) == m.match_id) key = it.key();
    Json row = Json::array({key, m.start, m.end});
    if (!m.alignments.empty()) row.push_back(m.alignments);
    out.push_back(row);
  }
  return out;
}

Json words_json(std::initializer_list<const char*> words) {
  Json j = Json::array();
  for (const char* w : words) j.push_back(w);
  return j;
}

Doc doc_of(std::initializer_list<const char*> words) {
  Json row;
  row["words"] = words_json(words);
  return make_doc(row);
}

// The message of the ValueError that adding `patterns` under `key` throws.
std::string add_error(const std::string& key, const char* patterns_json) {
  Matcher m(en_vocab());
  const Json patterns = parse_json(patterns_json, "test");
  return test::error_message<ValueError>([&] { m.add(key, patterns); }, patterns_json);
}

}  // namespace

TEST_CASE("matcher: the table of patterns, operators, predicates and attributes") {
  const Json table = parse_json(kTable, "kTable");
  REQUIRE(table.size() >= 50);
  for (const Json& row : table) {
    const std::string name = row["name"].get<std::string>();
    CAPTURE(name);
    Doc doc = make_doc(row);
    Matcher matcher(en_vocab());
    for (auto it = row["rules"].begin(); it != row["rules"].end(); ++it) {
      std::optional<Greedy> greedy;
      if (row.contains("greedy") && row["greedy"].contains(it.key()))
        greedy = greedy_from_name(row["greedy"][it.key()].get<std::string>());
      matcher.add(it.key(), it.value(), {}, greedy);
    }
    MatchOptions options;
    options.with_alignments = row.value("alignments", false);
    std::size_t start = 0, end = doc.size();
    if (row.contains("span")) {
      start = row["span"][0].get<std::size_t>();
      end = row["span"][1].get<std::size_t>();
    }
    const std::vector<Match> found = matcher.find(doc, start, end, options);
    CHECK(as_rows(found, row["rules"]).dump() == row["expected"].dump());
    // The Span overload and operator() agree with find().
    if (row.contains("span")) CHECK(matcher.find(doc.span(start, end), options) == found);
    CHECK(matcher(doc, start, end, options) == found);
  }
}

TEST_CASE("matcher: FUZZY counts code points, as spaCy's levenshtein") {
  Matcher m(en_vocab());
  // "ínternational" is one substitution away; "naïve" vs "naive" one substitution of a two-byte character.
  m.add("A", parse_json(R"([[{"LOWER": {"FUZZY1": "naive"}}]])", "test"));
  Doc doc = doc_of({"naïve", "naïvë", "naive"});
  const auto found = m.find(doc);
  REQUIRE(found.size() == 2);
  CHECK(found[0].start == 0);
  CHECK(found[1].start == 2);
}

TEST_CASE("matcher: on_match runs once per final match, in order, and may edit the Doc and the matches") {
  Matcher m(en_vocab());
  std::vector<std::size_t> calls;
  m.add("A", parse_json(R"([[{"ORTH": "a", "OP": "+"}]])", "test"),
        [&](Matcher& self, Doc& doc, std::size_t i, std::vector<Match>& matches) {
          CHECK(&self == &m);
          calls.push_back(i);
          doc.data(matches[i].start).ent_type = doc.intern("HIT");
        },
        Greedy::LONGEST);
  m.add("B", parse_json(R"([[{"ORTH": "b"}]])", "test"),
        [&](Matcher&, Doc&, std::size_t i, std::vector<Match>& matches) {
          matches[i].end = 99;  // the list operator() returns is the one the callbacks saw
        });
  Doc doc = doc_of({"a", "a", "b", "a"});
  const auto matches = m(doc);
  // B's match comes first (not filtered); A's filtered matches follow: (0, 2) and (3, 4).
  REQUIRE(matches.size() == 3);
  CHECK(matches[0].end == 99);
  CHECK(calls == std::vector<std::size_t>{1, 2});
  CHECK(doc.data(0).ent_type == hash_string("HIT"));
  CHECK(doc.data(3).ent_type == hash_string("HIT"));
  CHECK(doc.data(1).ent_type == 0);
  // find() never calls back.
  calls.clear();
  (void)m.find(doc);
  CHECK(calls.empty());
}

TEST_CASE("matcher: a callback may remove its own rule") {
  Matcher m(en_vocab());
  int n = 0;
  m.add("A", parse_json(R"([[{"ORTH": "a"}]])", "test"), [&](Matcher& self, Doc&, std::size_t, std::vector<Match>&) {
    ++n;
    if (self.contains("A")) self.remove("A");
  });
  Doc doc = doc_of({"a", "a"});
  CHECK(m(doc).size() == 2);
  CHECK(n == 1);  // the second match has no rule any more
  CHECK(m.empty());
}

TEST_CASE("matcher: add, contains, size, get, remove") {
  Matcher m(en_vocab());
  CHECK(m.empty());
  m.add("A", parse_json(R"([[{"ORTH": "a"}], [{"ORTH": "b"}]])", "test"));
  m.add("B", parse_json(R"([[{"ORTH": "c"}]])", "test"), {}, Greedy::FIRST);
  m.add("EMPTY", Json::array());
  CHECK(m.size() == 3);  // rules, not patterns
  CHECK(m.n_patterns() == 3);
  CHECK(m.contains("A"));
  CHECK(m.contains(hash_string("EMPTY")));
  CHECK_FALSE(m.contains("Z"));
  REQUIRE(m.get("A") != nullptr);
  CHECK(m.get("A")->patterns.size() == 2);
  CHECK(m.get("A")->key == "A");
  CHECK(m.get("B")->greedy == Greedy::FIRST);
  CHECK(m.get("Z") == nullptr);
  CHECK(en_vocab()->strings().contains("EMPTY"));  // keys join the StringStore, as in spaCy

  // Adding a key again appends patterns and replaces the callback and the filter.
  m.add("B", parse_json(R"([[{"ORTH": "d"}]])", "test"));
  CHECK(m.get("B")->patterns.size() == 2);
  CHECK_FALSE(m.get("B")->greedy.has_value());

  Doc doc = doc_of({"a", "b", "c", "d"});
  CHECK(m.find(doc).size() == 4);
  m.remove("A");
  CHECK_FALSE(m.contains("A"));
  CHECK(m.n_patterns() == 2);
  const auto left = m.find(doc);
  REQUIRE(left.size() == 2);
  CHECK(left[0].start == 2);
  CHECK(left[1].start == 3);
  // spaCy's Matcher.remove raises ValueError (E175) for an unknown key.
  CHECK(test::error_message<ValueError>([&] { m.remove("A"); }, "remove A").find("\"A\"") != std::string::npos);
  CHECK_THROWS_AS(m.remove(hash_string("nope")), ValueError);
  // Re-adding a removed key puts its patterns after the others (spaCy appends to its pattern list).
  m.add("A", parse_json(R"([[{"ORTH": "d"}]])", "test"));
  const auto again = m.find(doc);
  REQUIRE(again.size() == 3);
  CHECK(again[1].match_id == hash_string("B"));  // B's "d" pattern was added before A's
  CHECK(again[2].match_id == hash_string("A"));
  CHECK(again[2].start == 3);
}

TEST_CASE("matcher: remove keeps shared predicates and the index of the other rules") {
  Matcher m(en_vocab());
  m.add("A", parse_json(R"([[{"LOWER": {"IN": ["x", "y"]}}, {"ORTH": {"REGEX": "^z"}}]])", "test"));
  m.add("B", parse_json(R"([[{"LOWER": {"IN": ["x", "y"]}}], [{"ORTH": {"REGEX": "^z"}, "OP": "+"}]])", "test"));
  m.add("C", parse_json(R"([[{"ORTH": {"REGEX": "^q"}}]])", "test"));
  // An empty spec shares its (empty) check range's start with the next spec's checks.
  m.add("D", parse_json(R"([[{}, {"ORTH": "q"}, {"OP": "?"}, {"LOWER": "y"}]])", "test"));
  Doc doc = doc_of({"X", "zz", "q", "y"});
  CHECK(m.find(doc).size() == 6);  // A (0, 2); B (0, 1), (1, 2), (3, 4); C (2, 3); D (1, 4)
  m.remove("A");
  const auto found = m.find(doc);
  std::vector<std::pair<std::size_t, std::size_t>> spans;
  for (const auto& x : found) spans.emplace_back(x.start, x.end);
  CHECK(spans == std::vector<std::pair<std::size_t, std::size_t>>{{0, 1}, {1, 2}, {2, 3}, {1, 4}, {3, 4}});
  m.remove("B");
  const auto rest = m.find(doc);
  REQUIRE(rest.size() == 2);
  CHECK(rest[0].match_id == hash_string("C"));
  CHECK(rest[1].match_id == hash_string("D"));
  CHECK(rest[1].start == 1);
  CHECK(rest[1].end == 4);
}

TEST_CASE("matcher: match_spans labels spans with the key, also with a frozen StringStore") {
  auto vocab = make_vocab(language_data("en"));
  vocab->strings().freeze();
  Matcher m(vocab);
  m.add("FRUIT", parse_json(R"([[{"LOWER": "apple"}]])", "test"));
  CHECK_FALSE(vocab->strings().contains("FRUIT"));
  Doc doc = Doc::from_words(vocab, {"an", "Apple", "pie"});
  const auto spans = m.match_spans(doc, 1, 3);
  REQUIRE(spans.size() == 1);
  CHECK(spans[0].start() == 1);  // Doc positions, as spaCy's as_spans
  CHECK(spans[0].end() == 2);
  CHECK(spans[0].label() == hash_string("FRUIT"));
  CHECK(spans[0].label_() == "FRUIT");
}

TEST_CASE("matcher: integer keys") {
  auto vocab = make_vocab(language_data("en"));
  Matcher m(vocab);
  const hash_t known = vocab->strings().add("KNOWN");
  m.add(known, parse_json(R"([[{"ORTH": "a"}]])", "test"));
  m.add(hash_t{12345}, parse_json(R"([[{"ORTH": "b"}]])", "test"));
  CHECK(m.contains("KNOWN"));
  CHECK(m.get(known)->key == "KNOWN");
  CHECK(m.get(hash_t{12345})->key.empty());
  Doc doc = Doc::from_words(vocab, {"a", "b"});
  const auto found = m.find(doc);
  REQUIRE(found.size() == 2);
  CHECK(found[0].match_id == known);
  CHECK(found[1].match_id == 12345);
  CHECK(test::error_message<ValueError>([&] { m.add(hash_t{777}, parse_json(R"([[{"FOO": 1}]])", "test")); }, "777")
            .find("key \"777\"") != std::string::npos);
}

TEST_CASE("matcher: annotation checks (spaCy's E155) and allow_missing") {
  Matcher m(en_vocab());
  m.add("A", parse_json(R"([[{"LEMMA": "be"}]])", "test"));
  Doc doc = doc_of({"is"});
  const std::string msg = test::error_message<ValueError>([&] { (void)m.find(doc); }, "LEMMA");
  CHECK(msg.find("LEMMA") != std::string::npos);
  CHECK(msg.find("lemmatizer") != std::string::npos);
  MatchOptions allow;
  allow.allow_missing = true;
  CHECK(m.find(doc, allow).empty());
  doc.data(0).lemma = doc.intern("be");
  CHECK(m.find(doc).size() == 1);
  // Predicates do not count, as in spaCy (only plain values are checked).
  Matcher p(en_vocab());
  p.add("P", parse_json(R"([[{"POS": {"IN": ["NOUN"]}}]])", "test"));
  CHECK(p.find(doc).empty());
  // An empty Doc is annotated by spaCy's has_annotation rule, so it matches nothing without an error
  // (spaCy 3.8 returns [] too).
  Doc empty = Doc::from_words(en_vocab(), {});
  CHECK(m.find(empty).empty());
  // Removing the rule removes the requirement.
  m.remove("A");
  CHECK(m.find(doc_of({"is"})).empty());
}

// spaCy 3.8.18 rejects every one of these patterns too (with validate=True), except some that weft
// refuses on purpose: the {100000} repeat count, IS_SUBSET nested in REGEX, a plain MORPH value that is
// no FEATS string, a float or negative plain extension value, and a lower-case "_" predicate name
// (which spaCy ignores, matching every token).
TEST_CASE("matcher: bad patterns name the key, pattern, token and offending key or value") {
  struct Bad {
    const char* patterns;
    std::vector<const char*> parts;
  };
  const std::vector<Bad> cases = {
      {R"([[{"ORTH": "a"}], [{"ORTH": "b"}, {"FOO": "x"}]])", {"key \"LABEL\"", "pattern 1", "token 1", "unknown attribute \"FOO\""}},
      {R"([[{"ORTH": "a", "OP": "++"}]])", {"pattern 0", "token 0", "unknown operator", "\"++\""}},
      {R"([[{"ORTH": "a", "OP": "{2,1}"}]])", {"token 0", "\"{2,1}\""}},
      {R"([[{"ORTH": "a", "OP": "{,}"}]])", {"token 0", "\"{,}\""}},
      {R"([[{"ORTH": "a", "OP": "1"}]])", {"token 0", "unknown operator"}},
      {R"([[{"ORTH": "a", "OP": 2}]])", {"token 0", "OP must be a string"}},
      {R"([[{"ORTH": "a", "OP": "{100000}"}]])", {"token 0", "repeats more than"}},
      {R"([[{"ORTH": {"REGEX": "(unclosed"}}]])", {"token 0", "bad regular expression", "(unclosed"}},
      {R"([[{"ORTH": {"REGEX": {"IN": ["ok", "[bad"]}}}]])", {"token 0", "[bad"}},
      {R"([[{"ORTH": 1}]])", {"token 0", "\"ORTH\"", "must be a string", "1"}},
      {R"([[{"ORTH": ["a", "b"]}]])", {"token 0", "\"ORTH\"", "IN"}},
      {R"([[{"IS_ALPHA": "yes"}]])", {"token 0", "\"IS_ALPHA\"", "must be a boolean", "\"yes\""}},
      {R"([[{"IS_ALPHA": 1}]])", {"token 0", "must be a boolean"}},
      {R"([[{"LENGTH": "2"}]])", {"token 0", "\"LENGTH\"", "must be an integer"}},
      {R"([[{"LENGTH": true}]])", {"token 0", "must be an integer"}},
      {R"([[{"LENGTH": 2.5}]])", {"token 0", "must be an integer"}},
      {R"([[{"ORTH": null}]])", {"token 0", "null"}},
      {R"([[{"ORTH": "a"}, {"IS_ALPHA": {"IN": [true]}}]])", {"token 1", "\"IS_ALPHA\"", "plain value"}},
      {R"([[{"ORTH": {"FOO": "a"}}]])", {"token 0", "unknown predicate \"FOO\""}},
      {R"([[{"ORTH": {"FUZZY0": "a"}}]])", {"token 0", "unknown predicate \"FUZZY0\""}},
      {R"([[{"ORTH": {">=": 2}}]])", {"token 0", "comparisons apply to numeric attributes"}},
      {R"([[{"LENGTH": {">=": "2"}}]])", {"token 0", "expected a number"}},
      {R"([[{"LENGTH": {"FUZZY": "2"}}]])", {"token 0", "FUZZY applies to string attributes"}},
      {R"([[{"ORTH": {"IN": "abc"}}]])", {"token 0", "predicate \"IN\"", "expected a list"}},
      {R"([[{"ORTH": {"IN": ["a", 1]}}]])", {"token 0", "must be a string"}},
      {R"([[{"LENGTH": {"IN": [1, "2"]}}]])", {"token 0", "must be an integer"}},
      {R"([[{"ORTH": {"REGEX": {"IS_SUBSET": ["a"]}}}]])", {"token 0", "cannot be nested in REGEX"}},
      {R"([[{"MORPH": "Number"}]])", {"token 0", "not a FEATS string"}},
      {R"([[{"MORPH": {"IS_SUBSET": ["Number=Sing", "Case"]}}]])", {"token 0", "not a FEATS string", "\"Case\""}},
      {R"([[{"ENT_IOB": "X"}]])", {"token 0", "IOB"}},
      {R"([[{"_": "foo"}]])", {"token 0", "\"_\" must be a dict"}},
      {R"([[{"ORTH": "a"}, {"_": {"foo": 1.5}}]])", {"token 1", "extension attribute \"foo\"", "plain value"}},
      {R"([[{"_": {"foo": -1}}]])", {"token 0", "extension attribute \"foo\"", "non-negative"}},
      {R"([[{"_": {"foo": [1]}}]])", {"token 0", "plain value", "a list"}},
      {R"([[{"_": {"foo": null}}]])", {"token 0", "\"foo\"", "null"}},
      {R"([[{"_": {"": true}}]])", {"token 0", "name in \"_\" is empty"}},
      {R"([[{"_": {"foo": {"in": ["a"]}}}]])", {"token 0", "unknown predicate \"in\"", "upper-case"}},
      {R"([[{"_": {"foo": {"IN": "abc"}}}]])", {"token 0", "predicate \"IN\"", "expected a list"}},
      {R"([[{"_": {"foo": {"IN": ["a", 1.5]}}}]])", {"token 0", "string or an integer"}},
      {R"([[{"_": {"foo": {">=": "2"}}}]])", {"token 0", "predicate \">=\"", "expected a number"}},
      {R"([[{"_": {"foo": {"REGEX": 1}}}]])", {"token 0", "predicate \"REGEX\"", "regular expression"}},
      {R"([[{"_": {"foo": {"FUZZY0": "a"}}}]])", {"token 0", "unknown predicate \"FUZZY0\""}},
      {R"([[{"HEAD": 1}]])", {"token 0", "unknown attribute \"HEAD\""}},
      {R"([[]])", {"pattern 0", "empty"}},
      {R"([{"ORTH": "a"}])", {"pattern 0", "must be a list of token specs"}},
      {R"([["a"]])", {"pattern 0", "token 0", "must be a dict"}},
      {R"({"ORTH": "a"})", {"key \"LABEL\"", "patterns must be a list"}},
  };
  for (const Bad& b : cases) {
    CAPTURE(b.patterns);
    const std::string msg = add_error("LABEL", b.patterns);
    CHECK(msg.find("key \"LABEL\"") != std::string::npos);
    for (const char* part : b.parts) {
      CAPTURE(part);
      CHECK(msg.find(part) != std::string::npos);
    }
  }
  CHECK_THROWS_AS(greedy_from_name("first"), ValueError);
  Matcher m(en_vocab());
  CHECK_THROWS_AS(m.add("", Json::array()), ValueError);
}

TEST_CASE("matcher: a failed add changes nothing") {
  Matcher m(en_vocab());
  m.add("A", parse_json(R"([[{"ORTH": "a"}]])", "test"));
  CHECK_THROWS_AS(m.add("A", parse_json(R"([[{"ORTH": "b"}], [{"ORTH": {"REGEX": "("}}]])", "test")), ValueError);
  CHECK_THROWS_AS(m.add("B", parse_json(R"([[{"ORTH": "b"}], [{"ORTH": "c", "OP": "?!"}]])", "test")), ValueError);
  CHECK(m.size() == 1);
  CHECK(m.n_patterns() == 1);
  CHECK(m.get("A")->patterns.size() == 1);
  Doc doc = doc_of({"a", "b", "c"});
  CHECK(m.find(doc).size() == 1);
}

TEST_CASE("matcher: bad match ranges") {
  Matcher m(en_vocab());
  m.add("A", parse_json(R"([[{"ORTH": "a"}]])", "test"));
  Doc doc = doc_of({"a", "b"});
  CHECK_THROWS_AS((void)m.find(doc, 1, 3), IndexError);
  CHECK_THROWS_AS((void)m.find(doc, 2, 1), IndexError);
  CHECK(m.find(doc, 1, 1).empty());
}

TEST_CASE("matcher: find is safe from many threads and agrees with one") {
  Matcher m(en_vocab());
  m.add("A", parse_json(R"([[{"LOWER": {"FUZZY": "color"}}, {"IS_ALPHA": true, "OP": "*"}, {"ORTH": "."}]])", "test"));
  m.add("B", parse_json(R"([[{"LOWER": {"IN": ["the", "a"]}}, {"LENGTH": {">": 3}, "OP": "+"}]])", "test"), {},
        Greedy::LONGEST);
  std::vector<std::string> words;
  const char* base[] = {"The", "colour", "of", "the", "large", "house", "is", "red", ".", "A", "nice", "color", "."};
  for (int r = 0; r < 200; ++r)
    for (const char* w : base) words.emplace_back(w);
  const Doc doc = Doc::from_words(en_vocab(), words);
  const auto expected = m.find(doc);
  CHECK(expected.size() > 200);
  std::atomic<int> mismatches{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int k = 0; k < 5; ++k)
        if (m.find(doc) != expected) ++mismatches;
    });
  for (auto& th : threads) th.join();
  CHECK(mismatches == 0);
}

// ---- external predicates: custom extension attributes ("_") and fuzzy compares ---------------------

namespace {

std::vector<std::pair<std::size_t, std::size_t>> spans_of(const std::vector<Match>& matches) {
  std::vector<std::pair<std::size_t, std::size_t>> out;
  for (const Match& m : matches) out.emplace_back(m.start, m.end);
  return out;
}

using Spans = std::vector<std::pair<std::size_t, std::size_t>>;

}  // namespace

TEST_CASE("matcher: \"_\" predicates are external, shared, and read from the caller's columns") {
  Matcher m(en_vocab());
  m.add("FRUIT", parse_json(R"([[{"_": {"is_fruit": true}}],
                                [{"LOWER": "ripe"}, {"_": {"is_fruit": true, "price": {">=": 5}}}]])", "test"));
  m.add("CHEAP", parse_json(R"([[{"_": {"price": {"<": 5, "IN": [1, 2, 3]}}, "IS_ALPHA": true}]])", "test"));
  // Identical tests share one id (spaCy's _predicate_cache_key); each (name, op, arg) is one predicate.
  const auto& ext = m.external_predicates();
  REQUIRE(ext.size() == 4);
  CHECK(ext[0].kind == ExternalPredicate::Kind::EXTENSION);
  CHECK(ext[0].name == "is_fruit");
  CHECK(ext[0].op.empty());
  CHECK(ext[0].value == Json(true));
  CHECK(ext[1].name == "price");
  CHECK(ext[1].op == ">=");
  CHECK(ext[1].value == Json(5));
  CHECK((ext[2].op == "<" || ext[2].op == "IN"));
  CHECK(m.has_external());
  CHECK_FALSE(m.external_fuzzy());

  Doc doc = doc_of({"a", "ripe", "apple", "and", "pear", "7"});
  // Without the columns find() refuses, naming what is missing; wrong shapes too.
  CHECK(test::error_message<ValueError>([&] { (void)m.find(doc); }, "no columns").find("MatchOptions::external") !=
        std::string::npos);
  ExternalColumns columns;
  m.external_columns(doc, 0, doc.size(), columns);  // sized, nothing the Matcher can fill itself
  REQUIRE(columns.size() == 4);
  MatchOptions options;
  options.external = &columns;
  CHECK(test::error_message<ValueError>([&] { (void)m.find(doc, options); }, "empty columns").find("entries for 6 tokens") !=
        std::string::npos);
  //                 a  ripe apple and pear 7
  columns[0] = {0, 0, 1, 0, 1, 0};  // is_fruit == true
  columns[1] = {0, 0, 1, 0, 0, 0};  // price >= 5
  columns[2] = {1, 0, 0, 0, 1, 1};  // price < 5
  columns[3] = {1, 0, 0, 0, 1, 1};  // price IN [1, 2, 3]
  const auto found = m.find(doc, options);
  CHECK(spans_of(found) == Spans{{0, 1}, {1, 3}, {2, 3}, {4, 5}, {4, 5}});
  CHECK(found[0].match_id == hash_string("CHEAP"));  // "7" is not alpha
  CHECK(found[1].match_id == hash_string("FRUIT"));
  // A sub-range reads columns of its own length.
  ExternalColumns part(4, std::vector<std::uint8_t>{1, 0});
  options.external = &part;
  CHECK(m.find(doc, 2, 4, options).size() == 2);  // "apple" as FRUIT and as CHEAP (all columns true)
  ExternalColumns three(3, std::vector<std::uint8_t>(6, 0));
  options.external = &three;
  CHECK_THROWS_AS((void)m.find(doc, options), ValueError);

  // Removing a rule drops the predicates only it used and renumbers the rest.
  m.remove("CHEAP");
  REQUIRE(m.external_predicates().size() == 2);
  CHECK(m.external_predicates()[1].op == ">=");
  ExternalColumns two = {{0, 0, 1, 0, 1, 0}, {0, 0, 1, 0, 0, 0}};
  options.external = &two;
  CHECK(spans_of(m.find(doc, options)) == Spans{{1, 3}, {2, 3}, {4, 5}});
  m.remove("FRUIT");
  CHECK_FALSE(m.has_external());
  CHECK(m.find(doc).empty());  // no columns needed any more
}

TEST_CASE("matcher: operator() evaluates \"_\" through the process-wide evaluator") {
  Matcher m(en_vocab());
  m.add("LONG", parse_json(R"([[{"_": {"len": {">": 3}}, "OP": "+"}]])", "test"));
  Doc doc = doc_of({"tiny", "ox", "elephant", "giraffe"});
  REQUIRE_FALSE(has_external_evaluator());
  const std::string msg = test::error_message<ValueError>([&] { (void)m(doc); }, "no evaluator");
  CHECK(msg.find("\"len\"") != std::string::npos);
  CHECK(msg.find("--code") != std::string::npos);
  int calls = 0;
  set_external_evaluator([&](Doc& d, std::size_t start, std::size_t end, const std::vector<ExternalPredicate>& preds,
                             ExternalColumns& columns) {
    ++calls;
    REQUIRE(preds.size() == 1);
    CHECK(preds[0].name == "len");
    columns[0].assign(end - start, 0);
    for (std::size_t i = start; i < end; ++i) columns[0][i - start] = d.token_text(i).size() > 3 ? 1 : 0;
  });
  CHECK(has_external_evaluator());
  CHECK(spans_of(m(doc)) == Spans{{0, 1}, {2, 3}, {2, 4}, {3, 4}});
  CHECK(m.match_spans(doc, 1, 4).size() == 3);
  CHECK(calls == 2);
  set_external_evaluator({});
  CHECK_FALSE(has_external_evaluator());
}

TEST_CASE("matcher: a C++ fuzzy compare replaces Levenshtein, called once per distinct string") {
  int calls = 0;
  // Case-insensitive prefix match: "appl" accepts "Apple" and "applesauce".
  FuzzyCompare prefix = [&](std::string_view input, std::string_view pattern, int fuzzy) {
    ++calls;
    CHECK(fuzzy == (pattern == "appl" ? -1 : 1));
    std::string a(input), b(pattern);
    for (char& c : a) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return a.rfind(b, 0) == 0;
  };
  Matcher m(en_vocab(), prefix);
  CHECK(m.external_fuzzy());
  m.add("F", parse_json(R"([[{"ORTH": {"FUZZY": "appl"}}], [{"LOWER": {"FUZZY1": {"IN": ["pe", "zz"]}}}],
                           [{"ORTH": {"FUZZY": {"NOT_IN": ["appl"]}}, "LENGTH": 1}]])", "test"));
  const auto& ext = m.external_predicates();
  REQUIRE(ext.size() == 3);
  CHECK(ext[0].kind == ExternalPredicate::Kind::FUZZY);
  CHECK(ext[0].op == "FUZZY");
  CHECK(ext[0].attr == Attr::ORTH);
  CHECK(ext[0].strings == std::vector<std::string>{"appl"});
  CHECK(ext[1].op == "IN");
  CHECK(ext[1].attr == Attr::LOWER);
  CHECK(ext[1].fuzzy == 1);
  CHECK(ext[2].op == "NOT_IN");
  Doc doc = doc_of({"Apple", "pear", "apple", "Apple", "x", "Pears", "appl"});
  ExternalColumns columns;
  m.external_columns(doc, 0, doc.size(), columns);
  CHECK(columns[0] == std::vector<std::uint8_t>{1, 0, 1, 1, 0, 0, 1});
  CHECK(columns[1] == std::vector<std::uint8_t>{0, 1, 0, 0, 0, 1, 0});
  CHECK(columns[2] == std::vector<std::uint8_t>{0, 1, 0, 0, 1, 1, 0});
  // Distinct token strings only: ORTH {Apple, pear, apple, x, Pears} for "appl" ("appl" itself is
  // equal, so compare is not asked), LOWER {apple, pear, x, pears, appl} x {pe, zz} (pe first: "pear"
  // and "pears" stop there), and NOT_IN's (ORTH, "appl") answers come from the memo but for "appl".
  CHECK(calls == 5 + 8 + 1);
  MatchOptions options;
  options.external = &columns;
  CHECK(spans_of(m.find(doc, options)) == Spans{{0, 1}, {1, 2}, {2, 3}, {3, 4}, {4, 5}, {5, 6}, {6, 7}});
  CHECK(m(doc).size() == 7);  // operator() fills the columns itself
  // An external-fuzzy Matcher without a C++ compare (the Python binding's) needs the caller's columns.
  Matcher caller(en_vocab(), FuzzyCompare());
  caller.add("F", parse_json(R"([[{"ORTH": {"FUZZY": "appl"}}]])", "test"));
  ExternalColumns empty;
  caller.external_columns(doc, 0, doc.size(), empty);
  CHECK(empty.size() == 1);
  CHECK(empty[0].empty());
  CHECK_THROWS_AS((void)caller.find(doc), ValueError);
  fuzzy_columns(doc, 0, doc.size(), caller.external_predicates(), prefix, empty);
  options.external = &empty;
  CHECK(caller.find(doc, options).size() == 4);
}

TEST_CASE("matcher: the DependencyMatcher takes \"_\" in RIGHT_ATTRS as external predicates") {
  // "a b c": b is the root, a and c its dependents.
  Doc doc = Doc::from_words(en_vocab(), {"a", "b", "c"});
  const int heads[] = {1, 1, 1};
  for (std::size_t i = 0; i < 3; ++i) {
    doc.data(i).head = heads[i] - static_cast<int>(i);
    doc.data(i).dep = doc.intern(i == 1 ? "ROOT" : "dep");
  }
  DependencyMatcher dm(en_vocab());
  dm.add("D", parse_json(R"([[{"RIGHT_ID": "h", "RIGHT_ATTRS": {"DEP": "ROOT"}},
                              {"LEFT_ID": "h", "REL_OP": ">", "RIGHT_ID": "k", "RIGHT_ATTRS": {"_": {"x": true}}}]])",
                         "test"));
  REQUIRE(dm.external_predicates().size() == 1);
  CHECK(dm.external_predicates()[0].name == "x");
  CHECK_THROWS_AS((void)dm.find(doc), ValueError);  // the columns are required
  ExternalColumns columns{{0, 0, 1}};                // x is true on "c" only
  const auto matches = dm.find(doc, &columns);
  REQUIRE(matches.size() == 1);
  CHECK(matches[0].tokens == std::vector<std::size_t>{1, 2});
  columns[0] = {1, 0, 1};
  CHECK(dm.find(doc, &columns).size() == 2);
}

TEST_CASE("matcher: levenshtein_compare is spaCy's, default edits included") {
  CHECK(levenshtein_compare("colour", "color"));
  CHECK(levenshtein_compare("clr", "color"));        // 2 edits: max(2, round(1.5)) = 2
  CHECK_FALSE(levenshtein_compare("cl", "color"));   // 3 edits
  CHECK_FALSE(levenshtein_compare("clr", "color", 1));
  CHECK(levenshtein_compare("abcdefghijklmno", "abcdefghijklxyz"));        // 3 <= round(4.5) = 4
  CHECK_FALSE(levenshtein_compare("abcdefghijvwxyz", "abcdefghijklmno"));  // 5 edits > 4
  CHECK(levenshtein_distance("kitten", "sitting", 10) == 3);
  CHECK(levenshtein_distance("kitten", "sitting", 1) == 2);  // capped at max + 1
  CHECK(levenshtein_distance("äöü", "aöu", 10) == 2);        // code points, not bytes
}

TEST_CASE("matcher: the EntityRuler's \"_\" token patterns use the evaluator; match() takes columns") {
  Json config = Json::object();
  config["patterns"] = parse_json(R"([{"label": "FRUIT", "pattern": [{"_": {"is_fruit": true}}, {"LOWER": "pie"}]},
                                      {"label": "ORG", "pattern": "Acme"}])", "test");
  EntityRuler ruler("entity_ruler", config, en_vocab());
  REQUIRE(ruler.token_matcher().external_predicates().size() == 1);
  Doc doc = doc_of({"Acme", "sells", "apple", "pie"});
  REQUIRE_FALSE(has_external_evaluator());
  CHECK(test::error_message<ValueError>([&] { ruler(doc); }, "no evaluator").find("\"is_fruit\"") != std::string::npos);
  CHECK(test::error_message<ValueError>([&] { (void)ruler.match(doc); }, "no columns").find("custom extension") !=
        std::string::npos);
  ExternalColumns columns{{0, 0, 1, 0}};
  const auto matches = ruler.match(doc, &columns);
  REQUIRE(matches.size() == 2);
  CHECK(matches[0].start == 2);  // longest first
  set_external_evaluator([](Doc& d, std::size_t start, std::size_t end, const std::vector<ExternalPredicate>&,
                            ExternalColumns& cols) {
    cols[0].assign(end - start, 0);
    for (std::size_t i = start; i < end; ++i) cols[0][i - start] = d.token_text(i) == "apple";
  });
  ruler(doc);
  set_external_evaluator({});
  REQUIRE(doc.ents().size() == 2);
  CHECK(doc.ents()[1].label_() == "FRUIT");
  CHECK(doc.ents()[1].start() == 2);
  CHECK(doc.ents()[1].end() == 4);
}
