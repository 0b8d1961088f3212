// The dispatch record format (see record.h): little-endian lengths and bytes,
// strings as (u64 length, bytes); a binding as its index, region, offset,
// then its bytes before and after the run.
#include "record.h"

#include <algorithm>
#include <fstream>

namespace mlxts::emu {
namespace {

void put(std::ofstream& out, uint64_t v) { out.write(reinterpret_cast<const char*>(&v), 8); }
void putBytes(std::ofstream& out, const void* p, size_t n) {
  put(out, n);
  out.write(static_cast<const char*>(p), std::streamsize(n));
}
bool get(std::ifstream& in, uint64_t* v) { return bool(in.read(reinterpret_cast<char*>(v), 8)); }
template <class C>
bool getBytes(std::ifstream& in, C* c) {
  uint64_t n;
  if (!get(in, &n) || n > (uint64_t(1) << 32)) return false;
  c->resize(n);
  return n == 0 || bool(in.read(reinterpret_cast<char*>(&(*c)[0]), std::streamsize(n)));
}

const uint64_t kMagic = 0x32434552554d45ull;  // "EMUREC2"

}  // namespace

void assignRegions(Record* r, const std::vector<const uint8_t*>& at) {
  std::vector<RecordedBinding>& bs = r->bindings;
  const size_t n = bs.size();
  std::vector<size_t> root(n);
  for (size_t i = 0; i < n; i++) root[i] = i;
  auto find = [&](size_t i) {
    while (root[i] != i) i = root[i] = root[root[i]];
    return i;
  };
  auto overlap = [&](size_t i, size_t j) {
    return !bs[i].before.empty() && !bs[j].before.empty() && at[i] < at[j] + bs[j].before.size() && at[j] < at[i] + bs[i].before.size();
  };
  for (size_t i = 0; i < n; i++) {
    for (size_t j = 0; j < i; j++) {
      if (!overlap(i, j)) continue;
      size_t a = find(i), b = find(j);
      root[std::max(a, b)] = std::min(a, b);  // a region's root stays its first binding
    }
  }
  std::vector<const uint8_t*> lowest(n, nullptr);
  for (size_t i = 0; i < n; i++) {
    size_t g = find(i);
    if (!lowest[g] || at[i] < lowest[g]) lowest[g] = at[i];
  }
  for (size_t i = 0; i < n; i++) {
    size_t g = find(i);
    bs[i].region = uint32_t(g);
    bs[i].offset = uint64_t(at[i] - lowest[g]);
  }
}

bool writeRecord(const std::string& path, const Record& r) {
  std::ofstream out(path, std::ios::binary);
  put(out, kMagic);
  putBytes(out, r.label.data(), r.label.size());
  putBytes(out, r.source.data(), r.source.size());
  putBytes(out, r.kernel.data(), r.kernel.size());
  for (int i = 0; i < 3; i++) put(out, r.grid[i]);
  for (int i = 0; i < 3; i++) put(out, r.group[i]);
  put(out, r.bindings.size());
  for (const RecordedBinding& b : r.bindings) {
    put(out, b.index);
    put(out, b.region);
    put(out, b.offset);
    putBytes(out, b.before.data(), b.before.size());
    putBytes(out, b.after.data(), b.after.size());
  }
  return bool(out);
}

bool readRecord(const std::string& path, Record* r) {
  std::ifstream in(path, std::ios::binary);
  uint64_t magic, v, n;
  if (!get(in, &magic) || magic != kMagic) return false;
  if (!getBytes(in, &r->label) || !getBytes(in, &r->source) || !getBytes(in, &r->kernel)) return false;
  for (int i = 0; i < 3; i++) { if (!get(in, &v)) return false; r->grid[i] = uint32_t(v); }
  for (int i = 0; i < 3; i++) { if (!get(in, &v)) return false; r->group[i] = uint32_t(v); }
  if (!get(in, &n) || n > 64) return false;
  r->bindings.resize(n);
  for (RecordedBinding& b : r->bindings) {
    if (!get(in, &v)) return false;
    b.index = uint32_t(v);
    if (!get(in, &v) || v >= n) return false;
    b.region = uint32_t(v);
    if (!get(in, &b.offset) || b.offset > (uint64_t(1) << 32)) return false;
    if (!getBytes(in, &b.before) || !getBytes(in, &b.after)) return false;
  }
  // every region names its own first binding
  for (const RecordedBinding& b : r->bindings) {
    if (r->bindings[b.region].region != b.region) return false;
  }
  return true;
}

}  // namespace mlxts::emu
