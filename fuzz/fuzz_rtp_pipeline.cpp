// Fuzz target: the receiving pipeline the library builds (jitter buffer, depayloader, decoder, conversion)
// fed with packets from the input through an appsrc instead of udpsrc, and every decoded picture mapped and
// converted the way classify() sees it. Input: a codec byte, then packets, each prefixed by its 16-bit
// big-endian length. Slow per input (a whole pipeline), so it finds what cheap targets cannot: pictures of
// odd sizes, resolution changes, decoder output the mapping code must survive.
#include <elaborator/detail/gst.hpp>
#include <elaborator/detail/mapped_sample.hpp>
#include <elaborator/detail/pipeline_description.hpp>

#include <gst/app/gstappsink.h>
#include <gst/app/gstappsrc.h>

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace {

using elaborator::detail::GstPtr;

// Pushes the input's packets, 10 ms apart, then the end of the stream.
void push_packets(GstAppSrc* source, const std::uint8_t* data, std::size_t size) {
  std::size_t offset = 0;
  for (GstClockTime time = 0; offset + 2 <= size; time += 10 * GST_MSECOND) {
    const std::size_t length = std::min<std::size_t>((std::size_t{data[offset]} << 8) | data[offset + 1], size - offset - 2);
    offset += 2;
    GstBuffer* buffer = gst_buffer_new_allocate(nullptr, length, nullptr);
    gst_buffer_fill(buffer, 0, data + offset, length);
    GST_BUFFER_DTS(buffer) = time;
    GST_BUFFER_PTS(buffer) = time;
    if (gst_app_src_push_buffer(source, buffer) != GST_FLOW_OK) break;
    offset += length;
  }
  gst_app_src_end_of_stream(source);
}

// Pulls every picture until the end of the stream or an error, and uses it as classify() would.
void pull_pictures(GstElement* pipeline, GstAppSink* sink) {
  const GstPtr<GstBus> bus(gst_element_get_bus(pipeline));
  GstVideoInfo info;
  for (int idle = 0; idle < 20;) {
    const elaborator::detail::SamplePtr sample(gst_app_sink_try_pull_sample(sink, 50 * GST_MSECOND));
    if (!sample) {
      const elaborator::detail::MessagePtr done(
          gst_bus_pop_filtered(bus.get(), static_cast<GstMessageType>(GST_MESSAGE_EOS | GST_MESSAGE_ERROR)));
      if (done) return;
      ++idle;
      continue;
    }
    GstCaps* caps = gst_sample_get_caps(sample.get());
    if (caps == nullptr || gst_video_info_from_caps(&info, caps) == FALSE) continue;
    auto mapped = std::make_shared<elaborator::detail::MappedSample>(elaborator::detail::SamplePtr(gst_sample_ref(sample.get())), info);
    if (!mapped->mapped()) continue;
    const elaborator::detail::Picture picture({}, mapped->planes(), mapped);
    if (picture.gray().empty() || picture.bgr().size() != picture.gray().size()) __builtin_trap();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1 || size > 200000) return -1;
  elaborator::detail::ensure_gstreamer();
  elaborator::RtpSource source;
  source.codec = static_cast<elaborator::Codec>(data[0] % 3);
  source.jitter_latency = std::chrono::milliseconds(0);
  const std::string description = fmt::format("appsrc name=fuzz format=time caps={} ! {}",
                                              elaborator::detail::rtp_caps(source),
                                              elaborator::detail::rtp_decode_chain(source));
  GError* error = nullptr;
  const GstPtr<GstElement> pipeline(gst_parse_launch(description.c_str(), &error));
  if (error != nullptr || !pipeline) __builtin_trap();  // the library's own description must always parse
  const GstPtr<GstElement> appsrc(gst_bin_get_by_name(GST_BIN(pipeline.get()), "fuzz"));
  const GstPtr<GstElement> appsink(gst_bin_get_by_name(GST_BIN(pipeline.get()), elaborator::detail::appsink_name));
  g_object_set(appsink.get(), "sync", FALSE, nullptr);
  gst_element_set_state(pipeline.get(), GST_STATE_PLAYING);
  push_packets(GST_APP_SRC(appsrc.get()), data + 1, size - 1);
  pull_pictures(pipeline.get(), GST_APP_SINK(appsink.get()));
  gst_element_set_state(pipeline.get(), GST_STATE_NULL);
  return 0;
}
