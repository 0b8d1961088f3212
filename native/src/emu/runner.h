// The emulator's dispatch runner: Metal's dispatchThreads semantics (a grid of
// threads cut into threadgroups, partial ones at the edges) over a kernel
// launcher. Threads of a group run one after another when the kernel has no
// barriers or simd collectives, as boost.context fibers when it has, or as
// OS threads (the race-detection mode, for ThreadSanitizer). Every kernel
// thread runs on a stack with a guard page, and a fault in a kernel (an
// overflowed stack included) ends the dispatch with an error.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "shim/emu_runtime.h"

namespace mlxts::emu {

using Launcher = void (*)(void* const* buffers, __emu::Lane* lane);

enum class Schedule { Sequential, Fibers, Threads };

struct Launch {
  std::string kernel;
  Launcher launcher = nullptr;
  /** Argument pointers by [[buffer(n)]] index. */
  std::vector<void*> buffers;
  uint32_t grid[3] = {1, 1, 1};
  uint32_t group[3] = {1, 1, 1};
  Schedule schedule = Schedule::Sequential;
  /** A dispatch still running after this many milliseconds is stopped with an error (0: never; not in the OS-thread mode). */
  uint32_t timeoutMs = 0;
  /** The bound buffers by [[buffer(n)]] index, for checked kernels (shim/emu_checked.h); may be empty otherwise. */
  std::vector<__emu::Region> regions;
  /** Where a failed check or a fault happened: the .metal line of a code address ("" when unknown); may be empty. */
  std::function<std::string(const void* pc)> locate;
};

/** The stack each kernel thread gets in the fiber and sequential schedules (above a guard page). */
constexpr size_t kKernelStackSize = 256 * 1024;

/** Runs every thread of the grid; returns "" or what went wrong (divergent barrier, deadlock, fault, timeout). */
std::string runLaunch(const Launch& launch);

}  // namespace mlxts::emu
