// sound_level: the elaboration of sound_level.hpp as a program, with the whole command line.
#include "sound_level.hpp"

#include <elaborator/program.hpp>

int main(int argc, char** argv) {
  elaborator::cli::Parser cli("sound_level", "Measures the loudness of live audio and finds where people speak.",
                              {sound_level_kind()});
  return elaborator::run_until_stopped(cli.parse(argc, argv));
}
