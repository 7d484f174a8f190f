#pragma once
// Where the control API's token comes from (--control-token-file, else ELABORATOR_CONTROL_TOKEN). Internal:
// program.hpp's run_until_stopped() is the one that asks.

#include "../cli.hpp"
#include "../http/secret.hpp"

#include <cstdlib>
#include <optional>

namespace elaborator::detail {

// The control API's token: from --control-token-file, else from ELABORATOR_CONTROL_TOKEN, else none.
inline std::optional<http::Secret> control_token(const cli::Arguments& args) {
  if (!args.control_token_file.empty()) return http::Secret::from_file(args.control_token_file);
  if (const char* token = std::getenv("ELABORATOR_CONTROL_TOKEN"); token != nullptr && *token != '\0') {
    return http::Secret::from_environment("ELABORATOR_CONTROL_TOKEN");
  }
  return std::nullopt;
}

}  // namespace elaborator::detail
