#pragma once
// The library's version and the version of the result messages it sends.

#include <string_view>

#define ELABORATOR_VERSION_MAJOR 0
#define ELABORATOR_VERSION_MINOR 1
#define ELABORATOR_VERSION_PATCH 0

namespace elaborator {

inline constexpr std::string_view version = "0.1.0";

// Every result message carries this in its "schema" field. The number changes when a field is removed
// or changes meaning; new fields may appear without a change (readers ignore what they don't know).
inline constexpr std::string_view result_schema = "elaborator.result/2";

}  // namespace elaborator
