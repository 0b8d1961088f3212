// The N-API binding of the Metal backend: one Device object for JS (buffers
// as zero-copy ArrayBuffers over device memory, libraries, pipelines,
// encode and commit). Every entry point converts failures into JS
// exceptions; nothing is thrown past this file.
#include <napi.h>

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

class DeviceWrap : public Napi::ObjectWrap<DeviceWrap> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "Device",
                       {InstanceMethod("newBuffer", &DeviceWrap::NewBuffer), InstanceMethod("newLibrary", &DeviceWrap::NewLibrary),
                        InstanceMethod("newPipeline", &DeviceWrap::NewPipeline), InstanceMethod("encode", &DeviceWrap::Encode),
                        InstanceMethod("commit", &DeviceWrap::Commit), InstanceMethod("setKernelTimeout", &DeviceWrap::SetKernelTimeout), InstanceAccessor("name", &DeviceWrap::Name, nullptr),
                        InstanceAccessor("emulated", &DeviceWrap::Emulated, nullptr),
                        InstanceAccessor("copiedBindings", &DeviceWrap::CopiedBindings, nullptr)});
  }

  DeviceWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<DeviceWrap>(info) {
    Napi::Env env = info.Env();
    if (!info[0].IsObject()) throw Napi::TypeError::New(env, "[metal] Device({ shimDir, cacheDir, emulate })");
    Napi::Object o = info[0].As<Napi::Object>();
    std::string shim = o.Get("shimDir").ToString(), cache = o.Get("cacheDir").ToString();
    bool emulate = o.Get("emulate").ToBoolean();
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

  /** newBuffer(nbytes): an ArrayBuffer whose bytes are the device buffer's (shared memory, no copy). */
  Napi::Value NewBuffer(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!info[0].IsNumber()) throw Napi::TypeError::New(env, "[metal] newBuffer(nbytes: number)");
    double n = info[0].As<Napi::Number>().DoubleValue();
    if (!(n >= 0) || n > 1e15) throw Napi::RangeError::New(env, "[metal] newBuffer: invalid size " + std::to_string(n));
    Result<Buffer> r = device_->newBuffer(size_t(n));
    if (!r.ok()) throw Napi::Error::New(env, "[metal] " + r.error);
    void* data = r.value->contents();
    size_t length = r.value->length();
    (*buffers_)[data] = r.value;
    auto* hold = new std::shared_ptr<Buffer>(r.value);
    Napi::MemoryManagement::AdjustExternalMemory(env, int64_t(length));
    auto registry = buffers_;
    return Napi::ArrayBuffer::New(env, data, length, [registry, length](Napi::Env e, void* p, std::shared_ptr<Buffer>* h) {
      auto it = registry->find(p);
      if (it != registry->end() && it->second.lock() == *h) registry->erase(it);
      delete h;
      Napi::MemoryManagement::AdjustExternalMemory(e, -int64_t(length));
    }, hold);
  }

  Napi::Value NewLibrary(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!info[0].IsString() || !info[1].IsString()) throw Napi::TypeError::New(env, "[metal] newLibrary(label: string, source: string)");
    std::string label = info[0].As<Napi::String>();
    Result<Library> r = device_->newLibrary(label, info[1].As<Napi::String>());
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
    auto it = buffers_->find(data);
    if (it != buffers_->end()) {
      if (auto b = it->second.lock()) return b;
    }
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
      d.grid[k] = grid.Get(k).ToNumber().Uint32Value();
      d.group[k] = group.Get(k).ToNumber().Uint32Value();
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

  /** setKernelTimeout(ms): the emulator stops a dispatch running longer (0: never). */
  Napi::Value SetKernelTimeout(const Napi::CallbackInfo& info) {
    if (!info[0].IsNumber()) throw Napi::TypeError::New(info.Env(), "[metal] setKernelTimeout(ms: number)");
    device_->setKernelTimeout(info[0].As<Napi::Number>().Uint32Value());
    return info.Env().Undefined();
  }

  Napi::Value Commit(const Napi::CallbackInfo& info) {
    std::string error = device_->commitAndWait();
    if (!error.empty()) throw Napi::Error::New(info.Env(), "[metal] " + error);
    return info.Env().Undefined();
  }

  std::unique_ptr<Device> device_;
  /** Device buffers by address, so an ArrayBuffer passed back to encode finds its buffer (shared with the finalizers). */
  std::shared_ptr<std::map<void*, std::weak_ptr<Buffer>>> buffers_ = std::make_shared<std::map<void*, std::weak_ptr<Buffer>>>();
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
