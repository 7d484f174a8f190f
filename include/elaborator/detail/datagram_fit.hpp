#pragma once
// Fitting a result message into one datagram. A message larger than the limit is never fragmented or cut:
// it is sent with only its most confident detections that fit, and says so in a "truncated" field
// ({"detections_total": N, "detections_sent": K}). If not even zero detections fit, nothing is sent.

#include "../result.hpp"

#include <algorithm>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace elaborator::detail {

inline double confidence_of(const nlohmann::json& detection) {
  const auto it = detection.find("confidence");
  return it != detection.end() && it->is_number() ? it->get<double>() : 0.0;
}

// The message with its `count` most confident detections (in their original order) and a "truncated" field.
inline std::string with_best_detections(const nlohmann::json& body, const std::vector<std::size_t>& by_confidence,
                                        std::size_t count) {
  std::vector<std::size_t> kept(by_confidence.begin(), by_confidence.begin() + static_cast<std::ptrdiff_t>(count));
  std::sort(kept.begin(), kept.end());
  nlohmann::json reduced = body;
  nlohmann::json& detections = reduced["detections"];
  nlohmann::json subset = nlohmann::json::array();
  for (const std::size_t i : kept) subset.push_back(body["detections"][i]);
  detections = std::move(subset);
  reduced["truncated"] = {{"detections_total", by_confidence.size()}, {"detections_sent", count}};
  return Message::serialise(reduced);
}

// The largest version of the message that fits in `max_bytes`, or nothing.
inline std::optional<std::string> fit_datagram(const Message& message, std::size_t max_bytes) {
  if (message.text().size() <= max_bytes) return message.text();
  const nlohmann::json& body = message.body();
  const auto detections = body.find("detections");
  if (detections == body.end() || !detections->is_array()) return std::nullopt;
  std::vector<std::size_t> by_confidence(detections->size());
  for (std::size_t i = 0; i < by_confidence.size(); ++i) by_confidence[i] = i;
  std::stable_sort(by_confidence.begin(), by_confidence.end(), [&](std::size_t a, std::size_t b) {
    return confidence_of((*detections)[a]) > confidence_of((*detections)[b]);
  });
  // Binary search for the most detections that fit: size grows with the count.
  std::size_t low = 0;
  std::size_t high = by_confidence.size();  // the full message is known not to fit
  std::optional<std::string> best;
  while (low < high) {
    const std::size_t mid = low + (high - low) / 2;
    std::string candidate = with_best_detections(body, by_confidence, mid);
    if (candidate.size() <= max_bytes) {
      best = std::move(candidate);
      low = mid + 1;
    } else {
      high = mid;
    }
  }
  return best;
}

}  // namespace elaborator::detail
