// The networks of a pipeline as ONNX files (weft export onnx, weft.onnx.export), and what weft computes
// for them on given Docs (weft.onnx.compare runs the files in ONNX Runtime on the same inputs).
//
// Networks, one ONNX file each (opset 17), named after their component:
//   - a tok2vec (and a head's own encoder, "<head>.tok2vec"): inputs "rows" i64 [N, F, n_hashes] (the hash
//     rows of each token's feature keys, Tok2Vec::hash_rows) and "seq_ids" i64 [N] (the sequence of each
//     token, Tok2Vec::sequence_ids); output "tokvecs" f32 [N, width]. The embedding (hash tables, their
//     concatenation, the maxout mix, layer norm) and the CNN blocks (windows that stay inside a sequence,
//     maxout, layer norm, residual sum), as the layers run them.
//   - a token classifier (tagger, morphologizer, lemmatizer): input "tokvecs"; outputs "scores" f32
//     [N, C] (the logits weft takes the argmax of) and "probs.<head>", the softmax of each head's columns.
//   - a transition component (parser, ner): "<name>.precompute" (tokvecs -> "P" f32 [N, slots * hidden *
//     pieces], X W^T) and "<name>.score" (P, "token_rows" i64 [S, slots]: the row of P of each token
//     slot's word, -1 empty; "label_ids" i64 [S, label slots]: -1 none -> "scores" f32 [S, actions]: the
//     rows summed with the pad and label rows and the bias, the maxout, the output layer), as
//     ParserModel::DeviceRows scores states.
// manifest.json names every file, input and output and says how weft feeds them (the features, slots,
// labels and moves). Weights are exported as f32 (int8 products, which CPU inference uses by default,
// are a run-time form of the same weights).
#pragma once

#include <filesystem>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "weft/backend/tensor.hpp"
#include "weft/doc/doc.hpp"
#include "weft/json.hpp"

namespace weft {
class Pipeline;
}

namespace weft::interop {

inline constexpr int kManifestVersion = 1;

// Writes the networks of the pipeline's enabled components into `dir` (created when missing) with
// manifest.json, and returns the manifest. IOError naming the path when it cannot be written.
Json export_onnx(const Pipeline& nlp, const std::filesystem::path& dir);

// One network's inputs as weft feeds them and its outputs as weft computes them, on the CPU.
struct NetworkTrace {
  std::string network;  // as in the manifest
  std::vector<std::pair<std::string, backend::Tensor>> inputs, outputs;
};

// Annotates `docs` with the pipeline (on the CPU, in f32 as trained, along the networks' layers: the
// paths a GPU takes) and returns, for every network export_onnx writes, the inputs weft fed it and its
// outputs: the tok2vec's hash rows, sequence ids and vectors; each head's vectors and scores; each
// transition component's precomputed rows and the states greedy decoding scored with their scores.
// A classifier's "probs.<head>" outputs are not traced (they are the softmax of its scores). Changes
// process-wide settings while it runs (int8 products, device paths): not for use beside other threads
// running pipelines. ValueError for a pipeline on a GPU.
std::vector<NetworkTrace> trace_networks(const Pipeline& nlp, std::span<Doc> docs);

}  // namespace weft::interop
