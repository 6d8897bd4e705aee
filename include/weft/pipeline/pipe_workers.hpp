// PipeWorkers: threads that annotate batches of documents for one Pipeline, kept across calls so that
// their thread-local memory (scratch arenas, the tokenizer's chunk caches) stays warm. Pipeline::pipe
// uses one for the length of a call; the Python module keeps one per nlp object and thread count
// across nlp.pipe calls. Batches go in through a Stream (one per pipe() call), which hands them back
// annotated, in submission order; several streams (threads) may share the workers.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <vector>

#include "weft/pipeline/pipeline.hpp"

namespace weft {

class PipeWorkers {
 public:
  // The pipeline must outlive the workers (and not move); it is only read.
  PipeWorkers(const Pipeline& nlp, int n_threads);
  // Finishes the batches in progress, drops queued ones and joins the threads.
  ~PipeWorkers();
  PipeWorkers(const PipeWorkers&) = delete;
  PipeWorkers& operator=(const PipeWorkers&) = delete;

  int threads() const noexcept;

  class Stream {
   public:
    explicit Stream(PipeWorkers& workers);
    // Drops its queued batches and waits for those in progress.
    ~Stream();
    Stream(const Stream&) = delete;
    Stream& operator=(const Stream&) = delete;

    // Queues a batch: texts are tokenized, then every enabled component runs (Pipeline::annotate).
    void submit(std::vector<PipeInput> batch);
    // Batches submitted and not yet taken.
    std::size_t in_flight() const;
    // The next batch in submission order, annotated; waits for it. Rethrows the exception its
    // processing threw. Throws ValueError when nothing is in flight.
    std::vector<Doc> next();
    // The same without waiting: nullopt when the next batch is not done yet (or none is in flight).
    std::optional<std::vector<Doc>> try_next();

    struct State;  // shared with the workers

   private:
    std::shared_ptr<State> state_;
  };

 private:
  struct Core;
  std::shared_ptr<Core> core_;
};

}  // namespace weft
