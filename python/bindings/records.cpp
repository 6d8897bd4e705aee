// Batch annotation for the cluster engines (python/weft/spark.py, dask.py through _batch.py): a column
// of texts in Apache Arrow's layout (one data buffer, n+1 offsets, a validity byte per row) annotated
// as `weft run --skip-bad` annotates text records, with the GIL released, into Arrow-layout buffers
// again, so a batch crosses into and out of C++ without a Python object per row:
// - output "jsonl": per row the line `weft run --to jsonl` writes for that text (doc_to_json_line, the
//   function behind the CLI's JSONL writer; the format has no second implementation);
// - output "columns": flat token columns (tokens, lemmas, pos, tags, deps, heads) and entities, for SQL.
// A null row stays null. A bad row (invalid UTF-8, a text over max_length: what weft run --skip-bad
// skips, checked the same way and in the same order) is null too, with the reason in "errors".
#include <pybind11/stl.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bindings.hpp"
#include "weft/doc/doc_json.hpp"
#include "weft/error.hpp"
#include "weft/pipeline/pipeline.hpp"
#include "weft/pipeline/segmenters.hpp"
#include "weft/strings/utf8.hpp"

namespace weft::py {

namespace {

// A text column as Arrow lays it out, seen through the buffer protocol (bytes, memoryview, numpy
// arrays, pyarrow Buffers): row i is data[offsets[i], offsets[i+1]), null where valid[i] == 0.
class TextColumn {
 public:
  TextColumn(const pyb::buffer& data, const pyb::buffer& offsets, const pyb::object& valid)
      : data_(data.request()), offsets_(offsets.request()) {
    if (data_.ndim > 1 || (data_.size > 0 && data_.itemsize != 1))
      throw ValueError("text data must be a one-dimensional buffer of bytes");
    if (offsets_.ndim != 1 || (offsets_.itemsize != 4 && offsets_.itemsize != 8) || offsets_.size < 1)
      throw ValueError("text offsets must be a one-dimensional buffer of n+1 int32 or int64 values");
    n_ = static_cast<std::size_t>(offsets_.size - 1);
    if (!valid.is_none()) {
      valid_ = valid.cast<pyb::buffer>().request();
      if (valid_->ndim != 1 || valid_->itemsize != 1 || static_cast<std::size_t>(valid_->size) != n_)
        throw ValueError("the validity buffer must hold one byte per row (" + std::to_string(n_) + " rows)");
    }
    const auto size = static_cast<std::int64_t>(data_.size < 0 ? 0 : data_.size);
    std::int64_t prev = offset(0);
    if (prev < 0 || prev > size) throw ValueError("text offsets out of the data buffer");
    for (std::size_t i = 1; i <= n_; ++i) {
      const std::int64_t o = offset(i);
      if (o < prev || o > size) throw ValueError("text offsets must be non-decreasing and inside the data buffer");
      prev = o;
    }
  }

  std::size_t size() const noexcept { return n_; }
  bool is_null(std::size_t i) const noexcept {
    return valid_ && static_cast<const std::uint8_t*>(valid_->ptr)[i] == 0;
  }
  std::string_view text(std::size_t i) const noexcept {
    const std::int64_t b = offset(i);
    return {static_cast<const char*>(data_.ptr) + b, static_cast<std::size_t>(offset(i + 1) - b)};
  }

 private:
  std::int64_t offset(std::size_t i) const noexcept {
    if (offsets_.itemsize == 4) return static_cast<const std::int32_t*>(offsets_.ptr)[i];
    return static_cast<const std::int64_t*>(offsets_.ptr)[i];
  }
  pyb::buffer_info data_, offsets_;
  std::optional<pyb::buffer_info> valid_;
  std::size_t n_ = 0;
};

// A string column in Arrow's large_string layout: int64 offsets and the bytes they index.
struct Strings {
  std::vector<std::int64_t> offsets{0};
  std::string data;
  void add(std::string_view s) {
    data += s;
    offsets.push_back(static_cast<std::int64_t>(data.size()));
  }
};

template <class T>
pyb::bytes raw(const std::vector<T>& v) {
  return pyb::bytes(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T));
}

void put(pyb::dict& out, const char* name, const Strings& s) {
  out[(std::string(name) + "_offsets").c_str()] = raw(s.offsets);
  out[(std::string(name) + "_data").c_str()] = pyb::bytes(s.data);
}

// What a Doc gives the flat columns: per token its text, lemma, UPOS, tag, dependency label and the
// absolute index of its head (its own for a root or an unparsed token, as spaCy's token.head.i), ""
// for an annotation the Doc lacks; per entity its text, label, token range and code-point range.
struct Columns {
  std::vector<std::int64_t> tok_offsets{0}, ent_offsets{0};
  Strings tokens, lemmas, pos, tags, deps, ent_text, ent_label;
  std::vector<std::int32_t> heads, ent_start, ent_end, ent_start_char, ent_end_char;

  void add(const Doc& doc) {
    auto str = [&](hash_t h) { return h ? doc.str(h) : std::string_view(); };
    for (std::size_t i = 0; i < doc.size(); ++i) {
      const TokenData& t = doc.data(i);
      tokens.add(doc.token_text(i));
      lemmas.add(str(t.lemma));
      pos.add(upos_name(t.pos));
      tags.add(str(t.tag));
      deps.add(str(t.dep));
      heads.push_back(static_cast<std::int32_t>(static_cast<std::int64_t>(i) + t.head));
    }
    tok_offsets.push_back(static_cast<std::int64_t>(heads.size()));
    for (const Span& e : doc.ents()) {
      ent_text.add(e.text());
      ent_label.add(str(e.label()));
      ent_start.push_back(static_cast<std::int32_t>(e.start()));
      ent_end.push_back(static_cast<std::int32_t>(e.end()));
      ent_start_char.push_back(static_cast<std::int32_t>(e.start_char()));
      ent_end_char.push_back(static_cast<std::int32_t>(e.end_char()));
    }
    ent_offsets.push_back(static_cast<std::int64_t>(ent_start.size()));
  }
  void add_null() {
    tok_offsets.push_back(tok_offsets.back());
    ent_offsets.push_back(ent_offsets.back());
  }
  void put_into(pyb::dict& out) const {
    out["tok_offsets"] = raw(tok_offsets);
    put(out, "tokens", tokens);
    put(out, "lemmas", lemmas);
    put(out, "pos", pos);
    put(out, "tags", tags);
    put(out, "deps", deps);
    out["heads"] = raw(heads);
    out["ent_offsets"] = raw(ent_offsets);
    put(out, "ent_text", ent_text);
    put(out, "ent_label", ent_label);
    out["ent_start"] = raw(ent_start);
    out["ent_end"] = raw(ent_end);
    out["ent_start_char"] = raw(ent_start_char);
    out["ent_end_char"] = raw(ent_end_char);
  }
};

}  // namespace

void register_records(pyb::module_& m) {
  m.def("ensure_segmenter", [](Pipeline& nlp) { return ensure_segmenter(nlp); }, pyb::arg("pipeline"),
        "Adds the rule-based sentencizer before the first component unless an enabled component sets sentence "
        "boundaries, as weft run does for raw text; returns whether it added one");
  m.def(
      "_annotate_batch",
      [](const Pipeline& nlp, const pyb::buffer& data, const pyb::buffer& offsets, const pyb::object& valid,
         const std::string& output, std::size_t batch_size, int n_threads, std::size_t max_length,
         const std::string& invalid_utf8) {
        if (output != "jsonl" && output != "columns")
          throw ValueError("output must be \"jsonl\" or \"columns\", not \"" + output + "\"");
        if (invalid_utf8 != "error" && invalid_utf8 != "replace")
          throw ValueError("invalid_utf8 must be \"error\" or \"replace\", not \"" + invalid_utf8 + "\"");
        if (nlp.max_length() != 0)
          throw ValueError("the pipeline's own max_length must be 0 here: the limit is this call's max_length");
        const TextColumn column(data, offsets, valid);
        const std::size_t n = column.size();
        std::vector<std::uint8_t> row_valid(n, 0);
        std::vector<std::pair<std::size_t, std::string>> errors;
        Strings lines;
        Columns cols;
        {
          pyb::gil_scoped_release release;
          // The checks of weft run's text reader and source, in their order: UTF-8, then length.
          std::vector<std::size_t> good;
          std::vector<std::string> repaired(n);  // the rows repaired under invalid_utf8="replace"
          std::vector<std::uint8_t> is_repaired(n, 0);
          for (std::size_t i = 0; i < n; ++i) {
            if (column.is_null(i)) continue;
            std::string_view text = column.text(i);
            const std::size_t bad = utf8::first_invalid(text);
            if (bad != utf8::npos) {
              if (invalid_utf8 == "error") {
                errors.emplace_back(i, "invalid UTF-8 at byte " + std::to_string(bad) +
                                           " (invalid_utf8=\"replace\" substitutes U+FFFD)");
                continue;
              }
              repaired[i] = utf8::repair(text);
              is_repaired[i] = 1;
              text = repaired[i];
            }
            // A text of no more bytes than the limit has no more characters (Pipeline::check_length).
            if (max_length != 0 && text.size() > max_length) {
              const std::size_t chars = utf8::length(text);
              if (chars > max_length) {
                errors.emplace_back(i, Pipeline::length_error(chars, max_length));
                continue;
              }
            }
            good.push_back(i);
            row_valid[i] = 1;
          }
          std::size_t next = 0;
          auto source = [&]() -> std::optional<PipeInput> {
            if (next == good.size()) return std::nullopt;
            const std::size_t i = good[next++];
            std::string text = is_repaired[i] ? std::move(repaired[i]) : std::string(column.text(i));
            return PipeInput{std::move(text), std::nullopt, {}};
          };
          // Docs come back in input order; rows without one (null, bad) get empty entries between.
          std::size_t row = 0, done = 0;
          auto fill_to = [&](std::size_t end) {
            for (; row < end; ++row) {
              if (output == "jsonl") lines.add({});
              else cols.add_null();
            }
          };
          std::string line;
          nlp.pipe(
              source,
              [&](Doc& d) {
                fill_to(good[done++]);
                if (output == "jsonl") {
                  line = doc_to_json_line(d);
                  lines.add(line);
                } else {
                  cols.add(d);
                }
                ++row;
              },
              PipeOptions{batch_size, n_threads});
          fill_to(n);
        }
        pyb::dict out;
        out["valid"] = raw(row_valid);
        out["errors"] = errors;
        if (output == "jsonl") put(out, "lines", lines);
        else cols.put_into(out);
        return out;
      },
      pyb::arg("pipeline"), pyb::arg("data"), pyb::arg("offsets"), pyb::arg("valid") = pyb::none(),
      pyb::kw_only(), pyb::arg("output") = "jsonl", pyb::arg("batch_size") = 256, pyb::arg("n_threads") = 1,
      pyb::arg("max_length") = 1000000, pyb::arg("invalid_utf8") = "error",
      "Annotates a column of texts in Arrow's layout (data bytes, n+1 int32/int64 offsets, one validity byte per "
      "row or None) as weft run --skip-bad does text records, with the GIL released. Returns a dict of buffers: "
      "\"valid\" (a byte per row), \"errors\" ([(row, reason)] for the bad rows) and, for output=\"jsonl\", "
      "\"lines_offsets\" (int64, n+1) and \"lines_data\": the line weft run --to jsonl writes; for "
      "output=\"columns\", the flat token and entity columns (see weft/_batch.py). The pipeline's max_length must "
      "be 0 (the limit is max_length here; 0: none).");
}

}  // namespace weft::py
