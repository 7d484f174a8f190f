// The asynchronous HTTP client against a real HTTP server in the test's process (cpp-httplib): answers,
// 5xx and 429 with retries and Retry-After, hangs past the timeout, huge answers, refused connections, the
// bound on requests in flight. And API keys, which must never show up where they could be read.

#include "support/http_server.hpp"
#include "support/temp_dir.hpp"
#include "support/wait.hpp"

#include <elaborator/http/async_client.hpp>
#include <elaborator/http/secret.hpp>

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <future>
#include <mutex>
#include <optional>
#include <sys/stat.h>
#include <thread>

using namespace std::chrono_literals;
using elaborator::http::AsyncClient;
using elaborator::http::ClientSettings;
using elaborator::http::Outcome;
using elaborator::http::Response;
using test_support::HttpServer;

namespace {

// Collects the one answer to a request.
class Answer {
 public:
  AsyncClient::Callback callback() {
    // Notifies under the lock: once the waiter sees the answer, the callback no longer touches this object,
    // which may then go away.
    return [this](Response response) {
      const std::lock_guard lock(mutex_);
      response_ = std::move(response);
      thread_ = std::this_thread::get_id();
      arrived_.notify_all();
    };
  }

  std::optional<Response> wait(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    arrived_.wait_for(lock, timeout, [this] { return response_.has_value(); });
    return response_;
  }

  [[nodiscard]] bool arrived() {
    const std::lock_guard lock(mutex_);
    return response_.has_value();
  }

  [[nodiscard]] std::thread::id thread() {
    const std::lock_guard lock(mutex_);
    return thread_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable arrived_;
  std::optional<Response> response_;
  std::thread::id thread_;
};

ClientSettings quick_settings() {
  ClientSettings settings;
  settings.timeout = 2s;
  settings.connect_timeout = 1s;
  settings.first_backoff = 100ms;
  settings.max_backoff = 2s;
  return settings;
}

elaborator::http::Request post(const HttpServer& server, std::string body = "{}") {
  return {server.url() + "/annotate", {"Content-Type: application/json", "X-Test: yes"}, std::move(body)};
}

// Answers from a script, one status per request; the last one repeats.
HttpServer::Handler scripted(std::vector<int> statuses, std::string retry_after = "") {
  auto next = std::make_shared<std::atomic<std::size_t>>(0);
  return [statuses = std::move(statuses), retry_after = std::move(retry_after), next](const httplib::Request&,
                                                                                      httplib::Response& response) {
    const std::size_t n = (*next)++;
    response.status = statuses[std::min(n, statuses.size() - 1)];
    if (!retry_after.empty() && response.status == 429) response.set_header("Retry-After", retry_after);
    response.set_content(response.status == 200 ? R"({"ok":true})" : R"({"error":"busy"})", "application/json");
  };
}

// Submits a request and waits for its one answer.
Response ask(AsyncClient& client, elaborator::http::Request request) {
  Answer answer;
  REQUIRE(client.submit(std::move(request), answer.callback()));
  auto response = answer.wait(10s);
  REQUIRE(response);
  return std::move(*response);
}

double seconds_between(const test_support::SeenRequest& a, const test_support::SeenRequest& b) {
  return std::chrono::duration<double>(b.at - a.at).count();
}

}  // namespace

TEST_CASE("a request is answered on the client's own thread with the service's status and body") {
  HttpServer server([](const httplib::Request& request, httplib::Response& response) {
    response.set_content("echo " + request.body, "text/plain");
  });
  AsyncClient client(quick_settings());
  Answer answer;
  REQUIRE(client.submit(post(server, "hello"), answer.callback()));
  const auto response = answer.wait(10s);
  REQUIRE(response);
  CHECK(response->ok());
  CHECK(response->status == 200);
  CHECK(response->body == "echo hello");
  CHECK(response->attempts == 1);
  CHECK(answer.thread() != std::this_thread::get_id());
  const auto seen = server.seen();
  REQUIRE(seen.size() == 1);
  CHECK(seen[0].path == "/annotate");
  CHECK(seen[0].headers.find("X-Test")->second == "yes");
  CHECK(client.wait_idle(5s));
  const auto stats = client.stats();
  CHECK(stats.submitted == 1);
  CHECK(stats.succeeded == 1);
  CHECK(stats.failed == 0);
  CHECK(stats.in_flight == 0);
}

TEST_CASE("5xx answers are retried with exponential backoff until one succeeds") {
  HttpServer server(scripted({503, 500, 200}));
  AsyncClient client(quick_settings());
  const auto response = ask(client, post(server));
  CHECK(response.ok());
  CHECK(response.attempts == 3);
  const auto seen = server.seen();
  REQUIRE(seen.size() == 3);
  CHECK(seconds_between(seen[0], seen[1]) >= 0.1);  // first_backoff
  CHECK(seconds_between(seen[1], seen[2]) >= 0.2);  // doubled
  CHECK(client.stats().retries == 2);
  CHECK(client.stats().succeeded == 1);
}

TEST_CASE("a 5xx that persists fails after the retries, as an HTTP error with the last status") {
  HttpServer server(scripted({500}));
  ClientSettings settings = quick_settings();
  settings.max_retries = 2;
  AsyncClient client(settings);
  const auto response = ask(client, post(server));
  CHECK(response.outcome == Outcome::http_error);
  CHECK(response.status == 500);
  CHECK(response.attempts == 3);
  CHECK(response.body == R"({"error":"busy"})");
  CHECK(server.seen_count() == 3);
  CHECK(client.stats().http_errors == 1);
  CHECK(client.stats().failed == 1);
}

TEST_CASE("4xx answers other than 429 are not retried") {
  HttpServer server(scripted({403}));
  AsyncClient client(quick_settings());
  const auto response = ask(client, post(server));
  CHECK(response.outcome == Outcome::http_error);
  CHECK(response.status == 403);
  CHECK(response.attempts == 1);
  CHECK(server.seen_count() == 1);
}

TEST_CASE("a 429 with Retry-After is retried no sooner than it asks, and new requests are dropped meanwhile") {
  HttpServer server(scripted({429, 200}, "2"));
  ClientSettings settings = quick_settings();
  settings.max_in_flight = 1;  // the first request holds it until its retry is answered
  AsyncClient client(settings);
  Answer first;
  REQUIRE(client.submit(post(server), first.callback()));
  // Until the 429 reaches the client a new request is dropped as one too many in flight, then as one the
  // service asked to wait for: either way it never reaches the service. Wait for the second, well inside
  // the 2 s the service asked for.
  Answer during_pause;
  CHECK(test_support::wait_until(
      [&] { return !client.submit(post(server), during_pause.callback()) && client.stats().throttled > 0; }, 1500ms));
  CHECK(client.stats().throttled == 1);

  const auto response = first.wait(10s);
  REQUIRE(response);
  CHECK(response->ok());
  CHECK(response->attempts == 2);
  const auto seen = server.seen();
  REQUIRE(seen.size() == 2);
  CHECK(seconds_between(seen[0], seen[1]) >= 2.0);
  REQUIRE(client.wait_idle(10s));  // the first request no longer holds the one place in flight
  Answer after_pause;
  CHECK(client.submit(post(server), after_pause.callback()));
  CHECK(after_pause.wait(10s));
  CHECK_FALSE(during_pause.arrived());
}

TEST_CASE("a Retry-After longer than the longest backoff fails the request at once instead of holding it") {
  HttpServer server(scripted({429}, "3600"));
  ClientSettings settings = quick_settings();
  settings.max_backoff = 8s;  // the default
  AsyncClient client(settings);
  const auto submitted = std::chrono::steady_clock::now();
  const auto response = ask(client, post(server));
  // At once: a few milliseconds over loopback. Held, it would take max_backoff at least: half of it tells
  // the two apart however loaded the machine.
  CHECK(std::chrono::steady_clock::now() - submitted < 4s);
  CHECK(response.outcome == Outcome::http_error);
  CHECK(response.status == 429);
  CHECK(response.attempts == 1);
  CHECK(response.error.find("Retry-After") != std::string::npos);
  CHECK_FALSE(client.submit(post(server), Answer().callback()));  // the service asked for an hour of quiet
  CHECK(client.stats().throttled == 1);
}

TEST_CASE("a service that hangs past the timeout is a timeout, and submit() returns while it still hangs") {
  HttpServer server(scripted({200}), test_support::Hangs::until_released);
  ClientSettings settings = quick_settings();
  settings.timeout = 300ms;
  AsyncClient client(settings);
  Answer answer;
  REQUIRE(client.submit(post(server), answer.callback()));
  CHECK_FALSE(server.released());  // submit() is back, and the service has not answered
  const auto response = answer.wait(10s);
  REQUIRE(response);
  CHECK(response->outcome == Outcome::timeout);
  CHECK(response->status == 0);
  CHECK(response->error.find("300 ms") != std::string::npos);
  CHECK(client.stats().timeouts == 1);
  CHECK(server.seen_count() == 1);  // a timeout is not retried: the frame is stale by then
}

TEST_CASE("with max_in_flight requests out, new ones are dropped and counted, and accepted again once answered") {
  HttpServer server(scripted({200}), test_support::Hangs::until_released);
  ClientSettings settings = quick_settings();
  settings.max_in_flight = 2;
  AsyncClient client(settings);
  Answer first;
  Answer second;
  Answer third;
  REQUIRE(client.submit(post(server), first.callback()));
  REQUIRE(client.submit(post(server), second.callback()));
  CHECK_FALSE(client.submit(post(server), third.callback()));
  CHECK(client.stats().dropped == 1);
  CHECK(client.stats().in_flight == 2);

  server.release();
  CHECK(client.wait_idle(10s));
  CHECK(first.wait(0ms));
  CHECK(second.wait(0ms));
  CHECK_FALSE(third.arrived());
  CHECK(ask(client, post(server)).ok());
  CHECK(client.stats().submitted == 3);
  CHECK(client.stats().succeeded == 3);
}

TEST_CASE("an answer larger than the limit is refused, whether its length is announced or not") {
  const std::string huge(5 << 20, 'x');
  const bool chunked = GENERATE(false, true);
  INFO((chunked ? "chunked" : "with Content-Length"));
  HttpServer server([&huge, chunked](const httplib::Request&, httplib::Response& response) {
    if (!chunked) {
      response.set_content(huge, "application/json");
      return;
    }
    response.set_chunked_content_provider("application/json", [&huge](std::size_t offset, httplib::DataSink& sink) {
      if (offset >= huge.size()) {
        sink.done();
        return true;
      }
      return sink.write(huge.data() + offset, std::min<std::size_t>(64 << 10, huge.size() - offset));
    });
  });
  ClientSettings settings = quick_settings();
  settings.max_response_bytes = 64 << 10;
  AsyncClient client(settings);
  const auto response = ask(client, post(server));
  CHECK(response.outcome == Outcome::too_large);
  CHECK(response.body.empty());
  CHECK(client.stats().too_large == 1);
}

TEST_CASE("a refused connection is a connection error, not retried") {
  const test_support::RefusingPort refusing;
  const std::string url = refusing.url() + "/annotate";

  AsyncClient client(quick_settings());
  const auto response = ask(client, {url, {}, "{}"});
  CHECK(response.outcome == Outcome::connection_failed);
  CHECK(response.attempts == 1);
  CHECK(client.stats().connection_errors == 1);
}

TEST_CASE("a callback that throws is counted, and the client goes on") {
  HttpServer server(scripted({200}));
  AsyncClient client(quick_settings());
  REQUIRE(client.submit(post(server), [](Response) { throw std::runtime_error("bad answer"); }));
  REQUIRE(client.wait_idle(10s));
  CHECK(client.stats().callback_errors == 1);
  CHECK(ask(client, post(server)).ok());
}

TEST_CASE("a client destroyed with requests in flight goes at once and never calls them back") {
  HttpServer server(scripted({200}), test_support::Hangs::until_released);
  Answer answer;
  {
    AsyncClient client(quick_settings());
    REQUIRE(client.submit(post(server), answer.callback()));
    REQUIRE(test_support::wait_until([&] { return server.seen_count() == 1; }, 10s));
  }
  CHECK_FALSE(server.released());  // gone while the service still hung
  server.release();
  CHECK_FALSE(answer.wait(200ms));
}

TEST_CASE("an API key comes from an environment variable or a file, and no error message contains it") {
  const std::string key = "sk-test-0123456789abcdef";
  ::setenv("ELABORATOR_TEST_KEY", (" " + key + "\n").c_str(), 1);
  CHECK(elaborator::http::Secret::from_environment("ELABORATOR_TEST_KEY").reveal() == key);
  ::setenv("ELABORATOR_TEST_KEY", " \t\n", 1);
  CHECK_THROWS_AS(elaborator::http::Secret::from_environment("ELABORATOR_TEST_KEY"), elaborator::Error);  // no empty key
  ::unsetenv("ELABORATOR_TEST_KEY");
  try {
    elaborator::http::Secret::from_environment("ELABORATOR_TEST_KEY");
    FAIL("an unset variable must be an error");
  } catch (const elaborator::Error& e) {
    CHECK(std::string(e.what()).find("ELABORATOR_TEST_KEY") != std::string::npos);
  }

  test_support::TempDir dir;
  {
    std::ofstream(dir.file("key")) << key << "\nsecond line ignored\n";
  }
  ::chmod(dir.file("key").c_str(), 0600);
  CHECK(elaborator::http::Secret::from_file(dir.file("key")).reveal() == key);
  {
    std::ofstream(dir.file("empty")) << "\n" << key << "\n";
  }
  try {
    elaborator::http::Secret::from_file(dir.file("empty"));
    FAIL("a key file starting with an empty line must be an error");
  } catch (const elaborator::Error& e) {
    CHECK(std::string(e.what()).find(key) == std::string::npos);
    CHECK(std::string(e.what()).find("empty line") != std::string::npos);
  }
  CHECK_THROWS_AS(elaborator::http::Secret::from_file(dir.file("missing")), elaborator::Error);
}
