#include "weft/pipeline/pipe_workers.hpp"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <exception>
#include <map>
#include <mutex>
#include <thread>

#include "weft/error.hpp"

namespace weft {

struct PipeWorkers::Stream::State {
  std::shared_ptr<PipeWorkers::Core> core;
  std::size_t submitted = 0, taken = 0, running = 0;  // under core->mutex
  struct Result {
    std::vector<Doc> docs;
    std::exception_ptr error;
  };
  std::map<std::size_t, Result> done;  // by submission number, under core->mutex
};

struct PipeWorkers::Core {
  const Pipeline* nlp = nullptr;
  std::mutex mutex;
  std::condition_variable work_ready, result_ready;
  struct Job {
    std::shared_ptr<Stream::State> stream;
    std::size_t seq = 0;
    std::vector<PipeInput> batch;
  };
  std::deque<Job> queue;
  bool stopping = false;
  std::vector<std::thread> threads;

  void work() {
    for (;;) {
      Job job;
      {
        std::unique_lock lock(mutex);
        work_ready.wait(lock, [&] { return !queue.empty() || stopping; });
        if (queue.empty()) return;
        job = std::move(queue.front());
        queue.pop_front();
        ++job.stream->running;
      }
      Stream::State::Result r;
      try {
        r.docs = nlp->process(std::move(job.batch));
      } catch (...) {
        r.error = std::current_exception();
      }
      {
        std::lock_guard lock(mutex);
        --job.stream->running;
        job.stream->done.emplace(job.seq, std::move(r));
      }
      result_ready.notify_all();
    }
  }
};

PipeWorkers::PipeWorkers(const Pipeline& nlp, int n_threads) : core_(std::make_shared<Core>()) {
  core_->nlp = &nlp;
  const int n = std::max(1, n_threads);
  for (int t = 0; t < n; ++t) core_->threads.emplace_back([core = core_.get()] { core->work(); });
}

PipeWorkers::~PipeWorkers() {
  {
    std::lock_guard lock(core_->mutex);
    core_->stopping = true;
    core_->queue.clear();
  }
  core_->work_ready.notify_all();
  for (std::thread& t : core_->threads) t.join();
}

int PipeWorkers::threads() const noexcept { return static_cast<int>(core_->threads.size()); }

PipeWorkers::Stream::Stream(PipeWorkers& workers) : state_(std::make_shared<State>()) { state_->core = workers.core_; }

PipeWorkers::Stream::~Stream() {
  Core& core = *state_->core;
  std::unique_lock lock(core.mutex);
  std::erase_if(core.queue, [&](const Core::Job& j) { return j.stream == state_; });
  core.result_ready.wait(lock, [&] { return state_->running == 0; });
}

void PipeWorkers::Stream::submit(std::vector<PipeInput> batch) {
  Core& core = *state_->core;
  {
    std::lock_guard lock(core.mutex);
    if (core.stopping) throw ValueError("PipeWorkers: the workers have stopped");
    core.queue.push_back(Core::Job{state_, state_->submitted++, std::move(batch)});
  }
  core.work_ready.notify_one();
}

std::size_t PipeWorkers::Stream::in_flight() const {
  std::lock_guard lock(state_->core->mutex);
  return state_->submitted - state_->taken;
}

std::vector<Doc> PipeWorkers::Stream::next() {
  Core& core = *state_->core;
  std::unique_lock lock(core.mutex);
  if (state_->taken == state_->submitted) throw ValueError("PipeWorkers: no batch in flight");
  core.result_ready.wait(lock, [&] { return state_->done.count(state_->taken) > 0; });
  State::Result r = std::move(state_->done.extract(state_->taken++).mapped());
  lock.unlock();
  if (r.error) std::rethrow_exception(r.error);
  return std::move(r.docs);
}

std::optional<std::vector<Doc>> PipeWorkers::Stream::try_next() {
  Core& core = *state_->core;
  std::unique_lock lock(core.mutex);
  if (state_->taken == state_->submitted || state_->done.count(state_->taken) == 0) return std::nullopt;
  State::Result r = std::move(state_->done.extract(state_->taken++).mapped());
  lock.unlock();
  if (r.error) std::rethrow_exception(r.error);
  return std::move(r.docs);
}

}  // namespace weft
