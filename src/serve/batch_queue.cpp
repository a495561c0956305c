#include "batch_queue.h"

#include <chrono>
#include <exception>

#include "clinrl/core/logging.h"
#include "clinrl/core/strings.h"
#include "clinrl/serve/openai_protocol.h"

namespace clinrl::serve {

using core::format;

std::shared_ptr<Exchange> BatchQueue::enqueue(llm::CompletionRequest request, bool stream) {
  auto ex = std::make_shared<Exchange>();
  ex->request = std::move(request);
  ex->stream = stream;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopping_) throw ApiError(503, "the server is shutting down", "", "server_error");
    queue_.push_back(ex);
  }
  changed_.notify_all();
  return ex;
}

void BatchQueue::run() {
  auto choices = [&] {
    int64_t total = 0;
    for (const auto& ex : queue_) total += ex->request.n;
    return total;
  };
  while (true) {
    std::vector<std::shared_ptr<Exchange>> batch;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      changed_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (stopping_) break;
      auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(batch_wait_ms_);
      while (!stopping_ && choices() < max_batch_)
        if (changed_.wait_until(lock, deadline) == std::cv_status::timeout) break;
      int64_t taken = 0;
      while (!queue_.empty() && (batch.empty() || taken + queue_.front()->request.n <= max_batch_)) {
        taken += queue_.front()->request.n;
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    run_batch(batch);
  }
  std::deque<std::shared_ptr<Exchange>> left;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    left.swap(queue_);
  }
  for (auto& ex : left) ex->fail(503, "the server is shutting down");
}

void BatchQueue::run_batch(std::vector<std::shared_ptr<Exchange>>& batch) {
  std::vector<llm::CompletionRequest> requests;
  bool any_stream = false;
  for (const auto& ex : batch) {
    requests.push_back(ex->request);
    any_stream = any_stream || ex->stream;
  }
  llm::CompletionTextCallback on_text;
  if (any_stream)
    on_text = [&](size_t i, int64_t choice, const std::string& piece, const std::vector<llm::TokenLogprob>& tokens) {
      auto& ex = *batch[i];
      if (!ex.stream) return;
      std::lock_guard<std::mutex> lock(ex.mutex);
      ex.pieces.push_back({choice, piece, tokens});
      ex.changed.notify_all();
    };
  batches_++;
  batched_requests_ += static_cast<int64_t>(batch.size());
  try {
    auto results = model_.complete(requests, on_text);
    for (size_t i = 0; i < batch.size(); ++i) batch[i]->finish(std::move(results[i]));
  } catch (const std::exception& e) {
    log::error("serve: generation failed for a batch of {}: {}", batch.size(), e.what());
    for (auto& ex : batch) ex->fail(500, format("generation failed: {}", e.what()));
  } catch (...) {
    for (auto& ex : batch) ex->fail(500, "generation failed");
  }
}

size_t BatchQueue::size() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return queue_.size();
}

void BatchQueue::stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
}

}  // namespace clinrl::serve
