// people_counter: counts people crossing a line and standing in a zone of a live stream (people_counter.hpp).
//
//   people_counter --file /usr/share/doc/opencv-doc/examples/data/vtest.avi --realtime --stdout
//   people_counter --rtp-port 5004 --line 0,0.6,1,0.6 --udp 127.0.0.1:5002 --on-change

#include "people_counter.hpp"

#include <elaborator/program.hpp>

int main(int argc, char** argv) {
  elaborator::cli::Parser cli("people_counter", "Counts people crossing a line and standing in a zone, with OpenCV's "
                                                "HOG people detector and tracking.",
                              {people_counter_kind()});
  return elaborator::run_until_stopped(cli.parse(argc, argv));
}
