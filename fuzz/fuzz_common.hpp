// Shared by the libFuzzer targets (fuzz/fuzz_*.cpp, built by scripts/fuzz.sh with WEFT_FUZZ=ON).
//
// What counts as a finding: weft's documented exceptions (the weft::Error family) are the expected
// answer to bad input and are caught here; any other exception escaping the library, a crash, an
// ASan/UBSan report, a timeout (-timeout), a memory blow-up (-rss_limit_mb) or a broken invariant
// (FUZZ_CHECK: something the library documents, such as "what the writer writes, the reader reads")
// is one.
#pragma once

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <sstream>
#include <string>
#include <string_view>
#include <typeinfo>

#include "weft/doc/conllu.hpp"
#include "weft/doc/doc.hpp"
#include "weft/doc/doc_bin.hpp"
#include "weft/doc/doc_json.hpp"
#include "weft/doc/jsonl.hpp"
#include "weft/doc/span.hpp"
#include "weft/doc/token.hpp"
#include "weft/error.hpp"
#include "weft/json.hpp"
#include "weft/strings/utf8.hpp"

// Aborts (a finding) when `cond` is false, naming it.
#define FUZZ_CHECK(cond)                                                                               \
  do {                                                                                                 \
    if (!(cond)) {                                                                                     \
      std::fprintf(stderr, "fuzz: invariant failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__);         \
      std::abort();                                                                                    \
    }                                                                                                  \
  } while (0)

namespace weft_fuzz {

[[noreturn]] inline void fail(const std::string& what) {
  std::fprintf(stderr, "fuzz: %s\n", what.c_str());
  std::abort();
}

// Runs f(); a weft::Error is an expected outcome (returns false), anything else escaping is a finding
// (named, then abort). Returns true when f() returned normally.
template <class F>
bool expect_errors(F&& f) {
  try {
    f();
    return true;
  } catch (const weft::Error&) {
    return false;
  } catch (const std::exception& e) {
    fail(std::string("exception outside weft::Error escaped: ") + typeid(e).name() + ": " + e.what());
  } catch (...) {
    fail("a non-std exception escaped");
  }
}

// Runs f(), which must not throw at all (an operation the library documents as infallible here).
template <class F>
void must_succeed(const char* what, F&& f) {
  try {
    f();
  } catch (const std::exception& e) {
    fail(std::string(what) + " threw " + typeid(e).name() + ": " + e.what());
  }
}

// A per-process scratch directory: $WEFT_FUZZ_TMP (scripts/fuzz.sh sets it) or /dev/shm or /tmp.
inline const std::filesystem::path& temp_dir() {
  static const std::filesystem::path dir = [] {
    const char* env = std::getenv("WEFT_FUZZ_TMP");
    std::filesystem::path base = env && *env ? env : std::filesystem::exists("/dev/shm") ? "/dev/shm" : "/tmp";
    std::filesystem::path d = base / ("weft-fuzz-" + std::to_string(::getpid()));
    std::filesystem::create_directories(d);
    std::atexit([] {
      std::error_code ec;
      std::filesystem::remove_all(temp_dir(), ec);
    });
    return d;
  }();
  return dir;
}

// Reads everything a Doc offers a user: token attributes, syntax, sentences, entities, noun chunks,
// and writes it in every format. What one of weft's writers writes, its reader must read back.
inline void exercise_doc(const weft::Doc& doc) {
  using namespace weft;
  FUZZ_CHECK(utf8::valid(doc.text()));
  std::size_t prev_end = 0;
  for (std::size_t i = 0; i < doc.size(); ++i) {
    const TokenData& t = doc.data(i);
    FUZZ_CHECK(t.len > 0 && t.idx >= prev_end && std::size_t{t.idx} + t.len <= doc.text().size());
    prev_end = t.idx + t.len;
    const Token tok = doc[static_cast<std::ptrdiff_t>(i)];
    expect_errors([&] {
      (void)tok.text_with_ws();
      (void)tok.lower_();
      (void)tok.shape_();
      (void)tok.prefix_();
      (void)tok.suffix_();
      (void)tok.norm_();
      (void)tok.lemma_();
      (void)tok.tag_();
      (void)tok.dep_();
      (void)tok.morph_();
      (void)tok.ent_type_();
      (void)tok.ent_iob_();
      (void)tok.idx();
      (void)tok.length();
    });
    expect_errors([&] {
      (void)tok.head();
      (void)tok.children();
      (void)tok.subtree();
      (void)tok.ancestors();
      (void)tok.left_edge();
      (void)tok.right_edge();
    });
  }
  expect_errors([&] {
    for (const Span& s : doc.sents()) (void)s.root();
  });
  expect_errors([&] {
    for (const Span& e : doc.ents()) (void)e.text();
  });
  expect_errors([&] { (void)doc.noun_chunks(); });

  // JSONL: the line the writer gives reads back to the same text and tokens.
  std::string line;
  if (expect_errors([&] { line = doc_to_json_line(doc); })) {
    std::istringstream in(line);
    JsonlReader reader(in, doc.vocab_ptr(), "<written jsonl>");
    std::optional<JsonlRecord> rec;
    must_succeed("reading back doc_to_json_line's output", [&] { rec = reader.next(); });
    FUZZ_CHECK(rec && rec->doc && rec->doc->text() == doc.text() && rec->doc->size() == doc.size());
  }
  // CoNLL-U: the writer may refuse (ValueError); what it writes reads back.
  std::string conllu;
  if (expect_errors([&] { conllu = to_conllu(doc); }) && !conllu.empty()) {
    std::istringstream in(conllu);
    ConlluReader reader(in, doc.vocab_ptr(), "<written conllu>");
    must_succeed("reading back to_conllu's output", [&] {
      while (reader.next()) {
      }
    });
  }
  // DocBin: writing never fails for a valid Doc, and reads back.
  must_succeed("a DocBin round trip", [&] {
    DocBin bin;
    bin.add(doc);
    const std::vector<Doc> back = DocBin::from_bytes(bin.to_bytes()).get_docs(doc.vocab_ptr());
    FUZZ_CHECK(back.size() == 1 && back[0].text() == doc.text() && back[0].size() == doc.size());
  });
}

}  // namespace weft_fuzz
