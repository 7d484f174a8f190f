#pragma once
// elaborator::http::AsyncClient: HTTP requests that never hold up the frame loop.
//
// An elaboration that asks a remote service about its frames must not wait for the answer: a slow or hung
// service would stop the classification of every later frame. AsyncClient sends requests from a thread of
// its own (libcurl's multi interface) and calls back when each one is done:
//   - submit() never waits: when max_in_flight requests are out already, the new one is dropped and counted
//     (the next frame brings a fresher one), as it is while the service has asked to wait (Retry-After);
//   - every attempt has a connect timeout, a whole-transfer timeout and a cap on the size of the answer;
//   - answers 429 and 5xx are retried with exponential backoff, and never sooner than their Retry-After
//     asks (not at all if it asks for longer than max_backoff: the frame would be stale by then);
//   - the callback runs on the client's thread, so it must be short and thread-safe (publishing is);
//   - everything is counted (stats()), and failures are logged, rate limited per kind (never a header or
//     a body: keys stay out of logs).
//
//   elaborator::http::AsyncClient client({.max_in_flight = 4, .timeout = std::chrono::seconds(5)});
//   client.submit({url, {"Content-Type: application/json", "X-Api-Key: " + key}, body},
//                 [](elaborator::http::Response answer) { if (answer.ok()) use(answer.body); });
//
// Destroying the client abandons what is still in flight: those callbacks are never called. Call
// wait_idle() first to let them finish.

#include "../clock.hpp"
#include "../detail/curl.hpp"
#include "../detail/log.hpp"
#include "../error.hpp"
#include "../stats.hpp"

#include <curl/curl.h>
#include <fmt/core.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <stop_token>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace elaborator::http {

struct Request {
  std::string url;
  std::vector<std::string> headers;  // "Name: value". Keys belong here, never in the URL, which error
                                     // messages may show.
  std::string body;                  // POSTed as it is
};

enum class Outcome { ok, http_error, timeout, connection_failed, too_large, failed };

inline std::string_view to_string(Outcome outcome) {
  switch (outcome) {
    case Outcome::ok: return "ok";
    case Outcome::http_error: return "http error";
    case Outcome::timeout: return "timeout";
    case Outcome::connection_failed: return "connection failed";
    case Outcome::too_large: return "answer too large";
    case Outcome::failed: return "failed";
  }
  return "?";
}

struct Response {
  Outcome outcome = Outcome::failed;
  long status = 0;    // HTTP status of the last attempt; 0 when none came
  std::string body;   // the answer (up to max_response_bytes); empty when it was too large
  std::string error;  // what went wrong, for a log line; it never contains the request's headers
  int attempts = 0;
  [[nodiscard]] bool ok() const { return outcome == Outcome::ok; }
};

struct ClientSettings {
  std::string name = "http";                        // names the client in log lines
  std::size_t max_in_flight = 4;                    // requests out at once, retries included
  std::chrono::milliseconds timeout{5000};          // per attempt, whole transfer
  std::chrono::milliseconds connect_timeout{2000};  // per attempt
  int max_retries = 2;                              // after the first attempt, on 429 and 5xx only
  std::chrono::milliseconds first_backoff{250};     // doubled at each retry
  std::chrono::milliseconds max_backoff{8000};      // the longest wait before a retry, Retry-After included
  std::size_t max_response_bytes = 1 << 20;

  void validate() const {
    if (max_in_flight == 0) throw Error("http: max_in_flight must be at least 1");
    if (timeout.count() <= 0 || connect_timeout.count() <= 0) throw Error("http: timeouts must be positive");
    if (max_retries < 0) throw Error("http: max_retries must not be negative");
    if (first_backoff.count() <= 0 || max_backoff < first_backoff) {
      throw Error("http: backoff must be positive, and max_backoff at least first_backoff");
    }
    if (max_response_bytes == 0) throw Error("http: max_response_bytes must be at least 1");
  }
};

struct ClientStats {
  std::uint64_t submitted = 0;          // accepted by submit()
  std::uint64_t dropped = 0;            // refused by submit(): max_in_flight requests were out
  std::uint64_t throttled = 0;          // refused by submit(): the service had asked to wait (Retry-After)
  std::uint64_t succeeded = 0;          // answered 2xx
  std::uint64_t failed = 0;             // every other end, one of the five below
  std::uint64_t http_errors = 0;        //   a status other than 2xx (after the retries, for 429 and 5xx)
  std::uint64_t timeouts = 0;           //   no whole answer within the timeout
  std::uint64_t connection_errors = 0;  //   refused, unreachable, name not resolved
  std::uint64_t too_large = 0;          //   answer over max_response_bytes
  std::uint64_t other_errors = 0;       //   anything else libcurl reports (a bad URL, TLS, ...)
  std::uint64_t retries = 0;            // attempts after the first
  std::uint64_t callback_errors = 0;    // callbacks that threw (caught: the client goes on)
  std::size_t in_flight = 0;            // accepted and not yet called back
};

// The counters worth a place in an elaboration's statistics line.
inline std::vector<NamedCount> to_counts(const ClientStats& s) {
  return {{"requests", s.submitted},        {"answered", s.succeeded}, {"failed", s.failed},
          {"timeouts", s.timeouts},         {"retries", s.retries},    {"dropped (in flight)", s.dropped},
          {"dropped (Retry-After)", s.throttled}, {"in flight", s.in_flight}};
}

class AsyncClient {
 public:
  using Callback = std::function<void(Response)>;

  explicit AsyncClient(ClientSettings settings = {}) : settings_(settings) {
    settings_.validate();
    detail::ensure_curl();
    multi_.reset(curl_multi_init());
    if (!multi_) throw Error("http: libcurl cannot create a multi handle");
    worker_ = std::jthread([this](const std::stop_token& stop) { run(stop); });
  }

  ~AsyncClient() {
    worker_.request_stop();
    curl_multi_wakeup(multi_.get());
    worker_.join();
    for (const auto& transfer : transfers_) {
      if (!transfer->waiting) curl_multi_remove_handle(multi_.get(), transfer->easy.get());
    }
  }

  AsyncClient(const AsyncClient&) = delete;
  AsyncClient& operator=(const AsyncClient&) = delete;

  // Queues a request; `done` is called once with its outcome, on the client's thread. Returns false, without
  // calling `done`, when the request is dropped (counted): max_in_flight requests are out, or the service
  // has asked to wait. Never waits for the network.
  bool submit(Request request, Callback done) {
    {
      const std::lock_guard lock(mutex_);
      if (Clock::now() < not_before_) {
        ++stats_.throttled;
        return false;
      }
      if (stats_.in_flight >= settings_.max_in_flight) {
        ++stats_.dropped;
        return false;
      }
      ++stats_.in_flight;
      ++stats_.submitted;
      incoming_.push_back(std::make_unique<Transfer>(std::move(request), std::move(done)));
    }
    curl_multi_wakeup(multi_.get());
    return true;
  }

  // Waits until every accepted request has been called back; false if some are still out after `timeout`.
  bool wait_idle(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    return idle_.wait_for(lock, timeout, [this] { return stats_.in_flight == 0; });
  }

  [[nodiscard]] ClientStats stats() const {
    const std::lock_guard lock(mutex_);
    return stats_;
  }

  [[nodiscard]] const ClientSettings& settings() const { return settings_; }

 private:
  static constexpr auto idle_poll = std::chrono::milliseconds(1000);  // submit() and stop wake it sooner

  struct Transfer {
    Transfer(Request r, Callback c) : request(std::move(r)), callback(std::move(c)) {}
    Request request;
    Callback callback;
    detail::CurlEasyPtr easy;
    detail::CurlSlistPtr headers;
    std::string received;
    std::size_t limit = 0;  // of `received`
    bool too_large = false;
    bool waiting = false;  // for a retry, out of the multi handle
    TimePoint due;
    int attempts = 0;
    char error[CURL_ERROR_SIZE] = {};
  };

  // --- the client's thread ---

  void run(const std::stop_token& stop) {
    while (!stop.stop_requested()) {
      start_incoming();
      start_due_retries();
      int running = 0;
      curl_multi_perform(multi_.get(), &running);
      finish_completed();
      curl_multi_poll(multi_.get(), nullptr, 0, poll_timeout_ms(), nullptr);
    }
  }

  void start_incoming() {
    std::vector<std::unique_ptr<Transfer>> arrived;
    {
      const std::lock_guard lock(mutex_);
      arrived.swap(incoming_);
    }
    for (auto& transfer : arrived) {
      Transfer& t = *transfer;
      transfers_.push_back(std::move(transfer));
      if (prepare(t)) {
        start_attempt(t);
      } else {
        complete(t, failure(t, Outcome::failed, "libcurl cannot create a request"));
      }
    }
  }

  void start_due_retries() {
    const TimePoint now = Clock::now();
    for (const auto& transfer : transfers_) {
      if (transfer->waiting && transfer->due <= now) start_attempt(*transfer);
    }
  }

  int poll_timeout_ms() const {
    auto timeout = std::chrono::duration_cast<std::chrono::milliseconds>(idle_poll);
    const TimePoint now = Clock::now();
    for (const auto& transfer : transfers_) {
      if (!transfer->waiting) continue;
      timeout = std::min(timeout, std::chrono::duration_cast<std::chrono::milliseconds>(transfer->due - now) +
                                      std::chrono::milliseconds(1));
    }
    return static_cast<int>(std::max<std::chrono::milliseconds::rep>(timeout.count(), 0));
  }

  bool prepare(Transfer& t) {
    t.easy.reset(curl_easy_init());
    if (!t.easy) return false;
    t.limit = settings_.max_response_bytes;
    // An empty "Expect:" stops libcurl from waiting for a 100 Continue before a large body.
    for (const std::string& header : t.request.headers) append_header(t, header.c_str());
    append_header(t, "Expect:");
    CURL* easy = t.easy.get();
    curl_easy_setopt(easy, CURLOPT_URL, t.request.url.c_str());
    curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, t.headers.get());
    curl_easy_setopt(easy, CURLOPT_POST, 1L);
    curl_easy_setopt(easy, CURLOPT_POSTFIELDS, t.request.body.data());
    curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(t.request.body.size()));
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(settings_.timeout.count()));
    curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(settings_.connect_timeout.count()));
    curl_easy_setopt(easy, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(settings_.max_response_bytes));
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &AsyncClient::on_data);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, static_cast<void*>(&t));
    curl_easy_setopt(easy, CURLOPT_PRIVATE, static_cast<void*>(&t));
    curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, t.error);
    return true;
  }

  static void append_header(Transfer& t, const char* header) {
    curl_slist* list = curl_slist_append(t.headers.get(), header);
    if (list == nullptr) return;  // out of memory: the request goes without it, and fails at the service
    static_cast<void>(t.headers.release());
    t.headers.reset(list);
  }

  void start_attempt(Transfer& t) {
    t.received.clear();
    t.too_large = false;
    t.error[0] = '\0';
    t.waiting = false;
    ++t.attempts;
    if (t.attempts > 1) {
      const std::lock_guard lock(mutex_);
      ++stats_.retries;
    }
    if (curl_multi_add_handle(multi_.get(), t.easy.get()) != CURLM_OK) {
      complete(t, failure(t, Outcome::failed, "libcurl refused the request"));
    }
  }

  static std::size_t on_data(char* data, std::size_t size, std::size_t count, void* self) {
    auto& t = *static_cast<Transfer*>(self);
    const std::size_t bytes = size * count;
    if (t.received.size() + bytes > t.limit) {
      t.too_large = true;
      return 0;  // libcurl aborts the transfer
    }
    t.received.append(data, bytes);
    return bytes;
  }

  void finish_completed() {
    int left = 0;
    while (CURLMsg* message = curl_multi_info_read(multi_.get(), &left)) {
      if (message->msg != CURLMSG_DONE) continue;
      CURL* easy = message->easy_handle;
      const CURLcode result = message->data.result;  // the message dies with remove_handle
      char* self = nullptr;
      curl_easy_getinfo(easy, CURLINFO_PRIVATE, &self);
      curl_multi_remove_handle(multi_.get(), easy);
      finish_attempt(*reinterpret_cast<Transfer*>(self), result);
    }
  }

  void finish_attempt(Transfer& t, CURLcode result) {
    long status = 0;
    curl_easy_getinfo(t.easy.get(), CURLINFO_RESPONSE_CODE, &status);
    if (result == CURLE_OK && retryable(status)) {
      const std::chrono::milliseconds asked = retry_after(t);
      if (asked.count() > 0) hold_off(asked);
      if (t.attempts <= settings_.max_retries && asked <= settings_.max_backoff) {
        t.waiting = true;
        t.due = Clock::now() + std::max(backoff(t.attempts), asked);
        return;
      }
      Response response = answer(t, status);
      response.error = asked > settings_.max_backoff
                           ? fmt::format("HTTP {}, and Retry-After asks for {} s, longer than the {} ms allowed",
                                         status, asked.count() / 1000, settings_.max_backoff.count())
                           : fmt::format("HTTP {} after {} attempts", status, t.attempts);
      complete(t, std::move(response));
      return;
    }
    complete(t, outcome_of(t, result, status));
  }

  static bool retryable(long status) { return status == 429 || (status >= 500 && status <= 599); }

  std::chrono::milliseconds backoff(int attempts) const {
    auto delay = settings_.first_backoff;
    for (int i = 1; i < attempts && delay < settings_.max_backoff; ++i) delay *= 2;
    return std::min(delay, settings_.max_backoff);
  }

  // libcurl parses both forms of Retry-After (seconds, or an HTTP date) into seconds.
  static std::chrono::milliseconds retry_after(const Transfer& t) {
    curl_off_t seconds = 0;
    if (curl_easy_getinfo(t.easy.get(), CURLINFO_RETRY_AFTER, &seconds) != CURLE_OK || seconds < 0) seconds = 0;
    return std::chrono::seconds(seconds);
  }

  // The service asked every client to wait: new requests are dropped until then.
  void hold_off(std::chrono::milliseconds wait) {
    const std::lock_guard lock(mutex_);
    not_before_ = std::max(not_before_, Clock::now() + wait);
  }

  static Response answer(Transfer& t, long status) {
    Response response;
    response.status = status;
    response.attempts = t.attempts;
    response.body = std::move(t.received);
    response.outcome = status >= 200 && status <= 299 ? Outcome::ok : Outcome::http_error;
    if (response.outcome != Outcome::ok) response.error = fmt::format("HTTP {}", status);
    return response;
  }

  static Response failure(const Transfer& t, Outcome outcome, std::string error) {
    Response response;
    response.outcome = outcome;
    response.attempts = t.attempts;
    response.error = std::move(error);
    return response;
  }

  Response outcome_of(Transfer& t, CURLcode result, long status) const {
    if (result == CURLE_OK) return answer(t, status);
    const std::string detail = t.error[0] != '\0' ? t.error : curl_easy_strerror(result);
    if (t.too_large || result == CURLE_FILESIZE_EXCEEDED) {
      return failure(t, Outcome::too_large, fmt::format("answer larger than {} bytes", settings_.max_response_bytes));
    }
    if (result == CURLE_OPERATION_TIMEDOUT) {
      return failure(t, Outcome::timeout, fmt::format("no whole answer within {} ms ({})", settings_.timeout.count(), detail));
    }
    if (result == CURLE_COULDNT_CONNECT || result == CURLE_COULDNT_RESOLVE_HOST || result == CURLE_COULDNT_RESOLVE_PROXY) {
      return failure(t, Outcome::connection_failed, detail);
    }
    return failure(t, Outcome::failed, detail);
  }

  void count(const Response& response) {
    if (!response.ok()) {
      failures_[static_cast<std::size_t>(response.outcome)]("{}: {}: {}", settings_.name, to_string(response.outcome),
                                                           response.error);
    }
    const std::lock_guard lock(mutex_);
    switch (response.outcome) {
      case Outcome::ok: ++stats_.succeeded; return;
      case Outcome::http_error: ++stats_.http_errors; break;
      case Outcome::timeout: ++stats_.timeouts; break;
      case Outcome::connection_failed: ++stats_.connection_errors; break;
      case Outcome::too_large: ++stats_.too_large; break;
      case Outcome::failed: ++stats_.other_errors; break;
    }
    ++stats_.failed;
  }

  // Ends a transfer: counts it, forgets it, calls back, and only then frees its place in flight, so that
  // wait_idle() also waits for the callbacks.
  void complete(Transfer& t, Response response) {
    count(response);
    const auto it = std::find_if(transfers_.begin(), transfers_.end(), [&t](const auto& p) { return p.get() == &t; });
    const std::unique_ptr<Transfer> finished = std::move(*it);
    transfers_.erase(it);
    try {
      finished->callback(std::move(response));
    } catch (...) {
      const std::lock_guard lock(mutex_);
      ++stats_.callback_errors;
    }
    {
      const std::lock_guard lock(mutex_);
      --stats_.in_flight;
    }
    idle_.notify_all();
  }

  ClientSettings settings_;
  std::unique_ptr<CURLM, decltype(&curl_multi_cleanup)> multi_{nullptr, &curl_multi_cleanup};
  std::vector<std::unique_ptr<Transfer>> transfers_;  // the client thread's own: running or waiting to retry
  std::array<detail::RateLimitedLog, 6> failures_;    // one per Outcome

  mutable std::mutex mutex_;
  std::condition_variable idle_;
  std::vector<std::unique_ptr<Transfer>> incoming_;  // submitted, not yet seen by the client's thread
  ClientStats stats_;
  TimePoint not_before_{};

  std::jthread worker_;  // last: it stops before the members it uses go away
};

}  // namespace elaborator::http
