// Interop (issue 23): doc.tensor (kept only when asked for, as views of the tok2vec's output, kept
// aligned by the retokenizer and Span::as_doc), the networks' traces that weft.onnx.compare feeds to
// ONNX Runtime (the recorded states score as the host loop scores them), and export_onnx's files and
// errors. The ONNX files themselves are checked with onnx.checker and ONNX Runtime in
// tests/python/test_interop.py.
#include <doctest/doctest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "test_paths.hpp"
#include "weft/backend/cpu_int8.hpp"
#include "weft/backend/tensor.hpp"
#include "weft/components/interop/onnx_export.hpp"
#include "weft/components/parser/parser_model.hpp"
#include "weft/components/tok2vec/tok2vec.hpp"
#include "weft/doc/retokenizer.hpp"
#include "weft/error.hpp"
#include "weft/pipeline/model_io.hpp"
#include "weft/pipeline/pipeline.hpp"
#include "weft/pipeline/trainable.hpp"

using namespace weft;
using weft::test::source_path;

namespace {

std::vector<std::string> dev_lines(std::size_t n) {
  std::ifstream in(weft::test::data_path("en_ewt/dev.txt"));
  std::vector<std::string> out;
  for (std::string line; out.size() < n && std::getline(in, line);)
    if (!line.empty()) out.push_back(line);
  return out;
}

const Pipeline& shipped() {
  static const Pipeline nlp = load(source_path("models/en_ewt_sm"));
  return nlp;
}

std::vector<Doc> make_docs(const Pipeline& nlp, const std::vector<std::string>& texts) {
  std::vector<Doc> docs;
  for (const std::string& t : texts) docs.push_back(nlp.make_doc(t));
  return docs;
}

// A Doc of n words with tensor rows [i, i + 0.5, ...] (width w).
Doc doc_with_tensor(std::size_t n, std::int64_t w) {
  std::string text;
  for (std::size_t i = 0; i < n; ++i) text += (i ? " w" : "w") + std::to_string(i);
  Doc d = Pipeline::blank("en").make_doc(text);
  REQUIRE(d.size() == n);
  std::vector<float> values;
  for (std::size_t i = 0; i < n; ++i)
    for (std::int64_t c = 0; c < w; ++c) values.push_back(static_cast<float>(i) + 0.5f * static_cast<float>(c));
  d.set_tensor(backend::Tensor::from_vector(values, {static_cast<std::int64_t>(n), w}));
  return d;
}

float at(const backend::Tensor& t, std::int64_t r, std::int64_t c) { return t.data<float>()[r * t.dim(1) + c]; }

}  // namespace

TEST_CASE("interop: doc.tensor is kept only when asked for, as views of the tok2vec's output") {
  Pipeline nlp = load(source_path("models/en_ewt_sm"));
  const std::vector<std::string> texts = dev_lines(12);
  std::vector<Doc> plain = make_docs(nlp, texts);
  nlp.annotate(plain);
  for (const Doc& d : plain) CHECK(d.tensor() == nullptr);  // the default: nothing kept

  // What the tok2vec computes for these Docs, with the sentence starts it sees (the sentencizer's).
  std::vector<Doc> before = make_docs(nlp, texts);
  nlp.get_pipe("sentencizer").pipe(before);
  const auto& t2v = dynamic_cast<const Tok2Vec&>(nlp.get_pipe("tok2vec"));
  const backend::Tensor expected = t2v.predict(before).data;

  nlp.set_keep_tensors(true);
  std::vector<Doc> docs = make_docs(nlp, texts);
  nlp.annotate(docs);
  std::int64_t row = 0;
  const float* previous_end = nullptr;
  for (const Doc& d : docs) {
    const backend::Tensor* t = d.tensor();
    REQUIRE(t != nullptr);
    CHECK(t->dim(0) == static_cast<std::int64_t>(d.size()));
    CHECK(t->dim(1) == 64);
    // A view of the batch's output: each Doc's rows follow the previous Doc's in one buffer.
    if (previous_end != nullptr) CHECK(t->data<float>() == previous_end);
    previous_end = t->data<float>() + t->numel();
    const float* e = expected.data<float>() + row * 64;
    CHECK(std::equal(t->data<float>(), t->data<float>() + t->numel(), e));
    row += static_cast<std::int64_t>(d.size());
  }
  CHECK(row == expected.dim(0));
  // A copy shares it; a Doc made again from the text has none.
  const Doc copy = docs.front();
  CHECK(copy.tensor()->raw() == docs.front().tensor()->raw());
  CHECK(nlp.make_doc(texts.front()).tensor() == nullptr);
}

TEST_CASE("interop: the retokenizer keeps doc.tensor aligned as spaCy does, Span::as_doc slices it") {
  Doc d = doc_with_tensor(6, 3);
  {
    Retokenizer r(d);
    r.merge(1, 3);                               // w1 w2 -> one token with w2's row
    r.split(4, {"w", "4"}, {{4, 1}, {3, 0}});   // w4 -> two pieces with zero rows
    r.apply();
  }
  REQUIRE(d.size() == 6);
  const backend::Tensor* t = d.tensor();
  REQUIRE(t != nullptr);
  CHECK(t->dim(0) == 6);
  const std::vector<float> first_col{at(*t, 0, 0), at(*t, 1, 0), at(*t, 2, 0), at(*t, 3, 0), at(*t, 4, 0), at(*t, 5, 0)};
  CHECK(first_col == std::vector<float>{0.f, 2.f, 3.f, 0.f, 0.f, 5.f});
  CHECK(at(*t, 1, 2) == 3.f);  // the whole row of w2
  CHECK(at(*t, 3, 2) == 0.f);

  const Doc part = doc_with_tensor(5, 2).span(1, 4).as_doc();
  REQUIRE(part.tensor() != nullptr);
  CHECK(part.tensor()->dim(0) == 3);
  CHECK(at(*part.tensor(), 0, 0) == 1.f);
  CHECK(at(*part.tensor(), 2, 1) == 3.5f);
}

TEST_CASE("interop: Doc::set_tensor takes float32 with one row per token") {
  Doc d = doc_with_tensor(3, 2);
  CHECK_THROWS_AS(d.set_tensor(backend::Tensor::zeros({2, 2}, backend::DType::F32)), ValueError);
  CHECK_THROWS_AS(d.set_tensor(backend::Tensor::zeros({3, 2}, backend::DType::I32)), ValueError);
  CHECK_THROWS_AS(d.set_tensor(backend::Tensor::zeros({3}, backend::DType::F32)), ValueError);
  CHECK(d.tensor() != nullptr);  // unchanged by the refusals
  d.set_tensor(backend::Tensor::zeros({0, 2}, backend::DType::F32));
  CHECK(d.tensor() == nullptr);
}

TEST_CASE("interop: the traced states score as the host loop scores them, from rows of the batch") {
  const Pipeline& nlp = shipped();
  std::vector<Doc> docs = make_docs(nlp, dev_lines(20));
  const std::vector<interop::NetworkTrace> traces = interop::trace_networks(nlp, docs);
  std::map<std::string, const interop::NetworkTrace*> by_name;
  for (const auto& t : traces) by_name[t.network] = &t;
  for (const char* name : {"tok2vec", "tagger", "morphologizer", "lemmatizer", "parser.precompute", "parser.score",
                           "ner.precompute", "ner.score"})
    CHECK_MESSAGE(by_name.count(name) == 1, name);
  const auto find = [&](const std::string& net, const std::string& name, bool in) -> const backend::Tensor& {
    const backend::Tensor* found = nullptr;
    for (const auto& [k, v] : in ? by_name.at(net)->inputs : by_name.at(net)->outputs)
      if (k == name) found = &v;
    REQUIRE_MESSAGE(found != nullptr, net << " has no " << name);
    return *found;
  };
  const auto input = [&](const std::string& net, const std::string& name) -> const backend::Tensor& { return find(net, name, true); };
  const auto output = [&](const std::string& net, const std::string& name) -> const backend::Tensor& { return find(net, name, false); };
  std::int64_t n = 0;
  for (const Doc& d : docs) n += static_cast<std::int64_t>(d.size());
  CHECK(input("tok2vec", "rows").dim(0) == n);
  CHECK(input("tok2vec", "rows").dim(1) == 19);
  CHECK(input("tok2vec", "seq_ids").dim(0) == n);
  CHECK(output("tok2vec", "tokvecs").dim(0) == n);
  CHECK(output("tagger", "scores").dim(0) == n);

  for (const std::string comp : {"parser", "ner"}) {
    CAPTURE(comp);
    const auto* p = nlp.get_pipe(comp).as_trainable();
    REQUIRE(p != nullptr);
    const auto& m = dynamic_cast<const ParserModel&>(p->model());
    const ParserModelShape& sh = m.shape();
    const backend::Tensor& P = input(comp + ".score", "P");
    const backend::Tensor& rows = input(comp + ".score", "token_rows");
    const backend::Tensor& labels = input(comp + ".score", "label_ids");
    const backend::Tensor& scores = output(comp + ".score", "scores");
    const std::int64_t S = rows.dim(0), F = sh.token_slots, K = sh.label_slots, HP = m.row_width();
    CHECK(S >= n);  // at least one move a word
    CHECK(P.dim(0) == n);
    const ParserModel::HostView view = m.host_view(false);
    ParserModel::Scratch scratch;
    std::vector<const float*> ptrs(static_cast<std::size_t>(F));
    std::vector<std::int32_t> lab(static_cast<std::size_t>(K));
    std::vector<float> got(static_cast<std::size_t>(sh.n_actions));
    double worst = 0.0;
    std::int64_t empty = 0;
    for (std::int64_t s = 0; s < S; ++s) {
      for (std::int64_t f = 0; f < F; ++f) {
        const std::int64_t w = rows.data<std::int64_t>()[s * F + f];
        REQUIRE(w >= -1);
        REQUIRE(w < n);
        empty += w < 0;
        ptrs[static_cast<std::size_t>(f)] = w < 0 ? nullptr : P.data<float>() + w * F * HP + f * HP;
      }
      for (std::int64_t k = 0; k < K; ++k) lab[static_cast<std::size_t>(k)] = static_cast<std::int32_t>(labels.data<std::int64_t>()[s * K + k]);
      m.score(view, ptrs.data(), lab.data(), got.data(), scratch);
      for (std::int64_t a = 0; a < sh.n_actions; ++a)
        worst = std::max(worst, static_cast<double>(std::fabs(got[static_cast<std::size_t>(a)] - scores.data<float>()[s * sh.n_actions + a])));
    }
    CHECK(empty > 0);  // empty slots occur (and score through the pad rows)
    CHECK(worst < 1e-4);
  }
}

TEST_CASE("interop: export_onnx writes one file per network and a manifest; bad folders are errors") {
  const Pipeline& nlp = shipped();
  const auto dir = std::filesystem::temp_directory_path() / ("weft_onnx_test_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  const Json manifest = interop::export_onnx(nlp, dir);
  CHECK(manifest["opset"] == 17);
  CHECK(manifest["networks"].size() == 8);
  for (const auto& n : manifest["networks"]) {
    const auto file = dir / n["file"].get<std::string>();
    CHECK_MESSAGE(std::filesystem::file_size(file) > 1000, file);
  }
  CHECK(std::filesystem::exists(dir / "manifest.json"));
  // A file where the folder should be.
  const auto file = dir / "manifest.json";
  CHECK_THROWS_AS(interop::export_onnx(nlp, file), IOError);
  // A folder that cannot be created (below a file).
  CHECK_THROWS_AS(interop::export_onnx(nlp, file / "sub"), IOError);
  std::filesystem::remove_all(dir);
}
