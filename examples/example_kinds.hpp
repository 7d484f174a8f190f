// Every kind of elaboration the examples have: what the program `elaborator` offers, and what the fuzzers
// of configurations and API requests parse against.
#pragma once

#include "dark_frames.hpp"
#include "emotion_client.hpp"
#include "face_detector.hpp"
#include "face_recognizer.hpp"
#include "object_detector.hpp"
#include "people_counter.hpp"
#include "sound_level.hpp"

inline elaborator::Kinds example_kinds() {
  return {face_detector_kind(), object_detector_kind(), face_recognizer_kind(), emotion_client_kind(), dark_frames_kind(),
          people_counter_kind(), sound_level_kind()};
}
