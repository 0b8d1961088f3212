// Dispatch records for the sanitizer jobs: with MLX_TS_METAL_RECORD=<dir>,
// EmuDevice writes small dispatches (library source, kernel, grid, every
// bound buffer before and after the run) to files that the replay tool
// (native/tools/emu_replay.cc) runs again under ThreadSanitizer or
// AddressSanitizer, with exact-size buffers, and compares bit for bit.
// Bindings whose bytes overlap (one buffer bound at several indices) share
// a region, so the replay binds them to one allocation as the run did.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace mlxts::emu {

struct RecordedBinding {
  uint32_t index = 0;
  /** The region it lies in: the position (in Record::bindings) of the region's first binding; its own position when it overlaps no other. */
  uint32_t region = 0;
  /** Its first byte's offset from the region's lowest byte. */
  uint64_t offset = 0;
  std::vector<uint8_t> before, after;
};

struct Record {
  std::string label, source, kernel;
  uint32_t grid[3] = {1, 1, 1}, group[3] = {1, 1, 1};
  std::vector<RecordedBinding> bindings;
};

/** Sets each binding's region and offset from where its bytes lay in the run (`at[i]`, before[i].size() bytes): overlapping bindings, transitively, form one region. */
void assignRegions(Record* r, const std::vector<const uint8_t*>& at);

bool writeRecord(const std::string& path, const Record& r);
bool readRecord(const std::string& path, Record* r);

}  // namespace mlxts::emu
