#pragma once
// Small RAII helpers over the GStreamer C API.

#include "../error.hpp"
#include "rtp_header.hpp"

#include <fmt/core.h>
#include <gst/gst.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>

namespace elaborator::detail {

// gst_init once per process, from whichever thread gets here first.
inline void ensure_gstreamer() {
  static std::once_flag once;
  static std::string failure;
  std::call_once(once, [] {
    GError* error = nullptr;
    if (gst_init_check(nullptr, nullptr, &error) == FALSE) {
      failure = error != nullptr ? error->message : "unknown error";
      g_clear_error(&error);
    }
  });
  if (!failure.empty()) throw Error("cannot initialise GStreamer: " + failure);
}

struct GstObjectUnref {
  void operator()(gpointer object) const { gst_object_unref(object); }
};
struct GObjectUnref {
  void operator()(gpointer object) const { g_object_unref(object); }
};
struct GstMessageUnref {
  void operator()(GstMessage* message) const { gst_message_unref(message); }
};
struct GstSampleUnref {
  void operator()(GstSample* sample) const { gst_sample_unref(sample); }
};

template <class T>
using GstPtr = std::unique_ptr<T, GstObjectUnref>;
template <class T>
using GObjectPtr = std::unique_ptr<T, GObjectUnref>;
using MessagePtr = std::unique_ptr<GstMessage, GstMessageUnref>;
using SamplePtr = std::unique_ptr<GstSample, GstSampleUnref>;

// `buffer`, an RTP packet that parse_rtp_header() accepted, with another sequence number: written in place
// when the buffer is its holder's alone (udpsrc's are), otherwise in a copy. Takes the reference given.
inline GstBuffer* with_rtp_sequence(GstBuffer* buffer, std::uint16_t sequence) {
  buffer = gst_buffer_make_writable(buffer);
  GstMapInfo map;
  if (gst_buffer_map(buffer, &map, GST_MAP_WRITE) == TRUE) {
    write_rtp_sequence(std::span<std::uint8_t>(map.data, map.size), sequence);
    gst_buffer_unmap(buffer, &map);
  }
  return buffer;
}

// The text of an ERROR or WARNING message: "element: message (debug details)".
inline std::string describe_message(GstMessage* message) {
  GError* error = nullptr;
  gchar* debug = nullptr;
  if (GST_MESSAGE_TYPE(message) == GST_MESSAGE_ERROR) {
    gst_message_parse_error(message, &error, &debug);
  } else if (GST_MESSAGE_TYPE(message) == GST_MESSAGE_WARNING) {
    gst_message_parse_warning(message, &error, &debug);
  } else {
    return GST_MESSAGE_TYPE_NAME(message);
  }
  std::string text = fmt::format("{}: {}", GST_MESSAGE_SRC_NAME(message), error != nullptr ? error->message : "?");
  if (debug != nullptr) text += fmt::format(" ({})", debug);
  g_clear_error(&error);
  g_free(debug);
  return text;
}

// The first error the pipeline's bus holds, if any, without waiting.
inline std::string pending_error(GstElement* pipeline) {
  const GstPtr<GstBus> bus(gst_element_get_bus(pipeline));
  const MessagePtr message(gst_bus_pop_filtered(bus.get(), GST_MESSAGE_ERROR));
  return message ? describe_message(message.get()) : std::string("no details on the bus");
}

}  // namespace elaborator::detail
