// The emulator's JIT (see jit.h). Files in the cache directory are written
// under temporary names and renamed, so concurrent processes (test workers)
// share the cache safely.
#include "jit.h"

#include <dlfcn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace mlxts::emu {
namespace {

uint64_t fnv1a(const std::string& s, uint64_t h = 1469598103934665603ull) {
  for (unsigned char c : s) { h ^= c; h *= 1099511628211ull; }
  return h;
}

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool writeFileAtomically(const std::string& path, const std::string& text) {
  std::string tmp = path + ".tmp" + std::to_string(getpid());
  {
    std::ofstream out(tmp, std::ios::binary);
    out << text;
    if (!out) return false;
  }
  return std::rename(tmp.c_str(), path.c_str()) == 0;
}

bool exists(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0;
}

void makeDirs(const std::string& dir) {
  for (size_t i = 1; i <= dir.size(); i++) {
    if (i == dir.size() || dir[i] == '/') mkdir(dir.substr(0, i).c_str(), 0755);
  }
}

std::string quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

/** Runs a shell command; returns its exit status and puts stdout+stderr in `output`. */
int run(const std::string& cmd, std::string* output) {
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  if (!p) { *output = "cannot start: " + cmd; return -1; }
  char buf[4096];
  size_t n;
  output->clear();
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) output->append(buf, n);
  int status = pclose(p);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/** The first lines of a compiler's output, paths shortened to the .metal file's name. */
std::string firstErrors(std::string out, const std::string& stripPrefix) {
  for (size_t at; (at = out.find(stripPrefix)) != std::string::npos;) out.erase(at, stripPrefix.size());
  std::istringstream in(out);
  std::string line, kept;
  int n = 0;
  while (std::getline(in, line) && n < 12) {
    kept += line + "\n";
    n++;
  }
  return kept;
}

}  // namespace

LoadedLibrary::~LoadedLibrary() {
  if (handle) dlclose(handle);
}

void* LoadedLibrary::launcher(const std::string& kernel) const {
  return handle ? dlsym(handle, launcherSymbol(kernel).c_str()) : nullptr;
}

std::shared_ptr<LoadedLibrary> compileLibrary(const JitOptions& opts, const std::string& label, const std::string& source,
                                              std::string* error, bool checked) {
  static const std::string shim =
      readFile(opts.shimDir + "/metal_stdlib.h") + readFile(opts.shimDir + "/emu_runtime.h") + readFile(opts.shimDir + "/emu_checked.h");
  // stack-clash probes: a large frame touches every page of its stack, so it meets the guard page instead of jumping past it
  static const std::string flags = "-std=c++17 -O2 -fPIC -shared -fno-math-errno -ffp-contract=off -fstack-clash-protection -w";
  // checked: indices of fixed-size arrays too (the shim's handler reports them), and line tables for the failures' lines
  static const std::string checkedFlags = " -fsanitize=array-bounds -fno-sanitize-recover=array-bounds -gline-tables-only";
  uint64_t h = fnv1a(source, fnv1a(label, fnv1a(shim, fnv1a(flags + opts.extraFlags + opts.clang))));
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(h));
  makeDirs(opts.cacheDir);
  std::string base = opts.cacheDir + "/" + hex;

  // the launcher generator runs on the preprocessed text: the library's own macros expanded
  std::string dir = base + ".src";
  makeDirs(dir);
  // the label names a file in the cache: never a path out of it
  std::string file = label.empty() || label == "." || label == ".." ? "library.metal" : label;
  for (char& c : file) if (c == '/' || c == '\\' || c == '\0') c = '_';
  std::string metal = dir + "/" + file;
  std::string out;
  if (!exists(metal) && !writeFileAtomically(metal, source)) { *error = "cannot write " + metal; return nullptr; }
  std::string pre = readFile(base + ".ii");
  if (pre.empty()) {
    std::string cmd = quote(opts.clang) + " -E -x c++ -std=c++17 -D__METAL_VERSION__=310 -I " + quote(opts.shimDir + "/../preprocess") + " " + quote(metal);
    if (run(cmd, &out) != 0) { *error = "MSL preprocessing failed:\n" + firstErrors(out, dir + "/"); return nullptr; }
    pre = out;
    writeFileAtomically(base + ".ii", pre);
  }
  auto lib = std::make_shared<LoadedLibrary>();
  lib->checked = checked;
  lib->info = generateLaunchers(pre, checked);
  if (!lib->info.error.empty()) { *error = lib->info.error; return nullptr; }

  // the shared object is named by what is compiled (generated source, shim, flags), so a newer generator never reuses an old one
  char soHex[17];
  std::snprintf(soHex, sizeof soHex, "%016llx", static_cast<unsigned long long>(fnv1a(lib->info.source, fnv1a(checked ? checkedFlags : "", h))));
  std::string so = opts.cacheDir + "/" + soHex + ".so";
  if (!exists(so)) {
    std::string cc = opts.cacheDir + "/" + soHex + ".cc";
    if (!writeFileAtomically(cc, lib->info.source)) { *error = "cannot write " + cc; return nullptr; }
    std::string tmp = so + ".tmp" + std::to_string(getpid());
    std::string cmd = quote(opts.clang) + " " + flags + (checked ? checkedFlags : "") + " " + opts.extraFlags + " -include " + quote(opts.shimDir + "/metal_stdlib.h") +
                      " -x c++ " + quote(cc) + " -o " + quote(tmp);
    if (run(cmd, &out) != 0) { *error = firstErrors(out, dir + "/"); std::remove(tmp.c_str()); return nullptr; }
    std::rename(tmp.c_str(), so.c_str());
  }
  lib->handle = dlopen(so.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!lib->handle) { *error = std::string("cannot load the compiled library: ") + dlerror(); return nullptr; }
  return lib;
}

namespace {

/** llvm-symbolizer next to the clang in use (clang++-19 -> llvm-symbolizer-19), else on PATH; "" when missing. */
std::string symbolizerFor(const std::string& clang) {
  std::string dir, base = clang;
  size_t slash = clang.rfind('/');
  if (slash != std::string::npos) { dir = clang.substr(0, slash + 1); base = clang.substr(slash + 1); }
  size_t dash = base.rfind('-');
  std::string suffix = dash != std::string::npos && base.find("clang") == 0 ? base.substr(dash) : "";
  std::string out;
  for (const std::string& name : {dir + "llvm-symbolizer" + suffix, std::string("llvm-symbolizer") + suffix, std::string("llvm-symbolizer")}) {
    if (run(quote(name) + " --version", &out) == 0) return name;
  }
  return "";
}

}  // namespace

std::string sourceLineOf(const JitOptions& opts, const void* pc) {
  Dl_info info;
  if (!pc || !dladdr(pc, &info) || !info.dli_fname || !info.dli_fbase) return "";
  char offset[32];
  std::snprintf(offset, sizeof offset, "0x%llx", static_cast<unsigned long long>(static_cast<const char*>(pc) - static_cast<const char*>(info.dli_fbase)));
  static const std::string symbolizer = symbolizerFor(opts.clang);
  // frames innermost first (inlined ones included); each names a file:line, the symbolizer's after a function line
  std::string cmd = symbolizer.empty() ? "addr2line -i -e " + quote(info.dli_fname) + " " + offset
                                       : quote(symbolizer) + " --obj=" + quote(info.dli_fname) + " " + offset;
  std::string out;
  if (run(cmd, &out) != 0) return "";
  std::istringstream in(out);
  std::string line;
  while (std::getline(in, line)) {
    size_t colon = line.find(':');
    if (colon == std::string::npos || colon == 0) continue;
    std::string file = line.substr(0, colon);
    size_t slash = file.rfind('/');
    if (slash != std::string::npos) file = file.substr(slash + 1);
    // the first frame in the user's source: not the shim's headers, the launchers or the C++ library
    if (file.size() < 6 || file.compare(file.size() - 6, 6, ".metal") != 0) continue;
    long n = std::strtol(line.c_str() + colon + 1, nullptr, 10);
    if (n <= 0) continue;
    return file + ":" + std::to_string(n);
  }
  return "";
}

}  // namespace mlxts::emu
