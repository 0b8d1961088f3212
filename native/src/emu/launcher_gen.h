// The launcher generator: reads a preprocessed MSL library, finds each
// `kernel void name(...)` and its [[buffer(n)]] / [[thread_position_in_grid]]
// ... parameters, rewrites what C++ cannot take as written (threadgroup
// declarations in kernel bodies, `1.5h` and unsuffixed float literals, which
// MSL reads as float) and appends one extern "C"
// launcher per kernel that the runner calls with a Lane and the bound buffers.
// A checked library (user kernels) also has its `device T*` and `constant T*`
// types rewritten into checked pointers (shim/emu_checked.h) and `&p[i]` into
// `(p + (i))`, so every access through them is bounds-checked.
#pragma once
#include <string>
#include <vector>

namespace mlxts::emu {

struct KernelParam {
  std::string type;
  std::string name;
  /** "buffer" or the builtin's name (thread_position_in_grid, ...). */
  std::string attribute;
  int bufferIndex = -1;
};

struct KernelInfo {
  std::string name;
  std::vector<KernelParam> params;
};

struct GeneratedLibrary {
  std::string source;
  std::vector<KernelInfo> kernels;
  /** Uses barriers or simd collectives: threads must run as fibers, not one after another. */
  bool needsFibers = false;
  std::string error;
};

/** `preprocessed` is `clang -E` output (with line markers) of the library; `checked`: bounds-checked device pointers. */
GeneratedLibrary generateLaunchers(const std::string& preprocessed, bool checked = false);

/** The launcher symbol of a kernel. */
std::string launcherSymbol(const std::string& kernel);

}  // namespace mlxts::emu
