// elaborator: every kind of elaboration the examples have, in one program, so that one process can run,
// say, face detection and object detection on the same stream (decoded once), and take streams and
// elaborations of any kind through its control API.
//
//   elaborator --rtp-port 5004 --kind face_detector --params '{"min_face": 60}' --udp 127.0.0.1:5002
//   elaborator --streams-file streams.json       # each elaboration with its "kind" and "params"
//   elaborator --control 127.0.0.1:8080 --ready-file ready.json   # streams come and go through the API

#include "example_kinds.hpp"

#include <elaborator/program.hpp>

int main(int argc, char** argv) {
  elaborator::cli::Parser cli("elaborator",
                              "Runs the examples' elaborations, any number of kinds in one process: on the streams the "
                              "command line or a streams file gives, and on those the control API adds.",
                              example_kinds());
  return elaborator::run_until_stopped(cli.parse(argc, argv));
}
