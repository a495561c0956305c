#pragma once
// The server's batching queue: HTTP threads enqueue parsed requests; one
// worker thread takes up to max_batch queued choices (waiting at most
// batch_wait_ms for more) and generates them in one
// llm::LocalLanguageModel::complete() call, streaming pieces back to each
// request's Exchange. Private to the serve module.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "clinrl/llm/local_language_model.h"

namespace clinrl::serve {

// A streamed piece of one choice: text and the content tokens beginning in it.
struct StreamPiece {
  int64_t choice = 0;
  std::string text;
  std::vector<llm::TokenLogprob> logprobs;
};

// One request between its HTTP thread and the worker.
struct Exchange {
  llm::CompletionRequest request;
  bool stream = false;
  std::mutex mutex;
  std::condition_variable changed;
  std::deque<StreamPiece> pieces;  // streamed, not yet sent
  bool done = false;
  llm::CompletionResult result;
  int error_status = 0;  // 0: result is valid
  std::string error_message;

  void finish(llm::CompletionResult r) {
    std::lock_guard<std::mutex> lock(mutex);
    result = std::move(r);
    done = true;
    changed.notify_all();
  }
  void fail(int status, std::string message) {
    std::lock_guard<std::mutex> lock(mutex);
    error_status = status;
    error_message = std::move(message);
    done = true;
    changed.notify_all();
  }
};

class BatchQueue {
 public:
  BatchQueue(llm::LocalLanguageModel& model, int64_t max_batch, int64_t batch_wait_ms)
      : model_(model), max_batch_(max_batch), batch_wait_ms_(batch_wait_ms) {}

  // Queues a request; ApiError 503 once stop() was called.
  std::shared_ptr<Exchange> enqueue(llm::CompletionRequest request, bool stream);
  // The worker loop: returns after stop(), failing what is still queued with 503.
  void run();
  // Wakes the worker to finish its batch and return.
  void stop();

  size_t size() const;  // requests waiting
  int64_t batches() const { return batches_.load(); }
  int64_t batched_requests() const { return batched_requests_.load(); }

 private:
  void run_batch(std::vector<std::shared_ptr<Exchange>>& batch);

  llm::LocalLanguageModel& model_;
  const int64_t max_batch_, batch_wait_ms_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<std::shared_ptr<Exchange>> queue_;
  bool stopping_ = false;
  std::atomic<int64_t> batches_{0}, batched_requests_{0};
};

}  // namespace clinrl::serve
