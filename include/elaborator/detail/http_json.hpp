#pragma once
// Blocking JSON over HTTP with libcurl, for control-plane calls (setting up Janus), never for the frame loop.

#include "../error.hpp"
#include "curl.hpp"

#include <curl/curl.h>
#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <memory>
#include <string>

namespace elaborator::detail {

struct HttpResponse {
  long status = 0;
  std::string body;
};

// POSTs `body` (or GETs, when it is null) and returns the answer. Throws elaborator::Error when nothing
// answers (refused, unresolvable, timed out), with curl's reason.
inline HttpResponse http_json(const std::string& url, const nlohmann::json& body, std::chrono::milliseconds timeout) {
  ensure_curl();
  const CurlEasyPtr curl(curl_easy_init());
  if (!curl) throw Error("cannot initialise libcurl");
  HttpResponse response;
  const std::string payload = body.is_null() ? std::string() : body.dump();
  const CurlSlistPtr headers(curl_slist_append(nullptr, "Content-Type: application/json"));
  char error[CURL_ERROR_SIZE] = {};
  curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl.get(), CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(curl.get(), CURLOPT_HTTPHEADER, headers.get());
  if (!body.is_null()) curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDS, payload.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &response.body);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, +[](char* data, size_t size, size_t count, void* out) {
    static_cast<std::string*>(out)->append(data, size * count);
    return size * count;
  });
  if (const CURLcode rc = curl_easy_perform(curl.get()); rc != CURLE_OK) {
    throw Error(fmt::format("{}: {}", url, error[0] != '\0' ? error : curl_easy_strerror(rc)));
  }
  curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &response.status);
  return response;
}

}  // namespace elaborator::detail
