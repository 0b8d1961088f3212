// MetalDevice: the Device interface on Apple's Metal, in C++ over the
// objc.h binding. Buffers use shared storage (CPU and GPU see the same bytes);
// libraries compile from MSL source with fast math off (the precise-math
// contract); a command buffer collects the encoded dispatches until
// commitAndWait. On Linux this file is type-checked against native/stubs
// (MLXTS_METAL_SYNTAX_CHECK); elsewhere createMetalDevice says Metal needs macOS.
#include "../device.h"

#if defined(__APPLE__) || defined(MLXTS_METAL_SYNTAX_CHECK)
#include "objc.h"

extern "C" id MTLCreateSystemDefaultDevice(void);

namespace mlxts {
namespace {
using namespace objc;

constexpr NSUInteger kStorageModeShared = 0;  // MTLResourceStorageModeShared
constexpr NSInteger kCommandBufferError = 5;  // MTLCommandBufferStatusError

class MetalBuffer : public Buffer {
 public:
  MetalBuffer(id buffer, size_t length) : buffer_(buffer), length_(length) {}
  ~MetalBuffer() override { release(buffer_); }
  void* contents() override { return send<void*>(buffer_, "contents"); }
  size_t length() const override { return length_; }
  id handle() const { return buffer_; }

 private:
  id buffer_;
  size_t length_;
};

class MetalLibrary : public Library {
 public:
  MetalLibrary(std::string label, id library) : label_(std::move(label)), library_(library) {}
  ~MetalLibrary() override { release(library_); }
  const std::string& label() const override { return label_; }
  id handle() const { return library_; }

 private:
  std::string label_;
  id library_;
};

class MetalPipeline : public Pipeline {
 public:
  MetalPipeline(std::string name, id state) : name_(std::move(name)), state_(state) {}
  ~MetalPipeline() override { release(state_); }
  const std::string& kernelName() const override { return name_; }
  uint32_t maxThreadsPerThreadgroup() const override { return uint32_t(send<NSUInteger>(state_, "maxTotalThreadsPerThreadgroup")); }
  id handle() const { return state_; }

 private:
  std::string name_;
  id state_;
};

class MetalDevice : public Device {
 public:
  MetalDevice(id device, id queue) : device_(device), queue_(queue) {}
  ~MetalDevice() override {
    release(queue_);
    release(device_);
  }

  std::string name() const override { return "metal (" + toString(send<id>(device_, "name")) + ")"; }
  bool emulated() const override { return false; }
  uint64_t maxBufferLength() const override { return uint64_t(send<NSUInteger>(device_, "maxBufferLength")); }

  Result<Buffer> newBuffer(size_t length) override {
    if (length > maxBufferLength()) return {nullptr, "cannot allocate " + std::to_string(length) + " bytes: more than the device's maxBufferLength of " + std::to_string(maxBufferLength())};
    AutoreleasePool pool;
    id b = send<id>(device_, "newBufferWithLength:options:", NSUInteger(length ? length : 1), kStorageModeShared);
    if (!b) return {nullptr, "Metal could not allocate " + std::to_string(length) + " bytes"};
    return {std::make_shared<MetalBuffer>(b, length), ""};
  }

  Result<Buffer> wrapHostMemory(void* data, size_t length, bool* copied) override {
    AutoreleasePool pool;
    const uintptr_t page = 16384;
    bool aligned = reinterpret_cast<uintptr_t>(data) % page == 0 && length % page == 0 && length > 0;
    id b = aligned ? send<id>(device_, "newBufferWithBytesNoCopy:length:options:deallocator:", data, NSUInteger(length), kStorageModeShared, static_cast<id>(nullptr))
                   : send<id>(device_, "newBufferWithBytes:length:options:", static_cast<const void*>(data), NSUInteger(length ? length : 1), kStorageModeShared);
    *copied = !aligned;
    if (!b) return {nullptr, "Metal could not map " + std::to_string(length) + " bytes of host memory"};
    return {std::make_shared<MetalBuffer>(b, length), ""};
  }

  Result<Library> newLibrary(const std::string& label, const std::string& source, bool /* checked: the emulator's */) override {
    AutoreleasePool pool;
    id options = send<id>(send<id>(cls("MTLCompileOptions"), "alloc"), "init");
    send<void>(options, "setFastMathEnabled:", false);
    id error = nullptr;
    id lib = send<id>(device_, "newLibraryWithSource:options:error:", nsString(source), options, &error);
    release(options);
    if (!lib) return {nullptr, errorText(error)};
    return {std::make_shared<MetalLibrary>(label, lib), ""};
  }

  Result<Pipeline> newPipeline(const std::shared_ptr<Library>& library, const std::string& kernel) override {
    AutoreleasePool pool;
    auto* lib = static_cast<MetalLibrary*>(library.get());
    id fn = send<id>(lib->handle(), "newFunctionWithName:", nsString(kernel));
    if (!fn) return {nullptr, "library '" + lib->label() + "' has no kernel '" + kernel + "'"};
    id error = nullptr;
    id state = send<id>(device_, "newComputePipelineStateWithFunction:error:", fn, &error);
    release(fn);
    if (!state) return {nullptr, "kernel '" + kernel + "': " + errorText(error)};
    return {std::make_shared<MetalPipeline>(kernel, state), ""};
  }

  void encode(Dispatch d) override { pending_.push_back(std::move(d)); }

  std::string commitAndWait() override {
    if (pending_.empty()) return "";
    AutoreleasePool pool;
    std::vector<Dispatch> work;
    work.swap(pending_);
    id cb = send<id>(queue_, "commandBuffer");
    id enc = send<id>(cb, "computeCommandEncoder");
    for (Dispatch& d : work) {
      send<void>(enc, "setComputePipelineState:", static_cast<MetalPipeline*>(d.pipeline.get())->handle());
      for (Binding& b : d.bindings) {
        if (b.buffer) {
          send<void>(enc, "setBuffer:offset:atIndex:", static_cast<MetalBuffer*>(b.buffer.get())->handle(), NSUInteger(b.offset), NSUInteger(b.index));
        } else {
          send<void>(enc, "setBytes:length:atIndex:", static_cast<const void*>(b.bytes.data()), NSUInteger(b.bytes.size()), NSUInteger(b.index));
        }
      }
      MTLSize grid{d.grid[0], d.grid[1], d.grid[2]}, group{d.group[0], d.group[1], d.group[2]};
      send<void>(enc, "dispatchThreads:threadsPerThreadgroup:", grid, group);
    }
    send<void>(enc, "endEncoding");
    send<void>(cb, "commit");
    send<void>(cb, "waitUntilCompleted");
    if (send<NSInteger>(cb, "status") == kCommandBufferError) {
      std::string names;
      for (Dispatch& d : work) names += (names.empty() ? "" : ", ") + d.pipeline->kernelName();
      return "the command buffer failed (" + names + "): " + errorText(send<id>(cb, "error"));
    }
    return "";
  }

 private:
  id device_;
  id queue_;
  std::vector<Dispatch> pending_;
};

}  // namespace

std::unique_ptr<Device> createMetalDevice(std::string* error) {
  id device = MTLCreateSystemDefaultDevice();
  if (!device) {
    *error = "no Metal device on this Mac";
    return nullptr;
  }
  id queue = send<id>(device, "newCommandQueue");
  if (!queue) {
    release(device);
    *error = "Metal could not create a command queue";
    return nullptr;
  }
  return std::make_unique<MetalDevice>(device, queue);
}

}  // namespace mlxts

#else

namespace mlxts {

std::unique_ptr<Device> createMetalDevice(std::string* error) {
  *error = "Metal needs macOS";
  return nullptr;
}

}  // namespace mlxts

#endif
