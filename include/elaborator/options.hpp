#pragma once
// How one elaboration runs: its name in results, which frames it classifies, where results go, how it reports.

#include "sampling.hpp"
#include "sink.hpp"
#include "tracking.hpp"

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace elaborator {

struct ElaborationOptions {
  std::string name = "elaboration";               // tags every result message ("elaboration" field)
  std::string kind;                               // the kind it was made as (kinds.hpp), for the statistics
  SamplingPolicy sampling;                        // default: every frame, newest only
  TrackingPolicy tracking;                        // default: off
  std::vector<std::shared_ptr<Sink>> sinks;       // every result goes to all of them
  std::chrono::milliseconds report_interval{5000};  // one line of statistics on stderr this often; 0: never
  bool summary_at_stop = true;                    // a summary on stderr when stop() ends the elaboration
};

}  // namespace elaborator
