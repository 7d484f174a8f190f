// Fuzz target: what a cloud service answers emotion_client (examples/emotion_services.hpp), bytes from the
// network read as each service's format. An exception is a refused answer, as it should be; a crash, a hang
// or a face that is not a finite box with scores in 0-1 is a bug.
#include "emotion_services.hpp"

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <string>

namespace {

bool sane(const emotion::ServiceFace& face) {
  const cv::Rect2f& b = face.box;
  if (!std::isfinite(b.x) || !std::isfinite(b.y) || !std::isfinite(b.width) || !std::isfinite(b.height)) return false;
  for (const auto& emotion : face.emotions) {
    if (!(emotion.second >= 0.0F && emotion.second <= 1.0F)) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 64 * 1024) return -1;  // far beyond any answer about a few faces
  const std::string answer(reinterpret_cast<const char*>(data), size);
  static const emotion::GoogleVision google("https://vision.example");
  static const emotion::AzureFace azure("https://face.example");
  for (const emotion::Service* service : {static_cast<const emotion::Service*>(&google), static_cast<const emotion::Service*>(&azure)}) {
    try {
      for (const auto& face : service->faces(answer)) {
        if (!sane(face)) __builtin_trap();
      }
    } catch (const std::exception&) {  // refused: what an answer that is not the format's must be
    }
  }
  return 0;
}
