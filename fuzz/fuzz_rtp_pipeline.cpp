// Fuzz target: the library's receiving chain as rtp_decode_chain() describes it, behind its jitter buffer
// (depayloader, decoder, conversion), fed the input's packets that the stream's check accepts, and every
// decoded picture mapped and converted the way classify() sees it; for the audio codecs, every buffer of PCM
// read as the stream reads it. The input (a codec byte, then
// length-prefixed packets) and the structure-aware mutator that keeps its RTP headers plausible, so that
// mutations reach the payload parsers: rtp_input.hpp.
//
// One pipeline per codec, built once and run again for each input, from READY: that state change starts every
// element afresh (a decoder opens a new codec context), so no input sees what the one before left. The
// packets are pushed from a pad of ours into the depayloader, in the input's order, and the whole chain runs
// on this thread: same input, same pictures, and no thread to wait for. The jitter buffer is left out: with
// the whole input there at once it either waits for missing packets in real time or, held until all are in,
// stalled on inputs whose sequence numbers jump between senders (docs/fuzzing.md); it is GStreamer's, and what
// it would hand the depayloader (packets in order, with gaps and jumps) is what the mutator makes.
#include "rtp_input.hpp"

#include <elaborator/detail/gst.hpp>
#include <elaborator/detail/mapped_sample.hpp>
#include <elaborator/detail/pipeline_description.hpp>
#include <elaborator/detail/rtp_packet_check.hpp>

#include <gst/app/gstappsink.h>

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>

extern "C" std::size_t LLVMFuzzerMutate(std::uint8_t* data, std::size_t size, std::size_t max_size);

namespace {

using elaborator::detail::GstPtr;
using elaborator::detail::SamplePtr;

// The chain runs on the pushing thread, so its end is on the bus when the push returns; this is for a decoder
// that would post it from a thread of its own. Longer than any input takes: one that has not ended by then
// has stalled.
constexpr GstClockTime longest_run = 10 * GST_SECOND;

const elaborator::RtpSource stream_defaults;
constexpr std::size_t codecs = 6;  // elaborator::Codec's: VP8, VP9, H.264, Opus, PCMU, PCMA

// Said at exit: libFuzzer sees coverage of our code only, not of the depayloaders and decoders, so this is the
// one sign that the inputs it ran still held video the decoders took.
struct Counts {
  std::atomic<std::uint64_t> inputs{0};
  std::atomic<std::uint64_t> pictures{0};
  std::atomic<std::uint64_t> audio_buffers{0};
  ~Counts() {
    std::fprintf(stderr, "fuzz_rtp_pipeline: %llu inputs gave %llu pictures and %llu buffers of audio\n",
                 static_cast<unsigned long long>(inputs.load()), static_cast<unsigned long long>(pictures.load()),
                 static_cast<unsigned long long>(audio_buffers.load()));
  }
} counts;

// A decoded picture, mapped and converted as classify() sees it; on the streaming thread that decoded it.
GstFlowReturn use_picture(GstAppSink* sink, gpointer) {
  SamplePtr sample(gst_app_sink_pull_sample(sink));
  GstCaps* caps = sample ? gst_sample_get_caps(sample.get()) : nullptr;
  GstVideoInfo info;
  if (caps == nullptr || gst_video_info_from_caps(&info, caps) == FALSE) return GST_FLOW_OK;
  auto mapped = std::make_shared<elaborator::detail::MappedSample>(std::move(sample), info);
  if (!mapped->mapped()) return GST_FLOW_OK;
  const elaborator::detail::Picture picture({}, mapped->planes(), mapped);
  if (picture.gray().empty() || picture.bgr().size() != picture.gray().size()) __builtin_trap();
  ++counts.pictures;
  return GST_FLOW_OK;
}

// A decoded buffer of audio, read as the stream reads it: whole 16-bit samples of every channel.
GstFlowReturn use_audio(GstAppSink* sink, gpointer) {
  SamplePtr sample(gst_app_sink_pull_sample(sink));
  GstBuffer* buffer = sample ? gst_sample_get_buffer(sample.get()) : nullptr;
  GstMapInfo map;
  if (buffer == nullptr || gst_buffer_map(buffer, &map, GST_MAP_READ) == FALSE) return GST_FLOW_OK;
  const std::size_t frame_bytes = sizeof(std::int16_t) * static_cast<std::size_t>(stream_defaults.audio.channels);
  const bool whole = map.size % frame_bytes == 0;
  gst_buffer_unmap(buffer, &map);
  if (!whole) __builtin_trap();
  ++counts.audio_buffers;
  return GST_FLOW_OK;
}

class DecodeChain {
 public:
  explicit DecodeChain(elaborator::Codec codec) : codec_(codec) {
    elaborator::RtpSource source = stream_defaults;
    source.codec = codec;
    GError* error = nullptr;
    pipeline_.reset(gst_parse_launch(elaborator::detail::rtp_decode_chain(source).c_str(), &error));
    if (error != nullptr || !pipeline_) __builtin_trap();  // the library's own description must always parse
    const GstPtr<GstElement> appsink(gst_bin_get_by_name(GST_BIN(pipeline_.get()), elaborator::detail::appsink_name));
    // async=false: the library's pipelines are live (udpsrc), so their appsink never waits to preroll; this
    // one, fed from our pad, would wait on this very thread, forever after an error.
    g_object_set(appsink.get(), "sync", FALSE, "async", FALSE, nullptr);
    GstAppSinkCallbacks callbacks{};
    callbacks.new_sample = elaborator::media_of(codec) == elaborator::Media::audio ? &use_audio : &use_picture;
    gst_app_sink_set_callbacks(GST_APP_SINK(appsink.get()), &callbacks, nullptr, nullptr);
    caps_.reset(gst_caps_from_string(elaborator::detail::rtp_caps(source).c_str()));
    input_.reset(GST_PAD(gst_object_ref_sink(gst_pad_new("fuzz_input", GST_PAD_SRC))));
    if (gst_pad_link(input_.get(), depayloader_sink().get()) != GST_PAD_LINK_OK) __builtin_trap();
    gst_element_set_state(pipeline_.get(), GST_STATE_READY);
  }

  ~DecodeChain() { gst_element_set_state(pipeline_.get(), GST_STATE_NULL); }
  DecodeChain(const DecodeChain&) = delete;
  DecodeChain& operator=(const DecodeChain&) = delete;

  void decode(const std::vector<fuzz::Packet>& packets) {
    if (gst_element_set_state(pipeline_.get(), GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) __builtin_trap();
    push(packets);
    const GstPtr<GstBus> bus(gst_element_get_bus(pipeline_.get()));
    constexpr auto ends = static_cast<GstMessageType>(GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
    const elaborator::detail::MessagePtr end(gst_bus_timed_pop_filtered(bus.get(), longest_run, ends));
    if (!end) {
      std::fprintf(stderr, "fuzz_rtp_pipeline: the pipeline neither ended nor failed in %llu s\n",
                   static_cast<unsigned long long>(longest_run / GST_SECOND));
      __builtin_trap();
    }
    gst_element_set_state(pipeline_.get(), GST_STATE_READY);
    // An ERROR may come with an EOS after it: the next input must not take that for its own end.
    gst_bus_set_flushing(bus.get(), TRUE);
    gst_bus_set_flushing(bus.get(), FALSE);
  }

 private:
  // The depayloader's input, once the jitter buffer before it is taken out (the header says why).
  GstPtr<GstPad> depayloader_sink() {
    const GstPtr<GstPad> jitter_buffer_sink(gst_bin_find_unlinked_pad(GST_BIN(pipeline_.get()), GST_PAD_SINK));
    const GstPtr<GstElement> jitter_buffer(gst_pad_get_parent_element(jitter_buffer_sink.get()));
    gst_bin_remove(GST_BIN(pipeline_.get()), jitter_buffer.get());  // unlinks it
    const GstPtr<GstElement> depayloader(
        gst_bin_get_by_name(GST_BIN(pipeline_.get()), elaborator::detail::depayloader_name));
    return GstPtr<GstPad>(gst_element_get_static_pad(depayloader.get(), "sink"));
  }

  // The packets the stream's check accepts, as it hands them on, 10 ms apart, then the end of the stream. Our
  // pad is active only while it pushes: deactivating it clears what the input left on it (its end of stream,
  // above all).
  void push(const std::vector<fuzz::Packet>& packets) {
    gst_pad_set_active(input_.get(), TRUE);
    gst_pad_push_event(input_.get(), gst_event_new_stream_start("fuzz"));
    gst_pad_push_event(input_.get(), gst_event_new_caps(caps_.get()));
    GstSegment segment;
    gst_segment_init(&segment, GST_FORMAT_TIME);
    gst_pad_push_event(input_.get(), gst_event_new_segment(&segment));
    elaborator::detail::RtpPacketCheck check("", stream_defaults.payload_type, codec_);
    GstClockTime time = 0;
    for (const fuzz::Packet& packet : packets) {
      time += 10 * GST_MSECOND;
      const auto verdict = check.check(packet);
      if (!verdict.accepted) continue;
      GstBuffer* buffer = gst_buffer_new_memdup(packet.data(), packet.size());
      if (verdict.renumbered()) buffer = elaborator::detail::with_rtp_sequence(buffer, verdict.sequence);
      GST_BUFFER_DTS(buffer) = time;
      GST_BUFFER_PTS(buffer) = time;
      if (gst_pad_push(input_.get(), buffer) != GST_FLOW_OK) break;
    }
    gst_pad_push_event(input_.get(), gst_event_new_eos());
    gst_pad_set_active(input_.get(), FALSE);
  }

  struct CapsUnref {
    void operator()(GstCaps* caps) const { gst_caps_unref(caps); }
  };

  elaborator::Codec codec_;
  GstPtr<GstElement> pipeline_;
  GstPtr<GstPad> input_;  // ours, linked to the depayloader where the jitter buffer would be
  std::unique_ptr<GstCaps, CapsUnref> caps_;
};

// Every codec's chain is built at the first input, so that the inputs after it run the same code whether or
// not they are the first of their codec: AFL++ runs each new input again, and counts edges that differ as
// unstable. (Not in LLVMFuzzerInitialize: AFL++'s driver calls it before it forks.)
DecodeChain& chain_for(elaborator::Codec codec) {
  static const auto chains = [] {
    std::array<std::unique_ptr<DecodeChain>, codecs> built;
    for (std::size_t each = 0; each < codecs; ++each) {
      built.at(each) = std::make_unique<DecodeChain>(static_cast<elaborator::Codec>(each));
    }
    return built;
  }();
  return *chains.at(static_cast<std::size_t>(codec));
}

fuzz::RtpMutator mutator(unsigned seed) {
  return {seed, &LLVMFuzzerMutate, static_cast<std::uint8_t>(stream_defaults.payload_type)};
}

// Writes a mutated input, after checking what the mutations promise: bytes that parse back into the packets
// they made, each accepted by the stream's check.
std::size_t write(fuzz::RtpInput& input, const fuzz::RtpMutator& mutations, std::uint8_t* out, std::size_t max_size) {
  const std::vector<std::uint8_t> bytes = fuzz::serialize(input, max_size);
  if (fuzz::parse_input(bytes) != input || !mutations.accepted(input)) __builtin_trap();
  std::memcpy(out, bytes.data(), bytes.size());
  return bytes.size();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1 || size > 200000) return -1;
  elaborator::detail::ensure_gstreamer();
  const fuzz::RtpInput input = fuzz::parse_input({data, size});
  ++counts.inputs;
  chain_for(static_cast<elaborator::Codec>(input.codec % codecs)).decode(input.packets);
  return 0;
}

extern "C" std::size_t LLVMFuzzerCustomMutator(std::uint8_t* data, std::size_t size, std::size_t max_size,
                                               unsigned seed) {
  fuzz::RtpInput input = fuzz::parse_input({data, size});
  fuzz::RtpMutator mutations = mutator(seed);
  mutations.mutate(input, max_size);
  return write(input, mutations, data, max_size);
}

extern "C" std::size_t LLVMFuzzerCustomCrossOver(const std::uint8_t* data1, std::size_t size1,
                                                 const std::uint8_t* data2, std::size_t size2, std::uint8_t* out,
                                                 std::size_t max_out_size, unsigned seed) {
  fuzz::RtpMutator mutations = mutator(seed);
  fuzz::RtpInput input = mutations.cross(fuzz::parse_input({data1, size1}), fuzz::parse_input({data2, size2}));
  return write(input, mutations, out, max_out_size);
}
