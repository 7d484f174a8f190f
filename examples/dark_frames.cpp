// dark_frames: the elaboration of dark_frames.hpp as a program, with the whole command line.
#include "dark_frames.hpp"

#include <elaborator/program.hpp>

int main(int argc, char** argv) {
  elaborator::cli::Parser cli("dark_frames", "Reports frames too dark to analyse.", {dark_frames_kind()});
  return elaborator::run_until_stopped(cli.parse(argc, argv));
}
