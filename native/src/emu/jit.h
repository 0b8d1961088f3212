// JIT for the emulator: preprocess an MSL library with clang-19, generate its
// launchers, compile the result into a shared object cached by content hash,
// and dlopen it. Compiler messages come back with the .metal file and line.
// A checked library (user kernels) is compiled with bounds-checked device
// pointers, array-bounds checks and line tables, so a failure names its line.
#pragma once
#include <memory>
#include <string>

#include "launcher_gen.h"

namespace mlxts::emu {

struct JitOptions {
  std::string clang = "clang++-19";
  std::string shimDir;
  std::string cacheDir;
  /** Extra compiler flags (the sanitizer builds add -fsanitize=...). */
  std::string extraFlags;
};

/** A loaded kernel library: its launchers by kernel name. */
class LoadedLibrary {
 public:
  ~LoadedLibrary();
  GeneratedLibrary info;
  bool checked = false;
  void* handle = nullptr;
  /** The launcher of `kernel`, or nullptr. */
  void* launcher(const std::string& kernel) const;
};

/** Compiles `source` (the library's MSL, named `label` in messages); on failure returns nullptr and sets `error`. */
std::shared_ptr<LoadedLibrary> compileLibrary(const JitOptions& opts, const std::string& label, const std::string& source,
                                              std::string* error, bool checked = false);

/** The MSL source line ("k.metal:3") of a code address in a checked library, "" when it cannot be told (runs llvm-symbolizer or addr2line). */
std::string sourceLineOf(const JitOptions& opts, const void* pc);

}  // namespace mlxts::emu
