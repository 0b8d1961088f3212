// The device layer under the N-API binding: what a Metal-like device must do
// for mlx-ts (host-visible buffers, libraries compiled from MSL source,
// pipelines, encoded dispatches with dispatchThreads semantics, commit and
// wait). MetalDevice implements it on macOS, EmuDevice on the CPU. Failures
// are returned as messages, never thrown across this interface.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace mlxts {

/** Host-visible device memory (shared storage on Metal, plain memory on the emulator). */
class Buffer {
 public:
  virtual ~Buffer() = default;
  virtual void* contents() = 0;
  virtual size_t length() const = 0;
};

class Pipeline {
 public:
  virtual ~Pipeline() = default;
  virtual const std::string& kernelName() const = 0;
  /** The largest threadgroup this pipeline may be dispatched with. */
  virtual uint32_t maxThreadsPerThreadgroup() const = 0;
};

class Library {
 public:
  virtual ~Library() = default;
  virtual const std::string& label() const = 0;
};

/** One argument slot of a dispatch: a range of a buffer, or bytes copied at encode time (setBytes). */
struct Binding {
  uint32_t index = 0;
  std::shared_ptr<Buffer> buffer;
  size_t offset = 0;
  /** Bytes from offset the kernel may touch (the array's, within the pooled block); SIZE_MAX: to the block's end. */
  size_t length = SIZE_MAX;
  std::vector<uint8_t> bytes;
};

struct Dispatch {
  std::shared_ptr<Pipeline> pipeline;
  std::vector<Binding> bindings;
  uint32_t grid[3] = {1, 1, 1};
  uint32_t group[3] = {1, 1, 1};
};

template <class T>
struct Result {
  std::shared_ptr<T> value;
  std::string error;
  bool ok() const { return value != nullptr; }
};

class Device {
 public:
  virtual ~Device() = default;
  /** The name shown in reports: "metal (emulated)" on the emulator. */
  virtual std::string name() const = 0;
  virtual bool emulated() const = 0;
  /** The largest buffer newBuffer makes (Metal: the device's maxBufferLength; the emulator states its own). */
  virtual uint64_t maxBufferLength() const = 0;
  virtual Result<Buffer> newBuffer(size_t length) = 0;
  /**
   * A buffer over existing host memory (no copy where the device can map it,
   * as on the emulator; `copied` is set when it had to copy).
   */
  virtual Result<Buffer> wrapHostMemory(void* data, size_t length, bool* copied) = 0;
  /**
   * Compiles MSL. `checked` (user kernels): the emulator bounds-checks every
   * access through the kernels' device and constant pointers against the bound
   * ranges (Binding::length) and thread and threadgroup array indices; Metal ignores it.
   */
  virtual Result<Library> newLibrary(const std::string& label, const std::string& source, bool checked) = 0;
  virtual Result<Pipeline> newPipeline(const std::shared_ptr<Library>& library, const std::string& kernel) = 0;
  /** Adds a dispatch to the open command buffer. */
  virtual void encode(Dispatch dispatch) = 0;
  /** Commits the open command buffer and waits; an empty string when every dispatch ran. */
  virtual std::string commitAndWait() = 0;
  /** Stops a dispatch that runs longer (the emulator; a GPU has its own watchdog). */
  virtual void setKernelTimeout(uint32_t ms) { (void)ms; }
};

/** The emulator (see emu/emu_device.h); `shimDir` holds metal_stdlib.h, `cacheDir` the compiled libraries. */
std::unique_ptr<Device> createEmuDevice(const std::string& shimDir, const std::string& cacheDir, std::string* error);
/** Metal's default device on macOS; nullptr with `error` set elsewhere. */
std::unique_ptr<Device> createMetalDevice(std::string* error);

}  // namespace mlxts
