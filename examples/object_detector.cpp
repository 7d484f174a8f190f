// object_detector: finds objects in a live video stream with an SSD detector run by OpenCV's DNN module
// (object_detector.hpp).
//
//   examples/models/fetch_ssd_mobilenet.sh                       # once, needs internet
//   object_detector --rtp-port 5004 --codec vp8 --classes person,car --udp 127.0.0.1:5002

#include "object_detector.hpp"

#include <elaborator/program.hpp>

int main(int argc, char** argv) {
  elaborator::cli::Parser cli("object_detector",
                              "Finds objects in a live video stream with an SSD detector (OpenCV DNN) and sends their "
                              "labelled boxes as JSON results. The default model is TensorFlow's SSD MobileNet v2 "
                              "COCO: fetch it once with examples/models/fetch_ssd_mobilenet.sh.",
                              {object_detector_kind()});
  return elaborator::run_until_stopped(cli.parse(argc, argv));
}
