// captions: the elaboration of captions.hpp as a program, with the whole command line.
#include "captions.hpp"

#include <elaborator/program.hpp>

int main(int argc, char** argv) {
  elaborator::cli::Parser cli("captions", "Turns live speech into captions.", {captions_kind()});
  return elaborator::run_until_stopped(cli.parse(argc, argv));
}
