#pragma once
// The check that whatever is removed at run time gives back what it took: threads, file descriptors, memory.

#include "process_usage.hpp"
#include "wait.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <cstddef>

namespace test_support {

// Runs `cycle` (something added, used and removed) 10 times, so that GStreamer's plugins, caches and thread
// pools are warm, then `cycles` times more, and checks that the process holds no more threads and
// descriptors than after the warm-up, and (without the sanitizers) under 5 % more resident memory.
template <class Cycle>
void check_resources_come_back(Cycle&& cycle, int cycles) {
  using namespace std::chrono_literals;
  for (int i = 0; i < 10; ++i) cycle();
  const std::size_t threads = thread_count();
  const std::size_t descriptors = open_descriptors();
  const std::size_t resident = resident_bytes();

  for (int i = 0; i < cycles; ++i) cycle();

  // GStreamer hands a pipeline's threads back to its pool as the pipeline stops, and a server closes a
  // connection just after its answer: wait for both to settle.
  CHECK(wait_until([&] { return thread_count() <= threads; }, 10s));
  CHECK(wait_until([&] { return open_descriptors() <= descriptors; }, 10s));
  INFO("threads " << threads << " -> " << thread_count() << ", descriptors " << descriptors << " -> "
                  << open_descriptors() << " (" << descriptor_targets() << "), resident " << resident << " -> "
                  << resident_bytes());
#ifdef ELABORATOR_TEST_SANITIZED
  WARN("resident memory not compared: AddressSanitizer keeps freed memory in quarantine by design");
#else
  CHECK(resident_bytes() < resident + resident / 20);
#endif
}

}  // namespace test_support
