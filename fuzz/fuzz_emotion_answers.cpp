// Fuzz target: what a cloud service answers emotion_client (examples/emotion_services.hpp), bytes from the
// network read as each service's format. An exception is a refused answer, as it should be; a crash, a hang
// or a face that is not a finite box with scores in 0-1 is a bug. The same bytes, as the JPEG a request
// carries, must arrive whole: as they are for Azure, in base64 inside JSON for Google.
#include "emotion_services.hpp"

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <string>
#include <string_view>
#include <vector>

namespace {

bool sane(const emotion::ServiceFace& face) {
  const cv::Rect2f& b = face.box;
  if (!std::isfinite(b.x) || !std::isfinite(b.y) || !std::isfinite(b.width) || !std::isfinite(b.height)) return false;
  for (const auto& emotion : face.emotions) {
    if (!(emotion.second >= 0.0F && emotion.second <= 1.0F)) return false;
  }
  return true;
}

// Base64 back to bytes; empty if `text` is not base64 of whole groups.
std::string from_base64(std::string_view text) {
  static constexpr std::string_view alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string bytes;
  if (text.size() % 4 != 0) return bytes;
  for (std::size_t i = 0; i < text.size(); i += 4) {
    unsigned group = 0;
    std::size_t padding = 0;
    for (std::size_t k = 0; k < 4; ++k) {
      const std::size_t value = alphabet.find(text[i + k]);
      padding += text[i + k] == '=' ? 1 : 0;
      group = (group << 6U) | (value == std::string_view::npos ? 0U : static_cast<unsigned>(value));
    }
    for (std::size_t k = 0; k + padding < 3; ++k) bytes.push_back(static_cast<char>((group >> (16 - 8 * k)) & 0xFFU));
  }
  return bytes;
}

void check_requests(const emotion::Service& google, const emotion::Service& azure, const std::string& bytes) {
  const std::vector<unsigned char> jpeg(bytes.begin(), bytes.end());
  if (azure.request(jpeg, "key").body != bytes) __builtin_trap();
  const auto body = nlohmann::json::parse(google.request(jpeg, "key").body);
  if (from_base64(body.at("requests").at(0).at("image").at("content").get<std::string>()) != bytes) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 64 * 1024) return -1;  // far beyond any answer about a few faces
  const std::string answer(reinterpret_cast<const char*>(data), size);
  static const auto google = emotion::make_service("google", "");
  static const auto azure = emotion::make_service("azure", "https://face.example/");
  for (const emotion::Service* service : {google.get(), azure.get()}) {
    try {
      for (const auto& face : service->faces(answer)) {
        if (!sane(face)) __builtin_trap();
      }
    } catch (const std::exception&) {  // refused: what an answer that is not the format's must be
    }
  }
  check_requests(*google, *azure, answer);
  return 0;
}
