// Dispatch records for the sanitizer jobs: with MLX_TS_METAL_RECORD=<dir>,
// EmuDevice writes small dispatches (library source, kernel, grid, every
// bound buffer before and after the run) to files that the replay tool
// (native/tools/emu_replay.cc) runs again under ThreadSanitizer or
// AddressSanitizer, with exact-size buffers, and compares bit for bit.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace mlxts::emu {

struct RecordedBinding {
  uint32_t index = 0;
  std::vector<uint8_t> before, after;
};

struct Record {
  std::string label, source, kernel;
  uint32_t grid[3] = {1, 1, 1}, group[3] = {1, 1, 1};
  std::vector<RecordedBinding> bindings;
};

bool writeRecord(const std::string& path, const Record& r);
bool readRecord(const std::string& path, Record* r);

}  // namespace mlxts::emu
