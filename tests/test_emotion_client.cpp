// The emotion_client example as a user runs it, against a real HTTP server in the test's process (Debian's
// cpp-httplib) that speaks each service's format: Google Cloud Vision face annotations and the Azure Face
// detect API's emotion attributes, and fails in every way a service does. The program gets Megamind.avi as
// VP8 RTP in real time, or as a file for the failure cases (each run then takes a second or two).

#include "support/http_server.hpp"
#include "support/program.hpp"

#include "emotion_services.hpp"

#include <catch2/catch.hpp>
#include <opencv2/imgcodecs.hpp>

#include <sys/stat.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

using namespace std::chrono_literals;
using test_support::ChildProcess;
using test_support::HttpServer;

namespace {

const std::string key = "sk-elaborator-test-7f3a9c";  // must never appear in a log, a result or --help

std::string decode_base64(const std::string& text) {
  static const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string bytes;
  unsigned bits = 0;
  int count = 0;
  for (const char c : text) {
    const auto value = alphabet.find(c);
    if (value == std::string::npos) break;  // '=' padding
    bits = (bits << 6U) | static_cast<unsigned>(value);
    count += 6;
    if (count >= 8) {
      count -= 8;
      bytes.push_back(static_cast<char>((bits >> static_cast<unsigned>(count)) & 0xFFU));
    }
  }
  return bytes;
}

// The JPEG a request carries, as the service would decode it.
cv::Mat image_in(const httplib::Request& request) {
  std::string bytes = request.body;
  if (request.get_header_value("Content-Type").rfind("application/json", 0) == 0) {
    const auto body = nlohmann::json::parse(request.body);
    bytes = decode_base64(body["requests"][0]["image"]["content"].get<std::string>());
  }
  return cv::imdecode(std::vector<unsigned char>(bytes.begin(), bytes.end()), cv::IMREAD_COLOR);
}

// Google Vision, as documented: one face, the image's middle half, happy.
void google_answer(const httplib::Request& request, httplib::Response& response) {
  const cv::Mat image = image_in(request);
  if (image.empty() || request.get_header_value("X-Goog-Api-Key") != key) {
    response.status = 400;
    return;
  }
  const int w = image.cols;
  const int h = image.rows;
  const nlohmann::json face{
      {"boundingPoly", {{"vertices", {{{"x", w / 4}, {"y", h / 4}}, {{"x", 3 * w / 4}, {"y", h / 4}}, {{"x", 3 * w / 4}, {"y", 3 * h / 4}}, {{"x", w / 4}, {"y", 3 * h / 4}}}}}},
      {"detectionConfidence", 0.97},
      {"joyLikelihood", "VERY_LIKELY"},
      {"sorrowLikelihood", "VERY_UNLIKELY"},
      {"angerLikelihood", "UNLIKELY"},
      {"surpriseLikelihood", "POSSIBLE"}};
  response.set_content(nlohmann::json{{"responses", {{{"faceAnnotations", {face}}}}}}.dump(), "application/json");
}

// Azure Face, as documented: one face, the whole image, surprised.
void azure_answer(const httplib::Request& request, httplib::Response& response) {
  const cv::Mat image = image_in(request);
  if (image.empty() || request.get_header_value("Ocp-Apim-Subscription-Key") != key ||
      request.get_header_value("Content-Type") != "application/octet-stream") {
    response.status = 400;
    return;
  }
  const nlohmann::json face{
      {"faceRectangle", {{"top", 0}, {"left", 0}, {"width", image.cols}, {"height", image.rows}}},
      {"faceAttributes",
       {{"emotion",
         {{"anger", 0.0}, {"contempt", 0.01}, {"disgust", 0.0}, {"fear", 0.02}, {"happiness", 0.05}, {"neutral", 0.2},
          {"sadness", 0.02}, {"surprise", 0.7}}}}}};
  response.set_content(nlohmann::json::array({face}).dump(), "application/json");
}

std::vector<std::string> client_argv(const std::string& service, const std::string& endpoint, std::vector<std::string> extra) {
  std::vector<std::string> argv{EMOTION_CLIENT_PATH, "--service", service, "--endpoint", endpoint, "--stats-interval", "1"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  return argv;
}

struct Streamed {
  std::vector<nlohmann::json> results;
  std::string log;
};

// Runs emotion_client on Megamind over RTP, in real time, until the end of the stream.
Streamed stream_through_client(const test_support::TempDir& dir, std::vector<std::string> argv) {
  argv.insert(argv.end(), {"--rtp-port", "0", "--jsonl", dir.file("emotions.jsonl"), "--ready-file", dir.file("ready.json")});
  ChildProcess client(argv, dir.file("stdout"), dir.file("stderr"));
  test_support::stream_megamind_to(test_support::rtp_port_in(dir.file("ready.json")), dir.file("emotions.jsonl"));
  test_support::stop_cleanly(client);
  return {test_support::results_in(dir.file("emotions.jsonl")), client.standard_error() + client.standard_output()};
}

// Runs emotion_client over the whole file, as fast as it goes, and returns its log.
std::string run_over_file(const test_support::TempDir& dir, std::vector<std::string> argv) {
  argv.insert(argv.end(), {"--file", test_support::megamind, "--jsonl", dir.file("file.jsonl")});
  std::filesystem::remove(dir.file("file.jsonl"));
  ChildProcess client(argv, dir.file("file.out"), dir.file("file.err"));
  const auto status = client.wait_exit(60s);
  const std::string log = client.standard_error();
  INFO(log);
  CHECK(test_support::exited_cleanly(status));
  CHECK(log.find(key) == std::string::npos);
  return log;
}

class KeyInEnvironment {
 public:
  KeyInEnvironment() { ::setenv("EMOTION_API_KEY", key.c_str(), 1); }
  ~KeyInEnvironment() { ::unsetenv("EMOTION_API_KEY"); }
  KeyInEnvironment(const KeyInEnvironment&) = delete;
  KeyInEnvironment& operator=(const KeyInEnvironment&) = delete;
};

}  // namespace

TEST_CASE("emotion_client sends Megamind's faces to a Google Vision service and publishes its emotions where the faces are") {
  KeyInEnvironment with_key;
  HttpServer service(&google_answer);
  test_support::TempDir dir;
  const Streamed run = stream_through_client(dir, client_argv("google", service.url(), {}));
  INFO(run.log);
  CHECK(run.log.find(key) == std::string::npos);

  // --max-fps 2 by default here: about 22 of Megamind's 11 s are classified; faces are in most of them.
  CHECK(run.results.size() >= 10);
  CHECK(run.results.size() <= 30);
  std::size_t faces = 0;
  for (const auto& result : run.results) {
    for (const auto& face : result["detections"]) {
      ++faces;
      INFO(face.dump());
      CHECK(face["label"] == "happiness");
      CHECK(face["confidence"].get<double>() == 1.0);
      CHECK(face["emotions"] == nlohmann::json({{"anger", 0.25}, {"happiness", 1.0}, {"sadness", 0.0}, {"surprise", 0.5}}));
      // The middle half of a face crop with a margin of a quarter of the face on each side: about the face
      // the cascade found, at least 40 pixels of 720x528, inside the frame.
      CHECK(face["box"]["w"].get<double>() * 720 >= 30);
      CHECK(face["box"]["x"].get<double>() + face["box"]["w"].get<double>() <= 1.0);
      CHECK(face["box"]["y"].get<double>() + face["box"]["h"].get<double>() <= 1.0);
    }
  }
  CHECK(faces >= run.results.size() / 2);
  const auto requests = service.seen();
  CHECK(requests.size() >= faces);
  for (const auto& request : requests) CHECK(request.path == "/v1/images:annotate");
}

TEST_CASE("emotion_client maps an Azure Face answer about a scaled-down frame back to the frame") {
  KeyInEnvironment with_key;
  HttpServer service(&azure_answer);
  test_support::TempDir dir;
  const Streamed run = stream_through_client(
      dir, client_argv("azure", service.url(), {"--send", "frames", "--max-side", "360", "--max-fps", "4"}));
  INFO(run.log);
  CHECK(run.log.find(key) == std::string::npos);
  CHECK(run.results.size() >= 20);
  for (const auto& result : run.results) {
    REQUIRE(result["detections"].size() == 1);
    const auto& face = result["detections"][0];
    CHECK(face["label"] == "surprise");
    CHECK(face["confidence"].get<double>() == Approx(0.7));
    CHECK(face["emotions"].size() == 8);
    CHECK(face["emotions"]["neutral"].get<double>() == Approx(0.2));
    // The whole 360x264 image the service got is the whole 720x528 frame.
    CHECK(face["box"] == nlohmann::json({{"x", 0.0}, {"y", 0.0}, {"w", 1.0}, {"h", 1.0}}));
  }
  for (const auto& request : service.seen()) {
    CHECK(request.path == "/face/v1.0/detect?returnFaceId=false&returnFaceAttributes=emotion&detectionModel=detection_01");
  }
  const auto first = service.seen().at(0);
  const cv::Mat sent = cv::imdecode(std::vector<unsigned char>(first.body.begin(), first.body.end()), cv::IMREAD_COLOR);
  CHECK(sent.size() == cv::Size(360, 264));
}

TEST_CASE("a service that hangs costs emotion_client its results, never frames: it classifies as many as are decoded") {
  KeyInEnvironment with_key;
  HttpServer service(&google_answer, test_support::Hangs::until_released);
  test_support::TempDir dir;
  const Streamed run = stream_through_client(dir, client_argv("google", service.url(), {"--send", "frames", "--max-fps", "0",
                                                                                       "--timeout-ms", "1000", "--max-in-flight", "2"}));
  INFO(run.log);
  const auto decoded = test_support::summary_number(run.log, R"((\d+) decoded)");
  const auto classified = test_support::summary_number(run.log, R"((\d+) classified)");
  CHECK(decoded >= 250);
  CHECK(classified * 100 >= decoded * 95);
  CHECK(test_support::summary_number(run.log, R"(answered (\d+))") == 0);
  CHECK(test_support::summary_number(run.log, R"(timeouts (\d+))") >= 5);
  CHECK(test_support::summary_number(run.log, R"(dropped \(in flight\) (\d+))") >= decoded / 2);
  CHECK(run.results.empty());
}

TEST_CASE("every way a service fails is counted by emotion_client, never a crash") {
  KeyInEnvironment with_key;
  test_support::TempDir dir;
  // Nine frames, every 30th, each sent whole.
  const std::vector<std::string> nine_frames{"--send", "frames", "--every", "30", "--max-fps", "0", "--max-in-flight", "16",
                                             "--retries", "0", "--drain-ms", "3000"};
  struct Failure {
    const char* what;
    HttpServer::Handler answer;
    const char* counted;  // in the summary's counters
  };
  const std::string huge(2 << 20, ' ');
  const std::vector<Failure> failures{
      {"500", [](const httplib::Request&, httplib::Response& r) { r.status = 500; }, R"(failed (\d+))"},
      {"invalid JSON", [](const httplib::Request&, httplib::Response& r) { r.set_content("{\"responses\": [", "application/json"); },
       R"(malformed (\d+))"},
      {"JSON of another shape", [](const httplib::Request&, httplib::Response& r) { r.set_content(R"({"responses": 42})", "application/json"); },
       R"(malformed (\d+))"},
      {"a refusal", [](const httplib::Request&, httplib::Response& r) {
         r.set_content(R"({"responses": [{"error": {"code": 7, "message": "billing disabled"}}]})", "application/json");
       }, R"(refused (\d+))"},
      {"a huge answer", [&huge](const httplib::Request&, httplib::Response& r) { r.set_content("[" + huge + "]", "application/json"); },
       R"(failed (\d+))"},
  };
  for (const auto& failure : failures) {
    INFO("the service answers " << failure.what);
    HttpServer service(failure.answer);
    std::vector<std::string> options = nine_frames;
    options.insert(options.end(), {"--max-answer-kb", "64"});
    const std::string log = run_over_file(dir, client_argv("google", service.url(), options));
    CHECK(test_support::summary_number(log, failure.counted) == 9);
    CHECK(test_support::summary_number(log, R"((\d+) classify errors)") == 0);
    CHECK(test_support::results_in(dir.file("file.jsonl")).empty());
  }

  INFO("the service is not there");
  const test_support::RefusingPort refusing;
  const std::string log = run_over_file(dir, client_argv("google", refusing.url(), nine_frames));
  CHECK(test_support::summary_number(log, R"(failed (\d+))") == 9);
}

TEST_CASE("emotion_client retries a 429 after its Retry-After, and sends nothing new meanwhile") {
  KeyInEnvironment with_key;
  auto first = std::make_shared<std::atomic<bool>>(true);
  HttpServer service([first](const httplib::Request& request, httplib::Response& response) {
    if (first->exchange(false)) {
      response.status = 429;
      response.set_header("Retry-After", "1");
      return;
    }
    google_answer(request, response);
  });
  test_support::TempDir dir;
  const std::string log = run_over_file(dir, client_argv("google", service.url(), {"--send", "frames", "--every", "30", "--max-fps", "0",
                                                                                  "--retries", "2", "--drain-ms", "5000"}));
  const auto seen = service.seen();
  REQUIRE(seen.size() >= 2);
  CHECK(std::chrono::duration<double>(seen[1].at - seen[0].at).count() >= 1.0);
  CHECK(test_support::summary_number(log, R"(retries (\d+))") == 1);
  // The file's nine frames went by within the second the service asked for: only the retry reached it.
  CHECK(test_support::summary_number(log, R"(dropped \(Retry-After\) (\d+))") >= 1);
  CHECK(test_support::summary_number(log, R"(answered (\d+))") == seen.size() - 1);
  CHECK(test_support::results_in(dir.file("file.jsonl")).size() == seen.size() - 1);
}

TEST_CASE("emotion_client reads its key from the environment or a file, never the command line, and never shows it") {
  test_support::TempDir dir;
  HttpServer service(&google_answer);
  {
    KeyInEnvironment with_key;
    ChildProcess help({EMOTION_CLIENT_PATH, "--help"}, dir.file("help"), dir.file("help.err"));
    CHECK(test_support::exited_cleanly(help.wait_exit(10s)));
    const std::string text = help.standard_output();
    CHECK(text.find(key) == std::string::npos);
    for (const char* option : {"--service", "--endpoint", "--key-env", "--key-file", "--send", "--max-in-flight", "--timeout-ms",
                               "--retries", "--max-answer-kb", "never from the command line", "--max-fps"}) {
      CHECK(text.find(option) != std::string::npos);
    }
  }

  ChildProcess no_key(client_argv("google", service.url(), {"--rtp-port", "0"}), dir.file("out"), dir.file("err"));
  CHECK(test_support::exit_code(no_key.wait_exit(20s)) == 1);
  CHECK(no_key.standard_error().find("EMOTION_API_KEY is not set") != std::string::npos);

  ChildProcess on_command_line(client_argv("google", service.url(), {"--rtp-port", "0", "--key", key}), dir.file("out2"), dir.file("err2"));
  CHECK(test_support::exit_code(on_command_line.wait_exit(20s)) == 2);

  { std::ofstream(dir.file("key")) << key << "\n"; }
  ::chmod(dir.file("key").c_str(), 0600);
  const std::string log = run_over_file(dir, client_argv("google", service.url(), {"--key-file", dir.file("key"), "--send", "frames",
                                                                                  "--every", "90", "--max-fps", "0"}));
  CHECK(test_support::summary_number(log, R"(answered (\d+))") == 3);  // the service checks the key
}

TEST_CASE("the service formats read documented answers, and tell refusals from malformed answers") {
  const emotion::GoogleVision google("https://vision.example");
  // Vision leaves out coordinates that are 0 (proto3 JSON) and likelihoods it could not judge (UNKNOWN).
  const auto faces = google.faces(R"({"responses": [{"faceAnnotations": [{
      "boundingPoly": {"vertices": [{}, {"x": 100}, {"x": 100, "y": 80}, {"y": 80}]},
      "joyLikelihood": "LIKELY", "sorrowLikelihood": "UNKNOWN", "angerLikelihood": "VERY_UNLIKELY"}]}]})");
  REQUIRE(faces.size() == 1);
  CHECK(faces[0].box == cv::Rect2f(0, 0, 100, 80));
  CHECK(faces[0].emotions == std::map<std::string, float>{{"anger", 0.0F}, {"happiness", 0.75F}});
  CHECK(google.faces(R"({"responses": [{}]})").empty());
  CHECK_THROWS_AS(google.faces(R"({"responses": [{"error": {"code": 3, "message": "Bad image data."}}]})"), emotion::ServiceRefusal);
  CHECK_THROWS_AS(google.faces(R"({"error": {"code": 429, "message": "Quota exceeded"}})"), emotion::ServiceRefusal);
  CHECK_THROWS_AS(google.faces(R"({"responses": [{"faceAnnotations": [{"boundingPoly": {"vertices": []}}]}]})"), emotion::MalformedAnswer);
  CHECK_THROWS_AS(google.faces(R"({"responses": [{"faceAnnotations": [{"boundingPoly": {"vertices": [{}]},
                                   "joyLikelihood": "EUPHORIC"}]}]})"), emotion::MalformedAnswer);
  CHECK_THROWS(google.faces(R"({"responses": {}})"));
  CHECK_THROWS(google.faces("not json"));

  const emotion::AzureFace azure("https://face.example");
  const auto detected = azure.faces(R"([{"faceRectangle": {"top": 10, "left": 20, "width": 30, "height": 40},
      "faceAttributes": {"emotion": {"happiness": 0.9, "neutral": 1.5}}}, {"faceRectangle": {"top": 0, "left": 0, "width": 5, "height": 5}}])");
  REQUIRE(detected.size() == 2);
  CHECK(detected[0].box == cv::Rect2f(20, 10, 30, 40));
  CHECK(detected[0].emotions == std::map<std::string, float>{{"happiness", 0.9F}, {"neutral", 1.0F}});
  CHECK(detected[1].emotions.empty());
  CHECK(azure.faces("[]").empty());
  CHECK_THROWS_AS(azure.faces(R"({"error": {"code": "InvalidRequest", "message": "emotion is not supported"}})"), emotion::ServiceRefusal);
  CHECK_THROWS_AS(azure.faces(R"({"faces": []})"), emotion::MalformedAnswer);
  CHECK_THROWS(azure.faces(R"([{"faceRectangle": {"top": 1}}])"));
  CHECK_THROWS(azure.faces(R"([{"faceRectangle": {"top": 0, "left": 0, "width": 10, "height": 10},
                               "faceAttributes": {"emotion": {"anger": "very"}}}])"));
}

TEST_CASE("the service formats send the JPEG and the key where each service wants them") {
  const std::vector<unsigned char> jpeg{'f', 'o', 'o', 'b', 'a', 'r'};
  CHECK(emotion::base64({}).empty());
  CHECK(emotion::base64({'f'}) == "Zg==");
  CHECK(emotion::base64({'f', 'o'}) == "Zm8=");
  CHECK(emotion::base64(jpeg) == "Zm9vYmFy");

  const auto google = emotion::make_service("google", "")->request(jpeg, key);
  CHECK(google.url == "https://vision.googleapis.com/v1/images:annotate");
  CHECK(std::find(google.headers.begin(), google.headers.end(), "X-Goog-Api-Key: " + key) != google.headers.end());
  const auto body = nlohmann::json::parse(google.body);
  CHECK(body["requests"][0]["image"]["content"] == "Zm9vYmFy");
  CHECK(body["requests"][0]["features"][0]["type"] == "FACE_DETECTION");
  CHECK(google.url.find(key) == std::string::npos);

  const auto azure = emotion::make_service("azure", "https://face.example/")->request(jpeg, key);
  CHECK(azure.url == "https://face.example/face/v1.0/detect?returnFaceId=false&returnFaceAttributes=emotion&detectionModel=detection_01");
  CHECK(std::find(azure.headers.begin(), azure.headers.end(), "Ocp-Apim-Subscription-Key: " + key) != azure.headers.end());
  CHECK(azure.body == "foobar");
  CHECK_THROWS_WITH(emotion::make_service("azure", ""), Catch::Contains("needs --endpoint"));
  CHECK_THROWS_WITH(emotion::make_service("aws", ""), Catch::Contains("unknown service 'aws'"));
}
