#pragma once
// Small RAII helpers over libcurl's C API.

#include "../error.hpp"

#include <curl/curl.h>

#include <memory>

namespace elaborator::detail {

// curl_global_init once per process, before the first handle, from whichever thread gets here first.
inline void ensure_curl() {
  static const bool initialised = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
  if (!initialised) throw Error("http: libcurl failed to initialise");
}

struct CurlEasyCleanup {
  void operator()(CURL* easy) const { curl_easy_cleanup(easy); }
};
struct CurlSlistFree {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

using CurlEasyPtr = std::unique_ptr<CURL, CurlEasyCleanup>;
using CurlSlistPtr = std::unique_ptr<curl_slist, CurlSlistFree>;

}  // namespace elaborator::detail
