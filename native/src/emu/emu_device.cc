// EmuDevice: the Device interface on the CPU. Buffers are page-aligned host
// memory (so zero-copy views work as on unified memory), libraries are
// JIT-compiled MSL (jit.h), and commitAndWait runs the encoded dispatches in
// order through the runner. MLX_TS_METAL_EMU_THREADS=1 runs every kernel
// thread on an OS thread (the race-detection mode, for ThreadSanitizer);
// a dispatch running past MLX_TS_METAL_EMU_TIMEOUT_MS (default 60 s) is stopped.
// MLX_TS_METAL_RECORD=<dir> writes small dispatches as records for the
// sanitizer replays (record.h). Its stated maxBufferLength is half the
// machine's physical memory (a Mac's Metal device states a similar share of
// its unified memory).
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <map>

#include "../device.h"
#include "jit.h"
#include "record.h"
#include "runner.h"

namespace mlxts {
namespace {

class EmuBuffer : public Buffer {
 public:
  EmuBuffer(void* data, size_t length, bool owned) : data_(data), length_(length), owned_(owned) {}
  ~EmuBuffer() override { if (owned_) std::free(data_); }
  void* contents() override { return data_; }
  size_t length() const override { return length_; }

 private:
  void* data_;
  size_t length_;
  bool owned_;
};

class EmuLibrary : public Library {
 public:
  EmuLibrary(std::string label, std::string source, std::shared_ptr<emu::LoadedLibrary> lib)
      : label_(std::move(label)), source(std::move(source)), lib(std::move(lib)) {}
  const std::string& label() const override { return label_; }

 private:
  std::string label_;

 public:
  std::string source;
  std::shared_ptr<emu::LoadedLibrary> lib;
};

class EmuPipeline : public Pipeline {
 public:
  EmuPipeline(std::string name, emu::Launcher launcher, std::shared_ptr<EmuLibrary> library, const emu::KernelInfo& info)
      : name_(std::move(name)), launcher(launcher), library(std::move(library)), info(info) {}
  const std::string& kernelName() const override { return name_; }
  uint32_t maxThreadsPerThreadgroup() const override { return 1024; }

 private:
  std::string name_;

 public:
  emu::Launcher launcher;
  std::shared_ptr<EmuLibrary> library;
  emu::KernelInfo info;
};

class EmuDevice : public Device {
 public:
  explicit EmuDevice(emu::JitOptions opts) : opts_(std::move(opts)) {
    const char* threads = std::getenv("MLX_TS_METAL_EMU_THREADS");
    threads_ = threads && std::string(threads) == "1";
    if (const char* dir = std::getenv("MLX_TS_METAL_RECORD")) recordDir_ = dir;
    if (const char* ms = std::getenv("MLX_TS_METAL_EMU_TIMEOUT_MS")) timeoutMs_ = uint32_t(std::strtoul(ms, nullptr, 10));
  }
  void setKernelTimeout(uint32_t ms) override { timeoutMs_ = ms; }
  std::string name() const override { return "metal (emulated)"; }
  bool emulated() const override { return true; }
  uint64_t maxBufferLength() const override {
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGE_SIZE);
    if (pages <= 0 || page <= 0) return uint64_t(1) << 32;
    return uint64_t(pages) * uint64_t(page) / 2;
  }

  Result<Buffer> newBuffer(size_t length) override {
    if (length > maxBufferLength()) return {nullptr, "cannot allocate " + std::to_string(length) + " bytes: more than the maxBufferLength of " + std::to_string(maxBufferLength())};
    size_t rounded = (std::max<size_t>(length, 1) + 4095) & ~size_t(4095);
    void* p = std::aligned_alloc(4096, rounded);
    if (!p) return {nullptr, "cannot allocate " + std::to_string(length) + " bytes of device memory"};
    return {std::make_shared<EmuBuffer>(p, length, true), ""};
  }

  Result<Buffer> wrapHostMemory(void* data, size_t length, bool* copied) override {
    *copied = false;
    return {std::make_shared<EmuBuffer>(data, length, false), ""};
  }

  Result<Library> newLibrary(const std::string& label, const std::string& source, bool checked) override {
    std::string error;
    auto lib = emu::compileLibrary(opts_, label, source, &error, checked);
    if (!lib) return {nullptr, error};
    return {std::make_shared<EmuLibrary>(label, source, lib), ""};
  }

  Result<Pipeline> newPipeline(const std::shared_ptr<Library>& library, const std::string& kernel) override {
    auto lib = std::static_pointer_cast<EmuLibrary>(library);
    for (const emu::KernelInfo& k : lib->lib->info.kernels) {
      if (k.name != kernel) continue;
      auto launcher = reinterpret_cast<emu::Launcher>(lib->lib->launcher(kernel));
      if (!launcher) return {nullptr, "the compiled library '" + lib->label() + "' lacks the launcher of kernel '" + kernel + "'"};
      return {std::make_shared<EmuPipeline>(kernel, launcher, lib, k), ""};
    }
    std::string names;
    for (const emu::KernelInfo& k : lib->lib->info.kernels) names += (names.empty() ? "" : ", ") + k.name;
    return {nullptr, "library '" + lib->label() + "' has no kernel '" + kernel + "' (it has: " + names + ")"};
  }

  void encode(Dispatch d) override { pending_.push_back(std::move(d)); }

  std::string commitAndWait() override {
    std::vector<Dispatch> work;
    work.swap(pending_);
    for (Dispatch& d : work) {
      auto* p = static_cast<EmuPipeline*>(d.pipeline.get());
      emu::Launch L;
      L.kernel = p->kernelName();
      L.launcher = p->launcher;
      for (int i = 0; i < 3; i++) { L.grid[i] = d.grid[i]; L.group[i] = d.group[i]; }
      L.timeoutMs = timeoutMs_;
      L.schedule = threads_ ? emu::Schedule::Threads : p->library->lib->info.needsFibers ? emu::Schedule::Fibers : emu::Schedule::Sequential;
      std::string missing;
      for (const emu::KernelParam& param : p->info.params) {
        if (param.bufferIndex < 0) continue;
        if (size_t(param.bufferIndex) >= L.buffers.size()) L.buffers.resize(param.bufferIndex + 1, nullptr);
      }
      bool checked = p->library->lib->checked;
      if (checked) L.regions.assign(L.buffers.size(), __emu::Region{nullptr, 0, nullptr, 0});
      for (Binding& b : d.bindings) {
        if (b.index >= L.buffers.size()) continue;  // the kernel does not read this slot
        L.buffers[b.index] = b.buffer ? static_cast<char*>(b.buffer->contents()) + b.offset : static_cast<void*>(b.bytes.data());
        // a checked kernel may touch the binding's own bytes only (the array's, not the rest of its pooled block)
        if (checked) L.regions[b.index] = {static_cast<char*>(L.buffers[b.index]), bindingLength(b), nameOf(*p, b.index), b.index};
      }
      if (checked) L.locate = [this](const void* pc) { return emu::sourceLineOf(opts_, pc); };
      for (const emu::KernelParam& param : p->info.params) {
        if (param.bufferIndex >= 0 && !L.buffers[param.bufferIndex]) missing += " " + std::to_string(param.bufferIndex);
      }
      if (!missing.empty()) return "kernel '" + L.kernel + "': nothing bound at buffer index" + missing;
      bool record = shouldRecord(d, *p);
      emu::Record rec;
      if (record) rec = snapshot(d, *p);
      std::string error = emu::runLaunch(L);
      if (!error.empty()) return error;
      if (record) finishRecord(d, rec);
    }
    return "";
  }

 private:
  /** The bytes a binding gives the kernel: its stated length, within the buffer. */
  static size_t bindingLength(const Binding& b) {
    if (!b.buffer) return b.bytes.size();
    size_t rest = b.buffer->length() - b.offset;
    return std::min(b.length, rest);
  }

  /** The kernel parameter bound at `index`, for messages. */
  static const char* nameOf(const EmuPipeline& p, uint32_t index) {
    for (const emu::KernelParam& param : p.info.params) {
      if (param.bufferIndex == int(index)) return param.name.c_str();
    }
    return "?";
  }

  /** Small dispatches only, at most two per kernel of a library (the replays run them one OS thread per kernel thread). */
  bool shouldRecord(const Dispatch& d, const EmuPipeline& p) {
    if (recordDir_.empty()) return false;
    uint64_t threads = uint64_t(d.grid[0]) * d.grid[1] * d.grid[2], bytes = 0;
    for (const Binding& b : d.bindings) bytes += b.buffer ? std::min(b.length, b.buffer->length() - b.offset) : b.bytes.size();
    if (threads > 2048 || bytes > (4u << 20)) return false;
    return recorded_[p.library->label() + "|" + p.kernelName()]++ < 2;
  }

  emu::Record snapshot(const Dispatch& d, const EmuPipeline& p) {
    emu::Record r;
    r.label = p.library->label();
    r.source = p.library->source;
    r.kernel = p.kernelName();
    for (int i = 0; i < 3; i++) { r.grid[i] = d.grid[i]; r.group[i] = d.group[i]; }
    std::vector<const uint8_t*> starts;
    for (const Binding& b : d.bindings) {
      emu::RecordedBinding rb;
      rb.index = b.index;
      const uint8_t* at = b.buffer ? static_cast<const uint8_t*>(b.buffer->contents()) + b.offset : b.bytes.data();
      // the array's own bytes when known, so a replay under AddressSanitizer catches a read past them
      size_t n = b.buffer ? std::min(b.length, b.buffer->length() - b.offset) : b.bytes.size();
      rb.before.assign(at, at + n);
      r.bindings.push_back(std::move(rb));
      starts.push_back(at);
    }
    // a buffer bound at several indices (or overlapping views of one) is one allocation in the replay too
    emu::assignRegions(&r, starts);
    return r;
  }

  void finishRecord(const Dispatch& d, emu::Record& r) {
    for (size_t i = 0; i < d.bindings.size(); i++) {
      const Binding& b = d.bindings[i];
      const uint8_t* at = b.buffer ? static_cast<const uint8_t*>(b.buffer->contents()) + b.offset : b.bytes.data();
      r.bindings[i].after.assign(at, at + r.bindings[i].before.size());
    }
    emu::writeRecord(recordDir_ + "/" + std::to_string(getpid()) + "-" + std::to_string(recordSeq_++) + "-" + r.kernel + ".rec", r);
  }

  emu::JitOptions opts_;
  bool threads_ = false;
  uint32_t timeoutMs_ = 60000;
  std::string recordDir_;
  std::map<std::string, int> recorded_;
  uint64_t recordSeq_ = 0;
  std::vector<Dispatch> pending_;
};

}  // namespace

std::unique_ptr<Device> createEmuDevice(const std::string& shimDir, const std::string& cacheDir, std::string* error) {
  emu::JitOptions opts;
  opts.shimDir = shimDir;
  opts.cacheDir = cacheDir;
  if (const char* cc = std::getenv("MLX_TS_METAL_CLANG")) opts.clang = cc;
  if (const char* flags = std::getenv("MLX_TS_METAL_EMU_FLAGS")) opts.extraFlags = flags;
  (void)error;
  return std::make_unique<EmuDevice>(opts);
}

}  // namespace mlxts
