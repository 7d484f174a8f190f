// emotion_client: sends faces (or whole frames) of a live video stream to a cloud emotion-recognition service
// and publishes its answers as faces with emotion scores (emotion_client.hpp).
//
//   export EMOTION_API_KEY=...          # or --key-file FILE; never on the command line
//   emotion_client --service google --rtp-port 5004 --udp 127.0.0.1:5002
//   emotion_client --service azure --endpoint https://myface.cognitiveservices.azure.com --rtp-port 5004

#include "emotion_client.hpp"

#include <elaborator/program.hpp>

int main(int argc, char** argv) {
  elaborator::cli::Parser cli("emotion_client",
                              "Sends the faces (or frames) of a live video stream, as JPEG, to a cloud emotion-recognition "
                              "service and publishes its answers as faces with emotion scores. Requests never hold up "
                              "the stream: they are asynchronous, bounded, timed out and retried. The key is read from "
                              "an environment variable or a file, never from the command line. Each request is billed: "
                              "--max-fps defaults to 2 here.",
                              {emotion_client_kind()});
  return elaborator::run_until_stopped(cli.parse(argc, argv));
}
