// face_detector: finds faces in a live video stream (face_detector.hpp) and sends where they are, live.
//
//   face_detector --rtp-port 5004 --codec vp8 --udp 127.0.0.1:5002     # into a Janus Streaming data port
//   face_detector --file /usr/share/doc/opencv-doc/examples/data/Megamind.avi --jsonl faces.jsonl
//   face_detector --stream door=5004 --stream hall=5006 --udp 127.0.0.1:5002  # two cameras, one process
//   face_detector --streams-file streams.json    # per stream and elaboration: "params": {"min_face": 60}
//   face_detector --control 127.0.0.1:8080       # no stream yet: they come and go through the API

#include "face_detector.hpp"

#include <elaborator/program.hpp>

int main(int argc, char** argv) {
  elaborator::cli::Parser cli("face_detector", "Finds faces in a live video stream with an OpenCV Haar cascade "
                                               "and sends their boxes as JSON results.",
                              {face_detector_kind()});
  return elaborator::run_until_stopped(cli.parse(argc, argv));
}
