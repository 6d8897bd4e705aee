// Edit trees of the trainable lemmatizer: hand cases, tree reuse across words, misfits, the binary
// table's round trip and its errors, and the oracle coverage of the kept trees on UD English EWT.
#include <doctest/doctest.h>

#include <chrono>
#include <filesystem>
#include <unistd.h>

#include "test_paths.hpp"
#include "weft/components/lemmatizer/edit_tree.hpp"
#include "weft/components/lemmatizer/lemma_trees.hpp"
#include "weft/doc/conllu.hpp"
#include "weft/error.hpp"

using namespace weft;

namespace {

// Builds the tree of (form, lemma) and checks it gives the lemma back; returns its string form.
std::string round(EditTrees& t, std::string_view form, std::string_view lemma) {
  const tree_id id = t.add(form, lemma);
  const auto got = t.apply(id, form);
  REQUIRE(got.has_value());
  CHECK(*got == lemma);
  return t.to_str(id);
}

std::string load_error(std::string_view bytes) {
  return test::error_message<FormatError>([&] { EditTrees::deserialize(bytes, "trees.bin"); }, std::string(bytes));
}

}  // namespace

TEST_CASE("lemmatizer: edit tree hand cases") {
  EditTrees t;
  CHECK(round(t, "walked", "walk") == "(m 0 2 () (s 'ed' ''))");
  CHECK(round(t, "children", "child") == "(m 0 3 () (s 'ren' ''))");
  CHECK(round(t, "better", "good") == "(s 'better' 'good')");
  CHECK(round(t, "U.S.", "U.S.") == "(m 0 0 () ())");
  CHECK(round(t, "naïvest", "naïve") == "(m 0 2 () (s 'st' ''))");
  // "ran"/"run" share only single letters: the first one is kept, the vowel becomes a substitution.
  const std::string ran = round(t, "ran", "run");
  CHECK(ran == "(m 0 2 () (m 1 0 (s 'a' 'u') ()))");
  CHECK(ran.find("(s 'a' 'u')") != std::string::npos);
  CHECK(round(t, "n't", "not") == "(m 0 2 () (m 1 0 (s ''' 'o') ()))");
  CHECK(round(t, "", "") == "(s '' '')");
  CHECK(round(t, "x", "") == "(s 'x' '')");
  CHECK(round(t, "", "be") == "(s '' 'be')");
  // Prefix lengths count code points: "über" is 4 of them in 5 bytes.
  CHECK(round(t, "überholt", "holt") == "(m 4 0 (s 'über' '') ())");
}

TEST_CASE("lemmatizer: edit trees are interned and reused across words") {
  EditTrees t;
  const tree_id walked = t.add("walked", "walk");
  const std::size_t nodes = t.size();
  CHECK(t.add("talked", "talk") == walked);
  CHECK(t.add("jumped", "jump") == walked);
  CHECK(t.size() == nodes);
  CHECK(t.find("played", "play") == walked);
  CHECK_FALSE(t.find("geese", "goose").has_value());
  CHECK(t.size() == nodes);  // find adds nothing
  CHECK(t.apply(walked, "talked") == "talk");
  CHECK(t.apply(walked, "naïved") == "naïv");
  CHECK(t.add("U.S.", "U.S.") == t.add("dog", "dog"));
  const tree_id uber = t.add("überholt", "holt");
  CHECK(t.apply(uber, "überzieht") == "zieht");
  CHECK(t.apply(uber, "ubergeht") == std::nullopt);
}

TEST_CASE("lemmatizer: a tree that does not fit returns nullopt") {
  EditTrees t;
  const tree_id walked = t.add("walked", "walk");
  CHECK(t.apply(walked, "children") == std::nullopt);  // suffix "en" is not "ed"
  CHECK(t.apply(walked, "d") == std::nullopt);          // shorter than the suffix
  CHECK(t.apply(walked, "ed") == "");                   // spaCy semantics: the kept middle may be empty
  const tree_id better = t.add("better", "good");
  CHECK(t.apply(better, "bitter") == std::nullopt);
  const tree_id children = t.add("children", "child");
  CHECK(t.apply(children, "walked") == std::nullopt);
  // Never splits a code point: "ï" is one unit, so a 2-code-point suffix of "aï" does not exist.
  const tree_id naive = t.add("naïvest", "naïve");
  CHECK(t.apply(naive, "ï") == std::nullopt);
  CHECK(t.apply(naive, "aïst") == "aï");
  // Bytes that are not UTF-8 do not crash application; they just do not fit.
  CHECK(t.apply(naive, std::string_view("\xC3", 1)) == std::nullopt);
  CHECK_THROWS_AS(t.apply(9999, "x"), IndexError);
  CHECK_THROWS_AS(t.to_str(9999), IndexError);
  CHECK_THROWS_AS(t.add("\xFF", "x"), EncodingError);
  CHECK_THROWS_AS(t.add(std::string(EditTrees::kMaxLength + 1, 'a'), "a"), ValueError);
}

TEST_CASE("lemmatizer: edit tree table serialization round trip") {
  EditTrees t;
  std::vector<tree_id> ids;
  for (const auto& [f, l] : std::vector<std::pair<std::string, std::string>>{
           {"walked", "walk"}, {"ran", "run"}, {"better", "good"}, {"n't", "not"}, {"naïvest", "naïve"}, {"", "be"}})
    ids.push_back(t.add(f, l));
  const std::string bytes = t.serialize();
  const EditTrees back = EditTrees::deserialize(bytes);
  CHECK(back.size() == t.size());
  CHECK(back.serialize() == bytes);
  for (const tree_id id : ids) CHECK(back.to_str(id) == t.to_str(id));
  CHECK(back.apply(ids[0], "talked") == "talk");
  CHECK(back.find("ran", "run") == ids[1]);
  CHECK(EditTrees::deserialize(EditTrees().serialize()).size() == 0);
}

TEST_CASE("lemmatizer: malformed edit tree tables are rejected") {
  EditTrees t;
  t.add("walked", "walk");
  const std::string good = t.serialize();
  CHECK(load_error("").find("bad magic") != std::string::npos);
  CHECK(load_error("WEFTEDT2" + good.substr(8)).find("bad magic") != std::string::npos);
  for (std::size_t cut = 8; cut < good.size(); ++cut) CHECK_THROWS_AS(EditTrees::deserialize(good.substr(0, cut)), FormatError);
  CHECK(load_error(good + "x").find("trailing") != std::string::npos);
  const auto u32 = [](std::uint32_t v) {
    std::string s;
    for (int k = 0; k < 4; ++k) s.push_back(static_cast<char>((v >> (8 * k)) & 0xFFu));
    return s;
  };
  const std::string head = "WEFTEDT1";
  const std::string two_strings = head + u32(2) + u32(2) + "ed" + u32(0);
  const auto node = [&](std::uint8_t kind, std::uint32_t a, std::uint32_t b, std::uint32_t c, std::uint32_t d) {
    return std::string(1, static_cast<char>(kind)) + u32(a) + u32(b) + u32(c) + u32(d);
  };
  CHECK(load_error(head + u32(1000000)).find("exceeds") != std::string::npos);
  CHECK(load_error(head + u32(1) + u32(1) + "\xFF" + u32(0)).find("not UTF-8") != std::string::npos);
  CHECK(load_error(head + u32(2) + u32(1) + "a" + u32(1) + "a" + u32(0)).find("repeats") != std::string::npos);
  CHECK(load_error(two_strings + u32(1) + node(7, 0, 0, 0, 0)).find("unknown kind") != std::string::npos);
  CHECK(load_error(two_strings + u32(1) + node(1, 0, 5, 0, 0)).find("does not exist") != std::string::npos);
  CHECK(load_error(two_strings + u32(1) + node(0, 0, 2, NULL_TREE, 0)).find("forward") != std::string::npos);
  CHECK(load_error(two_strings + u32(1) + node(0, 0, 2, NULL_TREE, NULL_TREE)).find("suffix") != std::string::npos);
  CHECK(load_error(two_strings + u32(2) + node(1, 0, 1, 0, 0) + node(1, 0, 1, 0, 0)).find("repeats") != std::string::npos);
  CHECK(load_error(two_strings + u32(1) + node(1, 0, 1, 3, 0)).find("padding") != std::string::npos);
  // A chain nested past any buildable depth would only exhaust the stack when applied.
  std::string chain = two_strings + u32(EditTrees::kMaxLength + 3) + node(1, 0, 1, 0, 0);
  for (std::uint32_t i = 1; i < EditTrees::kMaxLength + 3; ++i) chain += node(0, 0, i, NULL_TREE, i - 1);
  CHECK(load_error(chain).find("deeper") != std::string::npos);
  CHECK(load_error(good.substr(0, good.size() - 1)).find("trees.bin") != std::string::npos);
}

TEST_CASE("lemmatizer: lemma trees labels, lookup and fallback") {
  LemmaTrees lt;
  for (int i = 0; i < 3; ++i) {
    lt.observe("walked", "walk", UPOS::VERB);
    lt.observe("talked", "talk", UPOS::VERB);
  }
  lt.observe("ran", "run", UPOS::VERB);
  lt.observe("saw", "see", UPOS::VERB);
  lt.observe("saw", "saw", UPOS::NOUN);
  CHECK_FALSE(lt.observe("x", "_", UPOS::X));
  lt.freeze(3);
  REQUIRE(lt.labels().size() == 1);
  CHECK(lt.distinct_trees() == 4);
  CHECK(lt.count(lt.labels()[0]) == 6);
  CHECK(lt.label_of("jumped", "jump") == 0);
  CHECK(lt.label_of("ran", "run") == lt.fallback_label());
  CHECK(lt.label_of("geese", "goose") == lt.fallback_label());
  const std::size_t top[] = {0};
  CHECK(lt.lemmatize("jumped", UPOS::VERB, top) == "jump");
  CHECK(lt.lemmatize("saw", UPOS::VERB, top) == "see");   // no tree fits: lookup
  CHECK(lt.lemmatize("saw", UPOS::NOUN, top) == "saw");
  CHECK(lt.lemmatize("Dogs", UPOS::NOUN, top) == "dogs");  // lowercased
  CHECK(lt.lemmatize("Paris", UPOS::PROPN, top) == "Paris");
  CHECK(lt.lemmatize("ÉCOLE", UPOS::NOUN, {}) == "école");
  CHECK_THROWS_AS(lt.observe("a", "a", UPOS::X), ValueError);
}

TEST_CASE("lemmatizer: oracle coverage of kept edit trees on UD English EWT") {
  const auto start = std::chrono::steady_clock::now();
  auto vocab = std::make_shared<Vocab>("en");
  LemmaTrees lt;
  std::size_t train_tokens = 0;
  for (const Doc& doc : read_conllu_file(test::data_path("en_ewt/train.conllu"), vocab))
    for (std::size_t i = 0; i < doc.size(); ++i)
      train_tokens += lt.observe(doc.token_text(i), doc.str(doc.data(i).lemma), doc.data(i).pos);
  lt.freeze(3);

  std::size_t total = 0, by_trees = 0, by_fallback = 0, by_either = 0;
  std::string out;
  for (const Doc& doc : read_conllu_file(test::data_path("en_ewt/dev.conllu"), vocab)) {
    for (std::size_t i = 0; i < doc.size(); ++i) {
      const std::string_view form = doc.token_text(i);
      const std::string_view lemma = doc.str(doc.data(i).lemma);
      if (lemma.empty() || lemma == "_") continue;
      ++total;
      const bool fallback_hit = lt.fallback(form, doc.data(i).pos) == lemma;
      by_fallback += fallback_hit;
      // The form's own tree decides nearly every token; otherwise another kept tree may still give it.
      bool hit = lt.label_of(form, lemma) != lt.fallback_label();
      for (std::size_t l = 0; !hit && l < lt.labels().size(); ++l) {
        out.clear();
        hit = lt.trees().apply_to(lt.labels()[l], form, out) && out == lemma;
      }
      by_trees += hit;
      by_either += hit || fallback_hit;
    }
  }
  const double trees_pct = 100.0 * static_cast<double>(by_trees) / static_cast<double>(total);
  const double fallback_pct = 100.0 * static_cast<double>(by_fallback) / static_cast<double>(total);
  const double either_pct = 100.0 * static_cast<double>(by_either) / static_cast<double>(total);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
  MESSAGE("train tokens " << train_tokens << ", distinct trees " << lt.distinct_trees() << ", kept (count >= 3) "
                          << lt.labels().size() << ", table nodes " << lt.trees().size());
  MESSAGE("dev tokens " << total << ": oracle coverage of kept trees " << trees_pct << "%, lookup+fallback alone "
                        << fallback_pct << "%, trees or fallback " << either_pct << "% (" << ms.count() << " ms)");
  // Trees alone miss about 1.2%: typos ("recomend"), abbreviations ("b/c"), and all-caps words whose
  // lowercasing tree is word-specific ("FREE" -> "free"); the lowercase fallback recovers a part of them,
  // so the bound of the whole predictor (a kept tree or the fallback label) is the one held to 99%.
  CHECK(trees_pct >= 98.5);
  CHECK(either_pct >= 99.0);
  CHECK(fallback_pct > 80.0);
}

TEST_CASE("lemma trees: unambiguous pairs are those seen twice or more with one lemma; saved and loaded") {
  LemmaTrees lt;
  lt.observe("her", "she", UPOS::PRON);
  lt.observe("her", "she", UPOS::PRON);
  lt.observe("her", "her", UPOS::PRON);
  lt.observe("cats", "cat", UPOS::NOUN);
  lt.observe("cats", "cat", UPOS::NOUN);
  lt.observe("dogs", "dog", UPOS::NOUN);
  lt.freeze(1);
  CHECK(lt.lookup("her", UPOS::PRON) == std::optional<std::string_view>("she"));
  CHECK_FALSE(lt.unambiguous("her", UPOS::PRON));   // context decides
  CHECK(lt.unambiguous("cats", UPOS::NOUN) == std::optional<std::string_view>("cat"));
  CHECK_FALSE(lt.unambiguous("dogs", UPOS::NOUN));  // seen once
  CHECK_FALSE(lt.unambiguous("cats", UPOS::VERB));
  const auto dir = std::filesystem::temp_directory_path() / ("weft_lemma_trees_" + std::to_string(::getpid()));
  lt.save(dir);
  const LemmaTrees back = LemmaTrees::load(dir);
  CHECK(back.unambiguous("cats", UPOS::NOUN) == std::optional<std::string_view>("cat"));
  CHECK_FALSE(back.unambiguous("her", UPOS::PRON));
  CHECK(back.labels() == lt.labels());
  std::filesystem::remove_all(dir);
}
