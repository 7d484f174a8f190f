// Fuzz target: what object_detector reads from a detector it was given (examples/ssd_output.hpp): its class
// labels file, and the output blob of its network, which a model from someone else may fill with anything.
// Whatever they are, the labels load or are refused, and the blob is refused (not 1x1xNx7 floats) or gives
// detections above the threshold, of a class kept and named (by the file, or "class N"), with a box inside
// the frame, confidences at most 1.
//
// Input: 4 bytes: the threshold (/255), the first class id (signed), whether only "person" and "car" are
// kept (low bit), the blob's shape (0: 1x1xNx7 floats, 1: 1xNx7, 2: 1x1xNx6, 3: 1x1xNx7 doubles); the
// labels file, up to a NUL byte; then the blob's values, as 4-byte floats (N rows of as many as fit).
#include "input_file.hpp"
#include "ssd_output.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace {

cv::Mat blob(int shape, const std::uint8_t* values, std::size_t size) {
  const int columns = shape == 2 ? 6 : 7;
  const int rows = static_cast<int>(size / (4 * static_cast<std::size_t>(columns)));
  std::vector<float> floats(static_cast<std::size_t>(rows) * static_cast<std::size_t>(columns));
  if (!floats.empty()) std::memcpy(floats.data(), values, floats.size() * sizeof(float));
  const std::vector<int> dims = shape == 1 ? std::vector<int>{1, rows, columns} : std::vector<int>{1, 1, rows, columns};
  cv::Mat output = cv::Mat(dims, CV_32F, floats.data()).clone();
  if (shape == 3) output.convertTo(output, CV_64F);
  return output;
}

bool named(const std::string& label, const ssd::Labels& labels) {
  const auto& names = labels.names();
  return label.starts_with("class ") || std::find(names.begin(), names.end(), label) != names.end();
}

void check(const std::vector<elaborator::Detection>& detections, const ssd::Labels& labels, const ssd::SsdFilter& filter) {
  for (const auto& d : detections) {
    const elaborator::Box& b = d.box;
    const bool inside = b.x >= 0 && b.y >= 0 && b.width > 0 && b.height > 0 && b.x + b.width <= 1.0001F &&
                        b.y + b.height <= 1.0001F;  // float sums
    if (!(d.confidence >= filter.min_confidence && d.confidence <= 1.0F) || !named(d.label, labels) ||
        !ssd::keeps(filter, d.label) || !inside) {
      __builtin_trap();
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 4 || size > 1 << 20) return -1;  // a megabyte of labels and rows
  static const InputFile labels_file("fuzz_ssd_labels.txt");
  const std::string_view rest(reinterpret_cast<const char*>(data) + 4, size - 4);
  const std::size_t end = std::min(rest.find('\0'), rest.size());
  ssd::SsdFilter filter;
  filter.min_confidence = static_cast<float>(data[0]) / 255.0F;
  if ((data[2] & 1) != 0) filter.classes = {"person", "car"};
  try {
    const ssd::Labels labels = ssd::Labels::load(labels_file.write(rest.substr(0, end)), static_cast<std::int8_t>(data[1]));
    const std::size_t values = std::min(end + 1, rest.size());
    check(ssd::decode_ssd(blob(data[3] % 4, data + 4 + values, rest.size() - values), labels, filter), labels, filter);
  } catch (const elaborator::Error&) {  // an empty labels file, a blob of another shape
  }
  return 0;
}
