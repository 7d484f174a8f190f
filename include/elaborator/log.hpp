#pragma once
// Diagnostics for programs built on the library, in the library's own form: one line each on stderr,
// prefixed "elaborator: ", and RateLimitedLog for failures that may repeat at frame rate (it logs the 1st,
// 10th, 100th, ... occurrence with its count).
//
//   elaborator::log("trained {} on {} faces", path, count);
//   elaborator::RateLimitedLog bad_answers_;  bad_answers_("service: {}", reason);

#include "detail/log.hpp"

namespace elaborator {

using detail::log;
using detail::RateLimitedLog;

}  // namespace elaborator
