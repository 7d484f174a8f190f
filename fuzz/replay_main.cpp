// Standalone driver: runs a fuzz target's LLVMFuzzerTestOneInput on every file given (or every file in a
// directory given), without libFuzzer, so corpora and crash reproducers are replayed by ctest in any build,
// sanitizers included. A target with a mutator of its own (LLVMFuzzerCustomMutator) also has a few mutations
// of every input made and run, so its mutator is tested in every build too (it checks its own output).
// Exits non-zero if a target crashes (the sanitizers abort) or no input was found.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);
// Optional, as with libFuzzer: a target that needs setting up once defines it.
extern "C" __attribute__((weak)) int LLVMFuzzerInitialize(int* argc, char*** argv);
extern "C" __attribute__((weak)) std::size_t LLVMFuzzerCustomMutator(std::uint8_t* data, std::size_t size,
                                                                     std::size_t max_size, unsigned seed);

// What libFuzzer gives a custom mutator to change some bytes with; here a fixed change: the middle byte
// inverted, or one byte where there was none.
extern "C" std::size_t LLVMFuzzerMutate(std::uint8_t* data, std::size_t size, std::size_t max_size) {
  if (size == 0) return max_size == 0 ? 0 : (data[0] = 0xA5, 1);
  data[size / 2] ^= 0xFF;
  return size;
}

namespace {

constexpr unsigned mutations_per_input = 4;

// Runs the target on a copy of exactly the input's size, so a read past its end is caught by AddressSanitizer.
void run(const std::vector<std::uint8_t>& bytes) {
  std::vector<std::uint8_t> input(bytes);
  LLVMFuzzerTestOneInput(input.data(), input.size());
}

void replay(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  const std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  run(bytes);
  if (LLVMFuzzerCustomMutator == nullptr) return;
  for (unsigned seed = 0; seed < mutations_per_input; ++seed) {
    std::vector<std::uint8_t> mutated(bytes);
    mutated.resize(2 * bytes.size() + 64);  // room to grow, as libFuzzer gives
    mutated.resize(LLVMFuzzerCustomMutator(mutated.data(), bytes.size(), mutated.size(), seed));
    run(mutated);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (LLVMFuzzerInitialize != nullptr) LLVMFuzzerInitialize(&argc, &argv);
  std::size_t replayed = 0;
  for (int i = 1; i < argc; ++i) {
    const std::filesystem::path path(argv[i]);
    if (std::filesystem::is_directory(path)) {
      for (const auto& entry : std::filesystem::recursive_directory_iterator(path)) {
        if (entry.is_regular_file()) {
          replay(entry.path());
          ++replayed;
        }
      }
    } else {
      replay(path);
      ++replayed;
    }
  }
  std::printf("replayed %zu inputs\n", replayed);
  return replayed > 0 ? 0 : 1;
}
