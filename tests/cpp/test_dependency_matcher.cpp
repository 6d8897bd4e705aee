// The DependencyMatcher on hand-parsed Docs: every REL_OP with its expected token tuples (worked out
// from spaCy's _ops in dependencymatcher.pyx), spaCy's documentation example, match order, the
// validation errors, several patterns per key, removal, callbacks and Spans.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "weft/components/dependency_matcher/dependency_matcher.hpp"
#include "weft/doc/span.hpp"
#include "weft/error.hpp"

using namespace weft;

namespace {

using Tuples = std::vector<std::vector<std::size_t>>;

std::shared_ptr<Vocab> vocab() { return std::make_shared<Vocab>("en"); }

// spaCy's Doc(vocab, words=..., heads=..., deps=...): heads are absolute indices, a root its own head.
Doc parsed(const std::vector<std::string>& words, const std::vector<int>& heads, const std::vector<std::string>& deps) {
  REQUIRE(words.size() == heads.size());
  REQUIRE(words.size() == deps.size());
  Doc doc = Doc::from_words(vocab(), words);
  for (std::size_t i = 0; i < words.size(); ++i) {
    doc.data(i).head = heads[i] - static_cast<int>(i);
    doc.data(i).dep = doc.intern(deps[i]);
  }
  return doc;
}

// Tokens 0-9: "The quick brown fox jumped over the lazy dog ."
// Tokens 10-19: "She is a doctor and likes cats and dogs ."
//   3 <- 0 1 2;  4 <- 3 8 9 (4 is a root);  8 <- 5 6 7
//   13 <- 10 11 12 15 19 (13 is a root);  15 <- 14 16;  16 <- 18;  18 <- 17
Doc two_trees() {
  return parsed({"The", "quick", "brown", "fox", "jumped", "over", "the", "lazy", "dog", ".", "She", "is", "a",
                 "doctor", "and", "likes", "cats", "and", "dogs", "."},
                {3, 3, 3, 4, 4, 8, 8, 8, 4, 4, 13, 13, 13, 13, 15, 13, 15, 18, 16, 13},
                {"det", "amod", "amod", "nsubj", "ROOT", "case", "det", "amod", "obl", "punct", "nsubj", "cop", "det",
                 "ROOT", "cc", "conj", "obj", "cc", "conj", "punct"});
}

// Two nodes: the anchor {"ORTH": anchor} and any token related to it by `op`.
Json pair_pattern(const std::string& anchor, const std::string& op) {
  return Json::array({Json::array({
      Json{{"RIGHT_ID", "a"}, {"RIGHT_ATTRS", {{"ORTH", anchor}}}},
      Json{{"LEFT_ID", "a"}, {"REL_OP", op}, {"RIGHT_ID", "b"}, {"RIGHT_ATTRS", Json::object()}},
  })});
}

Tuples tuples(const std::vector<DependencyMatch>& matches) {
  Tuples out;
  for (const auto& m : matches) out.push_back(m.tokens);
  return out;
}

Tuples run(const Doc& doc, const Json& patterns) {
  DependencyMatcher matcher(doc.vocab_ptr());
  matcher.add("R", patterns);
  const auto matches = matcher.find(doc);
  for (const auto& m : matches) CHECK(m.match_id == hash_string("R"));
  return tuples(matches);
}

std::string error_of(const Json& patterns) {
  DependencyMatcher matcher(vocab());
  try {
    matcher.add("K", patterns);
  } catch (const ValueError& e) {
    CHECK(matcher.size() == 0);
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("dependency matcher: every operator") {
  const Doc doc = two_trees();
  struct Row {
    const char* anchor;
    const char* op;
    Tuples expected;
  };
  const std::vector<Row> rows = {
      // < : the anchor's head; nothing for a root.
      {"fox", "<", {{3, 4}}},
      {"jumped", "<", {}},
      // > : the children, in order.
      {"jumped", ">", {{4, 3}, {4, 8}, {4, 9}}},
      {"The", ">", {}},
      // << : the ancestors (candidates in document order).
      {"the", "<<", {{6, 4}, {6, 8}}},
      {"doctor", "<<", {}},
      // >> : the descendants, not the token itself.
      {"dog", ">>", {{8, 5}, {8, 6}, {8, 7}}},
      {"likes", ">>", {{15, 14}, {15, 16}, {15, 17}, {15, 18}}},
      // . and ; : the next / previous token, in the same tree only.
      {"fox", ".", {{3, 4}}},
      {"dog", ".", {{8, 9}}},
      {"She", ";", {}},  // token 9 ends the other tree
      {"jumped", ";", {{4, 3}}},
      // .* and ;* : every later / earlier token of the tree.
      {"dog", ".*", {{8, 9}}},
      {"over", ";*", {{5, 0}, {5, 1}, {5, 2}, {5, 3}, {5, 4}}},
      {"She", ";*", {}},
      // $+ / $- : a child of the anchor's head right after / before it.
      {"quick", "$+", {{1, 2}}},
      {"fox", "$+", {}},  // token 4 is the head, not a sibling
      {"brown", "$-", {{2, 1}}},
      {"The", "$-", {}},
      // $++ / $-- : the siblings after / before; a root's "siblings" are its own children (spaCy).
      {"fox", "$++", {{3, 8}, {3, 9}}},
      {"The", "$++", {{0, 1}, {0, 2}}},
      {".", "$--", {{9, 3}, {9, 8}}, },
      {"jumped", "$++", {{4, 8}, {4, 9}}},
      {"jumped", "$--", {{4, 3}}},
      // >+ / >- : the child right after / before.
      {"likes", ">+", {{15, 16}}},
      {"cats", ">+", {}},
      {"likes", ">-", {{15, 14}}},
      {"dog", ">-", {{8, 7}}},
      // >++ / >-- : the right / left children.
      {"doctor", ">++", {{13, 15}, {13, 19}}},
      {"doctor", ">--", {{13, 10}, {13, 11}, {13, 12}}},
      {"The", ">++", {}},
      // <+ / <- : the head when it is the next / previous token.
      {"brown", "<+", {{2, 3}}},
      {"quick", "<+", {}},
      {"cats", "<-", {{16, 15}}},
      {"dogs", "<-", {}},
      // <++ / <-- : the head when it is after / before the token.
      {"The", "<++", {{0, 3}}},
      {"dog", "<++", {}},
      {"dog", "<--", {{8, 4}}},
      {"fox", "<--", {}},
      {"jumped", "<--", {}},
  };
  for (const Row& row : rows) {
    CAPTURE(row.anchor);
    CAPTURE(row.op);
    // "." and "the" occur twice: the rows above were written for the first tree's tokens, so the
    // second tree's "." (19) is checked separately below.
    Tuples got = run(doc, pair_pattern(row.anchor, row.op));
    if (std::string(row.anchor) == ".") {
      std::erase_if(got, [](const std::vector<std::size_t>& t) { return t[0] == 19; });
    }
    CHECK(got == row.expected);
  }
  // Both "."s: 9's earlier siblings (3, 8), then 19's (10, 11, 12, 15), tree by tree.
  CHECK(run(doc, pair_pattern(".", "$--")) == Tuples{{9, 3}, {9, 8}, {19, 10}, {19, 11}, {19, 12}, {19, 15}});
  // "and" (14, 17): 14's next token 15 is its head, not a sibling; 17's is 18, its head too.
  CHECK(run(doc, pair_pattern("and", "$+")).empty());
  CHECK(run(doc, pair_pattern("and", "<+")) == Tuples{{14, 15}, {17, 18}});
  CHECK(rel_op_from_name(">++") == RelOp::RIGHT_CHILD);
  CHECK(rel_op_name(RelOp::IMM_LEFT_SIB) == "$-");
  CHECK_FALSE(rel_op_from_name("<>"));
}

TEST_CASE("dependency matcher: spaCy's documentation example") {
  // "Lee, an experienced CEO, has founded two AI startups."
  const Doc doc = parsed({"Lee", ",", "an", "experienced", "CEO", ",", "has", "founded", "two", "AI", "startups", "."},
                         {7, 0, 4, 4, 0, 0, 7, 7, 10, 10, 7, 7},
                         {"nsubj", "punct", "det", "amod", "appos", "punct", "aux", "ROOT", "nummod", "compound",
                          "dobj", "punct"});
  const Json pattern = Json::parse(R"([
    {"RIGHT_ID": "anchor_founded", "RIGHT_ATTRS": {"ORTH": "founded"}},
    {"LEFT_ID": "anchor_founded", "REL_OP": ">", "RIGHT_ID": "founded_subject", "RIGHT_ATTRS": {"DEP": "nsubj"}},
    {"LEFT_ID": "anchor_founded", "REL_OP": ">", "RIGHT_ID": "founded_object", "RIGHT_ATTRS": {"DEP": "dobj"}},
    {"LEFT_ID": "founded_object", "REL_OP": ">", "RIGHT_ID": "founded_object_modifier",
     "RIGHT_ATTRS": {"DEP": {"IN": ["amod", "compound"]}}}
  ])");
  DependencyMatcher matcher(doc.vocab_ptr());
  matcher.add("FOUNDED", Json::array({pattern}));
  const auto matches = matcher.find(doc);
  REQUIRE(matches.size() == 1);
  CHECK(matches[0].match_id == hash_string("FOUNDED"));
  CHECK(matches[0].tokens == std::vector<std::size_t>{7, 0, 10, 9});
  CHECK(doc.vocab().strings().contains("FOUNDED"));
}

TEST_CASE("dependency matcher: RIGHT_ATTRS use the Matcher's predicates") {
  const Doc doc = two_trees();
  const auto node = [](const std::string& op, const Json& attrs) {
    return Json{{"LEFT_ID", "a"}, {"REL_OP", op}, {"RIGHT_ID", "b"}, {"RIGHT_ATTRS", attrs}};
  };
  const auto anchored = [&](const Json& anchor, const std::string& op, const Json& attrs) {
    return Json::array({Json::array({Json{{"RIGHT_ID", "a"}, {"RIGHT_ATTRS", anchor}}, node(op, attrs)})});
  };
  CHECK(run(doc, anchored({{"DEP", "ROOT"}}, ">", {{"DEP", {{"IN", {"nsubj", "punct"}}}}})) ==
        Tuples{{4, 3}, {4, 9}, {13, 10}, {13, 19}});
  CHECK(run(doc, anchored({{"DEP", "ROOT"}}, ">", {{"DEP", {{"NOT_IN", {"nsubj", "punct"}}}}})) ==
        Tuples{{4, 8}, {13, 11}, {13, 12}, {13, 15}});
  // dog (8), doctor (13), dogs (18); their children of 4 or more characters.
  CHECK(run(doc, anchored({{"LOWER", {{"REGEX", "^d"}}}}, ">", {{"LENGTH", {{">=", 4}}}})) ==
        Tuples{{8, 5}, {8, 7}, {13, 15}});
  CHECK(run(doc, anchored({{"ORTH", {{"FUZZY", "jumpd"}}}}, ">", {{"IS_PUNCT", true}})) == Tuples{{4, 9}});
  CHECK(run(doc, anchored({{"ORTH", "x"}}, ">", Json::object())).empty());
  // "!" is allowed (one token that does not match).
  CHECK(run(doc, anchored({{"ORTH", "jumped"}}, ">", {{"DEP", "nsubj"}, {"OP", "!"}})) == Tuples{{4, 8}, {4, 9}});
}

TEST_CASE("dependency matcher: several nodes, order, shared tokens") {
  const Doc doc = two_trees();
  // Two children of the same head: any pair, the same token twice included (no operator relates them).
  const Json pattern = Json::parse(R"([[
    {"RIGHT_ID": "h", "RIGHT_ATTRS": {"DEP": "ROOT"}},
    {"LEFT_ID": "h", "REL_OP": ">", "RIGHT_ID": "x", "RIGHT_ATTRS": {"DEP": {"IN": ["nsubj", "obl"]}}},
    {"LEFT_ID": "h", "REL_OP": ">", "RIGHT_ID": "y", "RIGHT_ATTRS": {"DEP": {"IN": ["nsubj", "obl"]}}}
  ]])");
  CHECK(run(doc, pattern) == Tuples{{4, 3, 3}, {4, 3, 8}, {4, 8, 3}, {4, 8, 8}, {13, 10, 10}});
  // A chain of three with an ordering constraint between siblings.
  const Json chain = Json::parse(R"([[
    {"RIGHT_ID": "verb", "RIGHT_ATTRS": {"ORTH": "likes"}},
    {"LEFT_ID": "verb", "REL_OP": ">", "RIGHT_ID": "obj", "RIGHT_ATTRS": {"DEP": "obj"}},
    {"LEFT_ID": "obj", "REL_OP": ">", "RIGHT_ID": "conj", "RIGHT_ATTRS": {"DEP": "conj"}},
    {"LEFT_ID": "conj", "REL_OP": ">", "RIGHT_ID": "cc", "RIGHT_ATTRS": {}},
    {"LEFT_ID": "cc", "REL_OP": ";", "RIGHT_ID": "prev", "RIGHT_ATTRS": {}}
  ]])");
  CHECK(run(doc, chain) == Tuples{{15, 16, 18, 17, 16}});
  // Every head-dependent pair: by tree, then anchor, then dependent.
  const Json edges = Json::parse(R"([[
    {"RIGHT_ID": "h", "RIGHT_ATTRS": {}},
    {"LEFT_ID": "h", "REL_OP": ">", "RIGHT_ID": "d", "RIGHT_ATTRS": {}}
  ]])");
  const Tuples all = run(doc, edges);
  REQUIRE(all.size() == 18);
  CHECK(all.front() == std::vector<std::size_t>{3, 0});
  CHECK(all[3] == std::vector<std::size_t>{4, 3});
  CHECK(all.back() == std::vector<std::size_t>{18, 17});
}

TEST_CASE("dependency matcher: trees come in the order their first candidate appears") {
  // Interleaved trees: 3's tree is {0, 3}, 1's is {1, 2}. Token 0 is the first candidate (of the
  // second node), so 3's tree comes first although its anchor comes later, as spaCy's position maps.
  const Doc doc = parsed({"x", "b", "a", "b"}, {3, 1, 1, 3}, {"d", "ROOT", "d", "ROOT"});
  const Json pattern = Json::parse(R"([[
    {"RIGHT_ID": "h", "RIGHT_ATTRS": {"ORTH": "b"}},
    {"LEFT_ID": "h", "REL_OP": ">", "RIGHT_ID": "d", "RIGHT_ATTRS": {}}
  ]])");
  CHECK(run(doc, pattern) == Tuples{{3, 0}, {1, 2}});
}

TEST_CASE("dependency matcher: . .* ; ;* stop at spaCy's sentence edges") {
  // A non-projective tree: 0 is the root, 2 <- 0, 1 <- 2, 3 <- 1. spaCy's set_children_from_heads
  // stops after one pass (every head is inside the one sentence) with the root's r_edge at 2, so its
  // _get_sent for the tree is tokens 0-2 and token 3 is never "after" anything.
  const Doc doc = parsed({"r", "x", "y", "c"}, {0, 2, 0, 1}, {"ROOT", "d", "d", "d"});
  CHECK(run(doc, pair_pattern("r", ".*")) == Tuples{{0, 1}, {0, 2}});
  CHECK(run(doc, pair_pattern("y", ".")).empty());
  CHECK(run(doc, pair_pattern("c", ";")) == Tuples{{3, 2}});
  CHECK(run(doc, pair_pattern("c", ";*")) == Tuples{{3, 0}, {3, 1}, {3, 2}});
  // The tree relations themselves are exact.
  CHECK(run(doc, pair_pattern("r", ">>")) == Tuples{{0, 1}, {0, 2}, {0, 3}});
  CHECK(run(doc, pair_pattern("x", ">")) == Tuples{{1, 3}});
}

TEST_CASE("dependency matcher: keys, several patterns, removal") {
  const Doc doc = two_trees();
  DependencyMatcher matcher(doc.vocab_ptr());
  matcher.add("B", pair_pattern("dog", "<"));
  matcher.add("A", pair_pattern("fox", "<"));
  matcher.add("B", pair_pattern("likes", ">+"));  // appended to B; B keeps its place before A
  CHECK(matcher.size() == 2);
  CHECK(matcher.n_patterns() == 3);
  CHECK(matcher.contains("A"));
  CHECK_FALSE(matcher.contains("C"));
  REQUIRE(matcher.get("B"));
  CHECK(matcher.get("B")->patterns.size() == 2);
  auto matches = matcher.find(doc);
  REQUIRE(matches.size() == 3);
  CHECK(matches[0] == DependencyMatch{hash_string("B"), {8, 4}});
  CHECK(matches[1] == DependencyMatch{hash_string("B"), {15, 16}});
  CHECK(matches[2] == DependencyMatch{hash_string("A"), {3, 4}});
  // The same pattern twice under one key gives its matches twice (spaCy does not de-duplicate).
  matcher.add("A", pair_pattern("fox", "<"));
  CHECK(matcher.find(doc).size() == 4);

  matcher.remove("B");
  CHECK_FALSE(matcher.contains("B"));
  CHECK(matcher.size() == 1);
  matches = matcher.find(doc);
  REQUIRE(matches.size() == 2);
  CHECK(matches[0] == DependencyMatch{hash_string("A"), {3, 4}});
  CHECK_THROWS_AS(matcher.remove("B"), ValueError);
  // Re-added after removal, B now comes after A.
  matcher.add("B", pair_pattern("dog", "<"));
  matches = matcher.find(doc);
  REQUIRE(matches.size() == 3);
  CHECK(matches[2].match_id == hash_string("B"));
  // An integer key is the hash itself.
  matcher.add(hash_t{42}, pair_pattern("cats", "<-"));
  CHECK(matcher.contains(hash_t{42}));
  matches = matcher.find(doc);
  CHECK(matches.back() == DependencyMatch{42, {16, 15}});
  matcher.remove(hash_t{42});
  matcher.remove("A");
  matcher.remove("B");
  CHECK(matcher.empty());
  CHECK(matcher.n_patterns() == 0);
  CHECK(matcher.find(doc).empty());
}

TEST_CASE("dependency matcher: callbacks") {
  Doc doc = two_trees();
  DependencyMatcher matcher(doc.vocab_ptr());
  std::vector<std::size_t> seen;
  matcher.add("GOV", pair_pattern("jumped", ">"),
              [&](DependencyMatcher& m, Doc& d, std::size_t i, std::vector<DependencyMatch>& matches) {
                CHECK(&m == &matcher);
                CHECK(&d == &doc);
                seen.push_back(matches[i].tokens[1]);
                if (i == 0) matches.pop_back();  // a callback may change the list
              });
  matcher.add("NONE", pair_pattern("fox", "<"));
  const auto matches = matcher(doc);
  CHECK(seen == std::vector<std::size_t>{3, 8, 9});
  REQUIRE(matches.size() == 3);  // 4 found, the last ("NONE") dropped by the callback
  CHECK(matches.back().match_id == hash_string("GOV"));
}

TEST_CASE("dependency matcher: spans are matched as spaCy's Span.as_doc copies") {
  const Doc doc = two_trees();
  // doc[5:10] = "over the lazy dog .": dog's head (4) is outside and no ancestor is inside, so dog
  // becomes a root labelled "dep"; "." (head 4, same old tree) attaches to dog, the first such token.
  const Doc copy = DependencyMatcher::span_doc(doc, 5, 10);
  REQUIRE(copy.size() == 5);
  CHECK(copy.text() == "over the lazy dog . ");
  std::vector<int> heads;
  for (std::size_t i = 0; i < copy.size(); ++i) heads.push_back(static_cast<int>(i) + copy.data(i).head);
  CHECK(heads == std::vector<int>{3, 3, 3, 3, 3});
  CHECK(copy.token(3).dep_() == "dep");
  CHECK(copy.token(4).dep_() == "dep");
  CHECK(copy.token(0).dep_() == "case");

  DependencyMatcher matcher(doc.vocab_ptr());
  matcher.add("R", pair_pattern("dog", ">"));
  CHECK(tuples(matcher.find(doc.span(5, 10))) == Tuples{{3, 0}, {3, 1}, {3, 2}, {3, 4}});
  const auto heads_of = [](const Doc& d) {
    std::vector<int> out;
    for (std::size_t i = 0; i < d.size(); ++i) out.push_back(static_cast<int>(i) + d.data(i).head);
    return out;
  };
  // Heads inside the span stay: "a doctor and likes cats and dogs".
  CHECK(heads_of(DependencyMatcher::span_doc(doc, 12, 19)) == std::vector<int>{1, 1, 3, 1, 3, 6, 4});
  // "jumped over the": over's and the's head (dog) is outside, their ancestor jumped inside.
  CHECK(heads_of(DependencyMatcher::span_doc(doc, 4, 7)) == std::vector<int>{0, 0, 0});
  // "doctor and likes cats and": the last "and" (17) heads to dogs (18, outside); of its ancestors
  // inside (cats, likes, doctor) spaCy's loop keeps the last, the highest: doctor.
  CHECK(heads_of(DependencyMatcher::span_doc(doc, 13, 18)) == std::vector<int>{0, 2, 0, 2, 0});
  // A parsed copy's sentences start at the left edges of its roots, as spaCy's from_array draws them:
  // "brown fox jumped over the lazy dog . She is" has the roots jumped and She (is attached to She).
  const Doc cut = DependencyMatcher::span_doc(doc, 2, 12);
  CHECK(heads_of(cut) == std::vector<int>{1, 2, 2, 6, 6, 6, 2, 2, 8, 8});
  std::vector<bool> starts;
  for (std::size_t i = 0; i < cut.size(); ++i) starts.push_back(cut.token(i).is_sent_start());
  CHECK(starts == std::vector<bool>{true, false, false, false, false, false, false, false, true, false});
  // With callbacks, the copy is what they see.
  Doc seen_copy = Doc(doc.vocab_ptr(), "");
  int calls = 0;
  matcher.add("R", pair_pattern("dog", ">"), [&](DependencyMatcher&, Doc& d, std::size_t, std::vector<DependencyMatch>&) {
    ++calls;
    CHECK(d.size() == 5);
  });
  const auto matches = matcher(doc.span(5, 10), &seen_copy);
  CHECK(matches.size() == 8);  // the pattern twice under one key
  CHECK(calls == 8);
  CHECK(seen_copy.size() == 5);
}

TEST_CASE("dependency matcher: Docs without a parse and with head cycles") {
  // No DEP annotation: a DEP value in RIGHT_ATTRS is the Matcher's E155.
  const Doc plain = Doc::from_words(vocab(), {"a", "b"});
  DependencyMatcher matcher(plain.vocab_ptr());
  matcher.add("R", Json::parse(R"([[{"RIGHT_ID": "a", "RIGHT_ATTRS": {"DEP": "nsubj"}}]])"));
  CHECK_THROWS_AS(matcher.find(plain), ValueError);
  CHECK(matcher.find(Doc(plain.vocab_ptr(), "")).empty());  // spaCy: an empty Doc counts as annotated
  // Every token its own tree: a one-node pattern matches, relations across tokens do not.
  DependencyMatcher m2(plain.vocab_ptr());
  m2.add("ONE", Json::parse(R"([[{"RIGHT_ID": "a", "RIGHT_ATTRS": {}}]])"));
  m2.add("TWO", Json::parse(R"([[{"RIGHT_ID": "a", "RIGHT_ATTRS": {}},
                                  {"LEFT_ID": "a", "REL_OP": ".", "RIGHT_ID": "b", "RIGHT_ATTRS": {}}]])"));
  CHECK(tuples(m2.find(plain)) == Tuples{{0}, {1}});
  // Tokens 0 and 1 head each other (a cycle only a hand-made Doc can hold): they match nothing.
  const Doc cyclic = parsed({"a", "b", "c", "d"}, {1, 0, 3, 3}, {"x", "x", "x", "ROOT"});
  CHECK(tuples(m2.find(cyclic)) == Tuples{{2}, {3}, {2, 3}});
}

TEST_CASE("dependency matcher: pattern validation") {
  const auto check = [](const char* json, const char* needle) {
    const std::string msg = error_of(Json::parse(json));
    CAPTURE(json);
    CHECK(msg.find(needle) != std::string::npos);
    CHECK(msg.find("key \"K\"") != std::string::npos);
  };
  check(R"({"RIGHT_ID": "a"})", "E948");
  check(R"([[]])", "E012");
  check(R"([{"RIGHT_ID": "a"}])", "E1008");
  check(R"([["a"]])", "E1008");
  check(R"([[{"LEFT_ID": "a"}]])", "E098");
  check(R"([[{"RIGHT_ID": "a", "REL_OP": ">", "RIGHT_ATTRS": {}}]])", "E099");
  check(R"([[{"RIGHT_ID": "a", "LEFT_ID": "b", "RIGHT_ATTRS": {}}]])", "E099");
  check(R"([[{"RIGHT_ID": "a"}]])", "no RIGHT_ATTRS");
  check(R"([[{"RIGHT_ID": "a", "RIGHT_ATTRS": []}]])", "RIGHT_ATTRS must be a dict");
  check(R"([[{"RIGHT_ID": "a", "RIGHT_ATTRS": {}}, {"LEFT_ID": "a", "RIGHT_ID": "b", "RIGHT_ATTRS": {}}]])", "E100");
  check(R"([[{"RIGHT_ID": "a", "RIGHT_ATTRS": {}}, {"LEFT_ID": "a", "RIGHT_ID": "b", "RIGHT_ATTRS": {}}]])", "REL_OP");
  check(R"([[{"RIGHT_ID": "a", "RIGHT_ATTRS": {}},
             {"LEFT_ID": "z", "REL_OP": ">", "RIGHT_ID": "b", "RIGHT_ATTRS": {}}]])", "E101");
  check(R"([[{"RIGHT_ID": "a", "RIGHT_ATTRS": {}},
             {"LEFT_ID": "a", "REL_OP": ">", "RIGHT_ID": "a", "RIGHT_ATTRS": {}}]])", "E101");
  check(R"([[{"RIGHT_ID": "a", "RIGHT_ATTRS": {}},
             {"LEFT_ID": "a", "REL_OP": "<>", "RIGHT_ID": "b", "RIGHT_ATTRS": {}}]])", "E1007");
  check(R"([[{"RIGHT_ID": "a", "RIGHT_ATTRS": {"ORTH": "x", "OP": "+"}}]])", "E1016");
  check(R"([[{"RIGHT_ID": "a", "RIGHT_ATTRS": {}},
             {"LEFT_ID": "a", "REL_OP": ">", "RIGHT_ID": "b", "RIGHT_ATTRS": {"op": "*"}}]])", "E1016");
  // A bad RIGHT_ATTRS gets the Matcher's reason, at its node.
  const std::string bad = error_of(Json::parse(R"([[{"RIGHT_ID": "a", "RIGHT_ATTRS": {}},
      {"LEFT_ID": "a", "REL_OP": ">", "RIGHT_ID": "b", "RIGHT_ATTRS": {"NOPE": 1}}]])"));
  CHECK(bad.find("pattern 0, node 1: RIGHT_ATTRS: unknown attribute \"NOPE\"") != std::string::npos);

  // All or nothing: a bad second pattern leaves nothing behind, not even the first's specs.
  const Doc doc = two_trees();
  DependencyMatcher matcher(doc.vocab_ptr());
  Json two = pair_pattern("fox", "<");
  two.push_back(Json::parse(R"([{"RIGHT_ID": "a", "RIGHT_ATTRS": {"LENGTH": "x"}}])"));
  CHECK_THROWS_AS(matcher.add("K", two), ValueError);
  CHECK(matcher.size() == 0);
  CHECK(matcher.find(doc).empty());
  matcher.add("K", pair_pattern("fox", "<"));
  CHECK(tuples(matcher.find(doc)) == Tuples{{3, 4}});
  // Extra keys on a later node are ignored (spaCy warns, W126).
  matcher.add("E", Json::parse(R"([[{"RIGHT_ID": "a", "RIGHT_ATTRS": {"ORTH": "fox"}},
      {"LEFT_ID": "a", "REL_OP": "<", "RIGHT_ID": "b", "RIGHT_ATTRS": {}, "EXTRA": 1}]])"));
  CHECK(matcher.find(doc).size() == 2);
}
