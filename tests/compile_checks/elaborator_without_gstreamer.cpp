// Built with OpenCV, fmt and nlohmann-json but without GStreamer's headers on the include path: the
// elaboration core (the CRTP base, its options, frames, results, sinks) must not need them.
#include <elaborator/elaborator.hpp>
