// emu_replay: runs dispatch records (MLX_TS_METAL_RECORD) again on the MSL
// execution layer, one OS thread per kernel thread, with every buffer
// allocated at its exact size (bindings that overlapped in the run share one
// allocation, laid out as they were), and checks that each binding ends bit for bit
// as recorded. Built and run under ThreadSanitizer and AddressSanitizer by
// scripts/sanitize.sh; a race or an out-of-bounds access is reported by the
// sanitizer at the kernel's .metal line.
//   emu_replay <shim dir> <cache dir> <kernel compiler flags> <record>...
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "emu/jit.h"
#include "emu/record.h"
#include "emu/runner.h"

using namespace mlxts::emu;

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: emu_replay <shim dir> <cache dir> <kernel compiler flags> <record>...\n");
    return 2;
  }
  JitOptions opts;
  opts.shimDir = argv[1];
  opts.cacheDir = argv[2];
  opts.extraFlags = argv[3];
  int failed = 0, ran = 0;
  for (int a = 4; a < argc; a++) {
    Record r;
    if (!readRecord(argv[a], &r)) {
      std::fprintf(stderr, "%s: not a dispatch record\n", argv[a]);
      failed++;
      continue;
    }
    std::string error;
    auto lib = compileLibrary(opts, r.label, r.source, &error);
    Launcher launcher = lib ? reinterpret_cast<Launcher>(lib->launcher(r.kernel)) : nullptr;
    if (!launcher) {
      std::fprintf(stderr, "%s: cannot build kernel '%s': %s\n", argv[a], r.kernel.c_str(), error.c_str());
      failed++;
      continue;
    }
    Launch L;
    L.kernel = r.kernel;
    L.launcher = launcher;
    L.schedule = Schedule::Threads;
    for (int i = 0; i < 3; i++) { L.grid[i] = r.grid[i]; L.group[i] = r.group[i]; }
    // one allocation per region, sized to its bindings' extent (a binding alone: exactly its bytes)
    const size_t n = r.bindings.size();
    std::vector<size_t> extent(n, 0);
    for (const RecordedBinding& b : r.bindings) extent[b.region] = std::max<size_t>(extent[b.region], b.offset + b.before.size());
    std::vector<uint8_t*> memory(n, nullptr);
    for (size_t i = 0; i < n; i++) {
      if (r.bindings[i].region == i) memory[i] = static_cast<uint8_t*>(std::malloc(extent[i] ? extent[i] : 1));
    }
    std::vector<uint8_t*> at(n, nullptr);
    for (size_t i = 0; i < n; i++) {
      const RecordedBinding& b = r.bindings[i];
      at[i] = memory[b.region] + b.offset;  // bindings of one region hold the same bytes where they overlap: copied in any order
      std::memcpy(at[i], b.before.data(), b.before.size());
      if (b.index >= L.buffers.size()) L.buffers.resize(b.index + 1, nullptr);
      L.buffers[b.index] = at[i];
    }
    error = runLaunch(L);
    bool same = error.empty();
    for (size_t i = 0; i < n && same; i++) {
      const RecordedBinding& b = r.bindings[i];
      if (std::memcmp(at[i], b.after.data(), b.after.size()) != 0) {
        error = "binding " + std::to_string(b.index) + " differs from the recorded run";
        same = false;
      }
    }
    for (uint8_t* p : memory) std::free(p);
    ran++;
    if (!same) {
      std::fprintf(stderr, "%s (%s, kernel %s): %s\n", argv[a], r.label.c_str(), r.kernel.c_str(), error.c_str());
      failed++;
    }
  }
  std::printf("emu_replay: %d records replayed, %d failed\n", ran, failed);
  return failed ? 1 : 0;
}
