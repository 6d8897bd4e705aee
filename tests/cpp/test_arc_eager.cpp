// The parser's foundations: the pseudo-projective transform (hand cases and the exact round trip on all
// of UD English EWT train) and the arc-eager system (hand-worked oracle costs, invalid moves, and the
// dynamic oracle rebuilding every train document, sentence boundaries included).
#include <doctest/doctest.h>

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "test_paths.hpp"
#include "weft/components/parser/arc_eager.hpp"
#include "weft/components/parser/nonproj.hpp"
#include "weft/doc/conllu.hpp"
#include "weft/error.hpp"

using namespace weft;
namespace ae = weft::arc_eager;

namespace {

// EWT train, one tree per sentence (absolute heads, root = itself), read once for all tests.
const std::vector<nonproj::Tree>& train_trees() {
  static const std::vector<nonproj::Tree> trees = [] {
    std::vector<nonproj::Tree> out;
    const auto docs = read_conllu_file(test::data_path("en_ewt/train.conllu"), std::make_shared<Vocab>("en"),
                                       {ConlluReadOptions::Group::Sentence, false});
    out.reserve(docs.size());
    for (const Doc& d : docs) {
      nonproj::Tree t;
      for (std::size_t i = 0; i < d.size(); ++i) {
        REQUIRE(d.data(i).dep != 0);
        t.heads.push_back(static_cast<std::int32_t>(i) + d.data(i).head);
        t.labels.emplace_back(d.str(d.data(i).dep));
      }
      out.push_back(std::move(t));
    }
    return out;
  }();
  return trees;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// The 6-word document of two sentences the cost cases use ("She saw him. We like it"):
// 0 <-nsubj- 1(root) -obj-> 2 | 3 <-nsubj- 4(root) -obj-> 5. Labels: root 0, nsubj 1, obj 2.
constexpr std::int32_t ROOT = 0, NSUBJ = 1, OBJ = 2;
ae::GoldParse two_sentences() { return ae::GoldParse({1, 1, 1, 4, 4, 4}, {NSUBJ, ROOT, OBJ, NSUBJ, ROOT, OBJ}, {1, 0, 0, 1, 0, 0}); }

std::int32_t valid_cost(const ae::State& st, const ae::Action& a, const ae::GoldParse& g) {
  REQUIRE(ae::valid(st, a));
  return ae::cost(st, a, g);
}

}  // namespace

TEST_CASE("parser: projectivity and lifting by hand") {
  // 0 <- 2, 1 root, 2 <- 1, 3 <- 0: the arcs 2->0 (over the root 1) and 0->3 are non-projective.
  const std::vector<std::int32_t> heads{2, 1, 1, 0};
  const std::vector<std::string> labels{"a", "root", "b", "c"};
  CHECK_FALSE(nonproj::is_projective(heads));
  CHECK(nonproj::is_nonproj_arc(0, heads));
  CHECK_FALSE(nonproj::is_nonproj_arc(2, heads));
  CHECK(nonproj::is_projective({1, 1, 1, 2}));
  CHECK(nonproj::is_projective({}));
  // The smaller arc (2->0) is lifted first, to 1; then 0->3 is lifted to 0's new head, 1.
  const nonproj::Tree p = nonproj::projectivize(heads, labels);
  CHECK(p.heads == std::vector<std::int32_t>{1, 1, 1, 1});
  CHECK(p.labels == std::vector<std::string>{"a||b", "root", "b", "c||a"});
  CHECK(nonproj::deprojectivize(p) == nonproj::Tree{heads, labels});
  // A projective tree is left alone.
  const nonproj::Tree same{{1, 1, 1}, {"x", "root", "y"}};
  CHECK(nonproj::projectivize(same) == same);
  CHECK(nonproj::base_label("nmod:poss||obj||2") == "nmod:poss");
}

TEST_CASE("parser: decorated labels with ranks and root searches") {
  // Root 0 with children 1 (obj), 2 (obj), 3 (x). The suffix picks the k-th "obj" of the search.
  const std::vector<std::int32_t> heads{0, 0, 0, 0};
  CHECK(nonproj::deprojectivize(heads, {"root", "obj", "obj", "x||obj"}).heads == std::vector<std::int32_t>{0, 0, 0, 1});
  CHECK(nonproj::deprojectivize(heads, {"root", "obj", "obj", "x||obj||2"}).heads == std::vector<std::int32_t>{0, 0, 0, 2});
  // No third match, or a malformed suffix: the head stays, the decoration goes.
  const nonproj::Tree kept = nonproj::deprojectivize(heads, {"root", "obj", "obj", "x||obj||3"});
  CHECK(kept.heads == heads);
  CHECK(kept.labels[3] == "x");
  CHECK(nonproj::deprojectivize(heads, {"root", "obj", "obj", "x||obj||z"}).heads == heads);
  CHECK(nonproj::deprojectivize(heads, {"root", "obj", "obj", "x||nothing"}).heads == heads);
  // "^k" searches from the roots, which themselves count: here the root is the 1st "root".
  CHECK(nonproj::deprojectivize({0, 0, 2}, {"root", "a", "b||root||^1"}).heads == std::vector<std::int32_t>{0, 0, 0});
  // Two roots 0 and 2, 3 <- 0 over 2: lifting past a root makes 3 a root, and its old head is found
  // by the search from the roots.
  const nonproj::Tree forest{{0, 2, 2, 0}, {"root", "a", "root", "x"}};
  const nonproj::Tree lifted = nonproj::projectivize(forest);
  CHECK(lifted.heads == std::vector<std::int32_t>{0, 2, 2, 3});
  CHECK(lifted.labels[3] == "x||root||^1");
  CHECK(nonproj::deprojectivize(lifted) == forest);
  // A word's own subtree is never searched, so no cycle can come back.
  CHECK(nonproj::deprojectivize({0, 0, 1}, {"root", "a||c", "c"}).heads == std::vector<std::int32_t>{0, 0, 1});
  // Bad input.
  CHECK_THROWS_AS(nonproj::projectivize({0, 5}, {"root", "a"}), ValueError);
  CHECK_THROWS_AS(nonproj::projectivize({1, 0}, {"a", "b"}), ValueError);
  CHECK_THROWS_AS(nonproj::projectivize({0, 0}, {"root"}), ValueError);
  CHECK_THROWS_AS(nonproj::projectivize({0, 0}, {"root", "a||b"}), ValueError);
  CHECK_THROWS_AS(nonproj::is_projective({1, 2, 0}), ValueError);
}

TEST_CASE("parser: pseudo-projective round trip on all of EWT train") {
  const auto start = std::chrono::steady_clock::now();
  const auto& trees = train_trees();
  REQUIRE(trees.size() > 12000);
  std::size_t nonprojective = 0, lifted = 0, ranked = 0, from_roots = 0, not_projective = 0, failed = 0, plain_failed = 0;
  for (const nonproj::Tree& t : trees) {
    const bool proj = nonproj::is_projective(t.heads);
    nonprojective += !proj;
    const nonproj::Tree p = nonproj::projectivize(t);
    if (proj && !(p == t)) ++failed;
    not_projective += !nonproj::is_projective(p.heads);
    nonproj::Tree plain = p;  // spaCy's HEAD scheme: the rank suffixes dropped
    for (std::string& label : plain.labels) {
      const auto cut = label.find("||");
      if (cut == std::string::npos) continue;
      ++lifted;
      const auto cut2 = label.find("||", cut + 2);
      if (cut2 == std::string::npos) continue;
      ++(label[cut2 + 2] == '^' ? from_roots : ranked);
      label.resize(cut2);
    }
    if (!(nonproj::deprojectivize(p) == t)) ++failed;
    if (!(nonproj::deprojectivize(plain) == t)) ++plain_failed;
  }
  MESSAGE(nonprojective << " of " << trees.size() << " train sentences are non-projective; " << lifted << " words lifted, "
                        << ranked << " need a rank suffix, " << from_roots << " a root search; without the suffixes "
                        << plain_failed << " trees would not round-trip ("
                        << seconds_since(start) << " s)");
  CHECK(nonprojective > 0);
  CHECK(not_projective == 0);
  CHECK(failed == 0);
}

TEST_CASE("parser: arc-eager costs by hand") {
  const ae::GoldParse g = two_sentences();
  ae::State st(6, ROOT);
  CHECK(st.sent_starts[0] == 1);
  // Empty stack: only SHIFT, at no cost.
  CHECK(valid_cost(st, ae::Action::shift(), g) == 0);
  ae::apply(st, ae::Action::shift());  // stack [0], B0 = 1

  // 0's gold head is B0 with label nsubj.
  CHECK(valid_cost(st, ae::Action::left(NSUBJ), g) == 0);
  CHECK(valid_cost(st, ae::Action::left(OBJ), g) == 1);    // right head, wrong label
  CHECK(valid_cost(st, ae::Action::right(NSUBJ), g) == 2); // 1 is a root (its arc lost) and 0 can't get 1 as head
  CHECK(valid_cost(st, ae::Action::shift(), g) == 1);      // 0 waits on the stack for 1, which would pass it
  CHECK(valid_cost(st, ae::Action::brk(), g) == 2);        // no gold start at 1, and 0 loses its head 1
  ae::apply(st, ae::Action::left(NSUBJ));
  ae::apply(st, ae::Action::shift());  // stack [1], B0 = 2

  // 2 <-obj- 1 (S0, the root).
  CHECK(valid_cost(st, ae::Action::right(OBJ), g) == 0);
  CHECK(valid_cost(st, ae::Action::right(NSUBJ), g) == 1);  // wrong label
  CHECK(valid_cost(st, ae::Action::shift(), g) == 1);       // 2 passes its head 1
  CHECK(valid_cost(st, ae::Action::left(OBJ), g) == 2);     // the root 1 gets a head, its child 2 is lost
  CHECK(valid_cost(st, ae::Action::brk(), g) == 2);         // no gold start at 2, and 1's child 2 is lost
  ae::apply(st, ae::Action::right(OBJ));  // stack [1, 2], B0 = 3, a gold sentence start

  CHECK(valid_cost(st, ae::Action::reduce(), g) == 0);       // 2 has no dependents left
  CHECK(valid_cost(st, ae::Action::shift(), g) == 1);        // the start at 3 is lost
  CHECK(valid_cost(st, ae::Action::right(NSUBJ), g) == 2);   // 3's head is 4, and the start is lost
  ae::apply(st, ae::Action::reduce());  // stack [1], B0 = 3

  CHECK(valid_cost(st, ae::Action::brk(), g) == 0);
  CHECK(valid_cost(st, ae::Action::shift(), g) == 1);       // the start at 3 is lost
  CHECK(valid_cost(st, ae::Action::left(NSUBJ), g) == 2);   // the root 1 gets a head, and the start is lost
  CHECK(valid_cost(st, ae::Action::right(NSUBJ), g) == 2);  // 3's head is 4, and the start is lost
  ae::apply(st, ae::Action::brk());  // stack [], B0 = 3
  CHECK(st.sent_starts[3] == 1);
  CHECK(st.heads[1] == 1);
  CHECK(st.labels[1] == ROOT);
  CHECK(valid_cost(st, ae::Action::shift(), g) == 0);

  // Finish the second sentence and compare.
  for (const ae::Action a : {ae::Action::shift(), ae::Action::left(NSUBJ), ae::Action::shift(), ae::Action::right(OBJ),
                             ae::Action::reduce(), ae::Action::reduce()}) {
    CHECK(valid_cost(st, a, g) == 0);
    ae::apply(st, a);
  }
  CHECK(ae::is_final(st));
  CHECK(st.heads == g.heads());
  CHECK(st.labels == g.labels());
  CHECK(st.sent_starts == g.sent_starts());

  // One sentence 0(root) -nsubj-> 1 -obj-> 2: with 1 on the stack (wrongly, or rightly) headed,
  // REDUCE loses its child 2 still in the buffer.
  const ae::GoldParse chain({0, 0, 1}, {ROOT, NSUBJ, OBJ}, {1, 0, 0});
  ae::State c(3, ROOT);
  ae::apply(c, ae::Action::shift());
  CHECK(valid_cost(c, ae::Action::right(NSUBJ), chain) == 0);
  CHECK(valid_cost(c, ae::Action::shift(), chain) == 1);  // 1 passes its head 0
  ae::apply(c, ae::Action::right(NSUBJ));             // stack [0, 1], B0 = 2
  CHECK(valid_cost(c, ae::Action::reduce(), chain) == 1);
  CHECK(valid_cost(c, ae::Action::shift(), chain) == 1);
  CHECK(valid_cost(c, ae::Action::right(OBJ), chain) == 0);
  ae::apply(c, ae::Action::shift());  // a mistake: 2 can no longer get its head 1
  // The buffer is empty: REDUCE pops even headless words, which become roots (2 is a wrong one).
  CHECK(ae::valid(c, ae::Action::reduce()));
  while (!ae::is_final(c)) ae::apply(c, ae::Action::reduce());
  CHECK(c.heads == std::vector<std::int32_t>{0, 0, 2});
}

TEST_CASE("parser: invalid arc-eager moves are rejected") {
  const ae::GoldParse g = two_sentences();
  ae::State st(6, ROOT);
  // Empty stack: nothing but SHIFT.
  CHECK_FALSE(ae::valid(st, ae::Action::reduce()));
  CHECK_FALSE(ae::valid(st, ae::Action::left(NSUBJ)));
  CHECK_FALSE(ae::valid(st, ae::Action::right(NSUBJ)));
  CHECK_FALSE(ae::valid(st, ae::Action::brk()));
  CHECK_THROWS_AS(ae::apply(st, ae::Action::reduce()), ValueError);
  ae::apply(st, ae::Action::shift());
  // REDUCE of a headless word while the buffer lasts; LEFT/RIGHT without a label.
  CHECK_FALSE(ae::valid(st, ae::Action::reduce()));
  CHECK_FALSE(ae::valid(st, ae::Action::left(-1)));
  CHECK_FALSE(ae::valid(st, ae::Action::right(-1)));
  ae::apply(st, ae::Action::shift());
  ae::apply(st, ae::Action::right(OBJ));  // stack [0, 1, 2]: 2 has a head
  CHECK_FALSE(ae::valid(st, ae::Action::left(NSUBJ)));
  CHECK_THROWS_AS(ae::apply(st, ae::Action::left(NSUBJ)), ValueError);
  CHECK_FALSE(ae::valid(st, ae::Action::brk()));  // three words on the stack
  CHECK(ae::valid(st, ae::Action::reduce()));
  // Run out the buffer: only REDUCE is left, then nothing.
  while (st.b0() >= 0) ae::apply(st, ae::Action::shift());
  CHECK_FALSE(ae::valid(st, ae::Action::shift()));
  CHECK_FALSE(ae::valid(st, ae::Action::brk()));
  CHECK_FALSE(ae::valid(st, ae::Action::right(OBJ)));
  while (!ae::is_final(st)) ae::apply(st, ae::Action::reduce());
  for (const ae::Action a : {ae::Action::shift(), ae::Action::reduce(), ae::Action::left(0), ae::Action::right(0), ae::Action::brk()})
    CHECK_FALSE(ae::valid(st, a));
  for (std::int32_t i = 0; i < st.size(); ++i) CHECK(st.has_head(i));
  CHECK_THROWS_AS(ae::State(-1, ROOT), ValueError);
  CHECK_THROWS_AS(ae::GoldParse({0, 7}, {0, 0}, {1, 0}), ValueError);
  CHECK_THROWS_AS(ae::GoldParse({0, 0}, {0, 0}, {0, 0}), ValueError);
  CHECK_THROWS_AS(ae::cost(ae::State(2, ROOT), ae::Action::shift(), g), ValueError);
  CHECK(ae::NAME == "weft.ArcEager.v1");
}

TEST_CASE("parser: the dynamic oracle rebuilds every EWT train document") {
  const auto start = std::chrono::steady_clock::now();
  const auto& trees = train_trees();
  // Label ids of the projectivized labels, "root" first.
  std::map<std::string, std::int32_t> ids{{"root", 0}};
  const auto id = [&](const std::string& label) { return ids.emplace(label, static_cast<std::int32_t>(ids.size())).first->second; };
  std::vector<nonproj::Tree> proj;
  proj.reserve(trees.size());
  for (const nonproj::Tree& t : trees) {
    proj.push_back(nonproj::projectivize(t));
    for (const std::string& label : proj.back().labels) id(label);
  }
  const auto n_labels = static_cast<std::int32_t>(ids.size());
  // Moves in the order tried; LEFT and RIGHT with every label.
  std::vector<ae::Action> moves{ae::Action::brk(), ae::Action::reduce()};
  for (std::int32_t l = 0; l < n_labels; ++l) moves.push_back(ae::Action::left(l));
  for (std::int32_t l = 0; l < n_labels; ++l) moves.push_back(ae::Action::right(l));
  moves.push_back(ae::Action::shift());

  std::size_t docs = 0, failed = 0, stuck = 0, breaks = 0;
  constexpr std::size_t kSentencesPerDoc = 5;
  for (std::size_t first = 0; first < proj.size(); first += kSentencesPerDoc) {
    std::vector<std::int32_t> heads, labels;
    std::vector<std::uint8_t> starts;
    for (std::size_t s = first; s < std::min(first + kSentencesPerDoc, proj.size()); ++s) {
      const auto offset = static_cast<std::int32_t>(heads.size());
      for (std::size_t i = 0; i < proj[s].heads.size(); ++i) {
        heads.push_back(offset + proj[s].heads[i]);
        labels.push_back(ids.at(proj[s].labels[i]));
        starts.push_back(i == 0);
      }
    }
    const ae::GoldParse gold(heads, labels, starts);
    ae::State st(gold.size(), 0);
    ++docs;
    while (!ae::is_final(st)) {
      const ae::Action* chosen = nullptr;
      for (const ae::Action& a : moves)
        if (ae::valid(st, a) && ae::cost(st, a, gold) == 0) {
          chosen = &a;
          break;
        }
      if (chosen == nullptr) {
        ++stuck;
        break;
      }
      breaks += chosen->move == ae::Action::Move::Break;
      ae::apply(st, *chosen);
    }
    if (!(st.heads == gold.heads() && st.labels == gold.labels() && st.sent_starts == gold.sent_starts())) ++failed;
  }
  MESSAGE(docs << " documents of up to " << kSentencesPerDoc << " sentences, " << n_labels << " labels, " << breaks
               << " breaks (" << seconds_since(start) << " s)");
  CHECK(stuck == 0);
  CHECK(failed == 0);
  CHECK(breaks == proj.size() - docs);
}

TEST_CASE("parser: no BREAK at a word that took a left dependent (heads across sentence boundaries)") {
  // Regression: ":-) Posted" was parsed as LEFT(":-)" <- "Posted") then BREAK at "Posted", so ":-)" had
  // its head in the next sentence and `weft run --to conllu` aborted.
  const ae::GoldParse g = two_sentences();
  ae::State st(6, ROOT);
  ae::apply(st, ae::Action::shift());        // stack [0]
  ae::apply(st, ae::Action::right(OBJ));     // stack [0, 1]
  ae::apply(st, ae::Action::reduce());       // stack [0]; B0 = 2
  CHECK(ae::valid(st, ae::Action::brk()));   // 2 has no left dependent yet
  ae::apply(st, ae::Action::shift());        // stack [0, 2]; B0 = 3
  ae::apply(st, ae::Action::left(NSUBJ));    // 2 <- 3; stack [0]
  CHECK_FALSE(ae::valid(st, ae::Action::brk()));
  CHECK_THROWS_AS(ae::apply(st, ae::Action::brk()), ValueError);
  // A LEFT arc into a gold sentence start counts that start as lost.
  ae::State s2(6, ROOT);
  ae::apply(s2, ae::Action::shift());
  ae::apply(s2, ae::Action::right(OBJ));
  ae::apply(s2, ae::Action::reduce());
  ae::apply(s2, ae::Action::shift());        // stack [0, 2]; B0 = 3 (a gold start)
  REQUIRE(g.sent_start(3));
  // 2's gold arc (to 1) is already out of reach, so only the start counts (it counted 0 before: BREAK
  // at 3 looked reachable while the stack held two words).
  CHECK(ae::cost(s2, ae::Action::left(NSUBJ), g) == 1);
  // The next buffer word starts without left dependents.
  ae::apply(st, ae::Action::shift());        // stack [0, 3]; B0 = 4
  CHECK_FALSE(st.b0_has_left);
}
