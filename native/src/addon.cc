// The N-API binding of the Metal backend: one Device object for JS (buffers
// as zero-copy ArrayBuffers over device memory, freed when their ArrayBuffer
// is collected or at once by freeBuffer; libraries, pipelines, encode and
// commit). Sizes are checked before memory is asked for (maxBufferLength:
// the device's, and no more than Node can wrap in one ArrayBuffer). Every
// entry point converts failures into JS exceptions; nothing is thrown past
// this file.
#include <napi.h>

#include <cmath>
#include <map>

#include "device.h"

namespace mlxts {
namespace {

template <class T>
struct Handle {
  std::shared_ptr<T> ptr;
};

template <class T>
Napi::External<Handle<T>> wrapHandle(Napi::Env env, std::shared_ptr<T> p) {
  return Napi::External<Handle<T>>::New(env, new Handle<T>{std::move(p)}, [](Napi::Env, Handle<T>* h) { delete h; });
}

template <class T>
std::shared_ptr<T> unwrapHandle(const Napi::Value& v, const char* what) {
  if (!v.IsExternal()) throw Napi::TypeError::New(v.Env(), std::string("[metal] expected a ") + what + " handle");
  return v.As<Napi::External<Handle<T>>>().Data()->ptr;
}

/** A live device buffer behind one ArrayBuffer: the only strong reference (dispatches take their own while queued). */
struct LiveBuffer {
  uint64_t id;
  std::shared_ptr<Buffer> buffer;
  size_t length;
};

/** Live buffers by address (an address is unique among live allocations, whatever device made them). Never destroyed. */
std::map<void*, LiveBuffer>& liveBuffers() {
  static auto* live = new std::map<void*, LiveBuffer>();
  return *live;
}

/** Numbers buffers across devices, so a stale finalizer never drops a later buffer at the same address. */
uint64_t nextBufferId() {
  static uint64_t next = 0;
  return ++next;
}

/** Drops the buffer at `data` if it is still the one numbered `id` (a later buffer may reuse the address). */
void dropBuffer(napi_env env, void* data, uint64_t id) {
  auto& live = liveBuffers();
  auto it = live.find(data);
  if (it == live.end() || it->second.id != id) return;
  int64_t length = int64_t(it->second.length);
  live.erase(it);
  int64_t ignored;
  napi_adjust_external_memory(env, -length, &ignored);
}

/** The ArrayBuffer's finalizer: the id travels as the hint's value (no allocation to lose if creation fails). */
void finalizeBuffer(napi_env env, void* data, void* hint) { dropBuffer(env, data, uint64_t(reinterpret_cast<uintptr_t>(hint))); }

class DeviceWrap : public Napi::ObjectWrap<DeviceWrap> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "Device",
                       {InstanceMethod("newBuffer", &DeviceWrap::NewBuffer), InstanceMethod("freeBuffer", &DeviceWrap::FreeBuffer),
                        InstanceMethod("newLibrary", &DeviceWrap::NewLibrary),
                        InstanceMethod("newPipeline", &DeviceWrap::NewPipeline), InstanceMethod("encode", &DeviceWrap::Encode),
                        InstanceMethod("commit", &DeviceWrap::Commit), InstanceMethod("setKernelTimeout", &DeviceWrap::SetKernelTimeout), InstanceAccessor("name", &DeviceWrap::Name, nullptr),
                        InstanceAccessor("emulated", &DeviceWrap::Emulated, nullptr),
                        InstanceAccessor("maxBufferLength", &DeviceWrap::MaxBufferLength, nullptr),
                        InstanceAccessor("copiedBindings", &DeviceWrap::CopiedBindings, nullptr)});
  }

  DeviceWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<DeviceWrap>(info) {
    Napi::Env env = info.Env();
    if (!info[0].IsObject()) throw Napi::TypeError::New(env, "[metal] Device({ shimDir, cacheDir, emulate, maxArrayBufferLength })");
    Napi::Object o = info[0].As<Napi::Object>();
    std::string shim = o.Get("shimDir").ToString(), cache = o.Get("cacheDir").ToString();
    bool emulate = o.Get("emulate").ToBoolean();
    Napi::Value hostMax = o.Get("maxArrayBufferLength");
    if (!hostMax.IsNumber() || !(hostMax.As<Napi::Number>().DoubleValue() > 0)) {
      throw Napi::TypeError::New(env, "[metal] Device: maxArrayBufferLength (the largest ArrayBuffer Node wraps over external memory) must be a positive number");
    }
    hostMaxLength_ = hostMax.As<Napi::Number>().DoubleValue();
    std::string error;
    if (!emulate) device_ = createMetalDevice(&error);
    if (!device_) {
      if (!emulate && !error.empty()) error = "Metal: " + error + "; ";
      std::string emuError;
      device_ = createEmuDevice(shim, cache, &emuError);
      if (!device_) throw Napi::Error::New(env, "[metal] no device: " + error + emuError);
    }
  }

 private:
  Napi::Value Name(const Napi::CallbackInfo& info) { return Napi::String::New(info.Env(), device_->name()); }
  Napi::Value Emulated(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), device_->emulated()); }
  Napi::Value CopiedBindings(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), double(copiedBindings_)); }

  /** The largest buffer newBuffer makes: the device's maxBufferLength, and no more than Node wraps in one ArrayBuffer. */
  double maxLength() const { return std::min(double(device_->maxBufferLength()), hostMaxLength_); }
  Napi::Value MaxBufferLength(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), maxLength()); }

  /** newBuffer(nbytes): an ArrayBuffer whose bytes are the device buffer's (shared memory, no copy). */
  Napi::Value NewBuffer(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!info[0].IsNumber()) throw Napi::TypeError::New(env, "[metal] newBuffer(nbytes: number)");
    double n = info[0].As<Napi::Number>().DoubleValue();
    if (!(n >= 0) || n != std::floor(n)) throw Napi::RangeError::New(env, "[metal] newBuffer: invalid size " + std::to_string(n));
    // checked here: Node fails to wrap a larger ArrayBuffer and its failure path faulted (exit 139)
    if (n > maxLength()) {
      throw Napi::RangeError::New(env, "[metal] cannot allocate " + std::to_string(uint64_t(n)) + " bytes: larger than the maxBufferLength of " +
                                           std::to_string(uint64_t(maxLength())) + " bytes (the device's " + std::to_string(device_->maxBufferLength()) +
                                           ", Node's ArrayBuffer limit " + std::to_string(uint64_t(hostMaxLength_)) + ")");
    }
    Result<Buffer> r = device_->newBuffer(size_t(n));
    if (!r.ok()) throw Napi::Error::New(env, "[metal] " + r.error);
    void* data = r.value->contents();
    size_t length = r.value->length();
    uint64_t id = nextBufferId();
    liveBuffers()[data] = LiveBuffer{id, r.value, length};
    int64_t ignored;
    napi_adjust_external_memory(env, int64_t(length), &ignored);
    napi_value ab;
    napi_status status = napi_create_external_arraybuffer(env, data, length, finalizeBuffer, reinterpret_cast<void*>(uintptr_t(id)), &ab);
    if (status != napi_ok) {
      // the finalizer may or may not have run: dropping by id is safe either way
      dropBuffer(env, data, id);
      throw Napi::Error::New(env, "[metal] Node could not wrap " + std::to_string(length) + " bytes of device memory in an ArrayBuffer");
    }
    return Napi::Value(env, ab);
  }

  /** freeBuffer(arrayBuffer): detaches it (its views become empty) and frees the device memory now, not at collection. */
  Napi::Value FreeBuffer(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!info[0].IsArrayBuffer()) throw Napi::TypeError::New(env, "[metal] freeBuffer(buffer: ArrayBuffer)");
    Napi::ArrayBuffer ab = info[0].As<Napi::ArrayBuffer>();
    void* data = ab.Data();
    auto it = liveBuffers().find(data);
    if (data == nullptr || it == liveBuffers().end()) throw Napi::Error::New(env, "[metal] freeBuffer: not a live device buffer (freed twice?)");
    uint64_t id = it->second.id;
    if (napi_detach_arraybuffer(env, ab) != napi_ok) throw Napi::Error::New(env, "[metal] freeBuffer: the ArrayBuffer cannot be detached; its memory stays until it is collected");
    dropBuffer(env, data, id);
    return env.Undefined();
  }

  Napi::Value NewLibrary(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!info[0].IsString() || !info[1].IsString()) throw Napi::TypeError::New(env, "[metal] newLibrary(label: string, source: string, options?: { checked?: boolean })");
    std::string label = info[0].As<Napi::String>();
    // checked (user kernels): every access through the kernels' device pointers is bounds-checked on the emulator
    bool checked = info.Length() > 2 && info[2].IsObject() && info[2].As<Napi::Object>().Get("checked").ToBoolean();
    Result<Library> r = device_->newLibrary(label, info[1].As<Napi::String>(), checked);
    if (!r.ok()) throw Napi::Error::New(env, "[metal] compiling MSL library '" + label + "' failed:\n" + r.error);
    return wrapHandle(env, r.value);
  }

  Napi::Value NewPipeline(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    auto lib = unwrapHandle<Library>(info[0], "library");
    if (!info[1].IsString()) throw Napi::TypeError::New(env, "[metal] newPipeline(library, kernel: string)");
    Result<Pipeline> r = device_->newPipeline(lib, info[1].As<Napi::String>());
    if (!r.ok()) throw Napi::Error::New(env, "[metal] " + r.error);
    return wrapHandle(env, r.value);
  }

  /** The device buffer behind an ArrayBuffer range: one of ours, or host memory wrapped for the dispatch. */
  std::shared_ptr<Buffer> resolve(Napi::Env env, Napi::ArrayBuffer ab) {
    void* data = ab.Data();
    auto it = liveBuffers().find(data);
    if (it != liveBuffers().end()) return it->second.buffer;
    bool copied = false;
    Result<Buffer> r = device_->wrapHostMemory(data, ab.ByteLength(), &copied);
    if (!r.ok()) throw Napi::Error::New(env, "[metal] " + r.error);
    if (copied) copiedBindings_++;
    return r.value;
  }

  /** encode(pipeline, bindings: {index, buffer?: ArrayBuffer, offset?, bytes?: Uint8Array}[], grid: number[3], group: number[3]) */
  Napi::Value Encode(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Dispatch d;
    d.pipeline = unwrapHandle<Pipeline>(info[0], "pipeline");
    if (!info[1].IsArray() || !info[2].IsArray() || !info[3].IsArray()) {
      throw Napi::TypeError::New(env, "[metal] encode(pipeline, bindings[], grid[3], group[3])");
    }
    Napi::Array bindings = info[1].As<Napi::Array>();
    for (uint32_t i = 0; i < bindings.Length(); i++) {
      Napi::Object b = bindings.Get(i).As<Napi::Object>();
      Binding bind;
      bind.index = b.Get("index").ToNumber().Uint32Value();
      Napi::Value buf = b.Get("buffer"), bytes = b.Get("bytes");
      if (buf.IsArrayBuffer()) {
        Napi::ArrayBuffer ab = buf.As<Napi::ArrayBuffer>();
        bind.buffer = resolve(env, ab);
        bind.offset = b.Has("offset") ? size_t(b.Get("offset").ToNumber().Int64Value()) : 0;
        if (bind.offset > ab.ByteLength()) throw Napi::RangeError::New(env, "[metal] encode: binding offset past the buffer's end");
        if (b.Has("length")) {
          double len = b.Get("length").ToNumber().DoubleValue();
          if (!(len >= 0) || len > double(ab.ByteLength() - bind.offset)) throw Napi::RangeError::New(env, "[metal] encode: binding length past the buffer's end");
          bind.length = size_t(len);
        }
      } else if (bytes.IsTypedArray()) {
        Napi::TypedArray t = bytes.As<Napi::TypedArray>();
        auto* p = static_cast<uint8_t*>(t.ArrayBuffer().Data()) + t.ByteOffset();
        bind.bytes.assign(p, p + t.ByteLength());
        if (bind.bytes.empty()) bind.bytes.resize(4);
      } else {
        throw Napi::TypeError::New(env, "[metal] encode: binding " + std::to_string(i) + " needs an ArrayBuffer 'buffer' or a typed array 'bytes'");
      }
      d.bindings.push_back(std::move(bind));
    }
    Napi::Array grid = info[2].As<Napi::Array>(), group = info[3].As<Napi::Array>();
    uint64_t groupThreads = 1;
    for (uint32_t k = 0; k < 3; k++) {
      d.grid[k] = dimension(env, grid.Get(k), "grid", k);
      d.group[k] = dimension(env, group.Get(k), "threadgroup", k);
      if (d.group[k] == 0) throw Napi::RangeError::New(env, "[metal] encode: threadgroup size has a zero dimension");
      groupThreads *= d.group[k];
    }
    if (groupThreads > d.pipeline->maxThreadsPerThreadgroup()) {
      throw Napi::RangeError::New(env, "[metal] encode: threadgroup of " + std::to_string(groupThreads) + " threads exceeds kernel '" +
                                           d.pipeline->kernelName() + "''s limit of " + std::to_string(d.pipeline->maxThreadsPerThreadgroup()));
    }
    device_->encode(std::move(d));
    return env.Undefined();
  }

  /** A grid or threadgroup dimension: an integer that fits 32 bits (a larger one would wrap; the host splits such dispatches). */
  static uint32_t dimension(Napi::Env env, Napi::Value v, const char* what, uint32_t k) {
    double x = v.ToNumber().DoubleValue();
    if (!(x >= 0 && x <= 4294967295.0) || x != std::floor(x)) {
      throw Napi::RangeError::New(env, std::string("[metal] encode: ") + what + " dimension " + std::to_string(k) + " is " + std::to_string(x) +
                                           ", not an integer in 0..2^32-1");
    }
    return uint32_t(x);
  }

  /** setKernelTimeout(ms): the emulator stops a dispatch running longer (0: never). */
  Napi::Value SetKernelTimeout(const Napi::CallbackInfo& info) {
    if (!info[0].IsNumber()) throw Napi::TypeError::New(info.Env(), "[metal] setKernelTimeout(ms: number)");
    device_->setKernelTimeout(info[0].As<Napi::Number>().Uint32Value());
    return info.Env().Undefined();
  }

  Napi::Value Commit(const Napi::CallbackInfo& info) {
    std::string error;
    // a C++ exception (out of memory) must become a JS one: past this callback it would abort the process
    try {
      error = device_->commitAndWait();
    } catch (const std::exception& e) {
      error = std::string("the device could not run the command buffer (") + e.what() + ")";
    }
    if (!error.empty()) throw Napi::Error::New(info.Env(), "[metal] " + error);
    return info.Env().Undefined();
  }

  std::unique_ptr<Device> device_;
  double hostMaxLength_ = 0;
  uint64_t copiedBindings_ = 0;
};

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("Device", DeviceWrap::Define(env));
#ifdef __APPLE__
  exports.Set("platform", Napi::String::New(env, "macos"));
#else
  exports.Set("platform", Napi::String::New(env, "linux"));
#endif
  return exports;
}

}  // namespace
}  // namespace mlxts

static Napi::Object InitAddon(Napi::Env env, Napi::Object exports) { return mlxts::Init(env, exports); }

NODE_API_MODULE(mlx_ts_metal, InitAddon)
