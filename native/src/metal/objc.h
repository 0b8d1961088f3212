// A small clean-room binding of the Objective-C runtime for calling Metal
// from plain C++: typed objc_msgSend casts, selectors and classes by name,
// NSString conversion and an autorelease-pool guard. Only what
// metal_device.cc needs; compiles against Apple's headers and, for the Linux
// type check, against native/stubs.
#pragma once
#include <objc/message.h>
#include <objc/runtime.h>

#include <cstddef>
#include <cstdint>
#include <string>

namespace mlxts::objc {

using NSUInteger = unsigned long;
using NSInteger = long;

struct MTLSize {
  NSUInteger width, height, depth;
};

inline SEL sel(const char* name) { return sel_registerName(name); }
inline id cls(const char* name) { return reinterpret_cast<id>(objc_lookUpClass(name)); }

/** [target selector:args...] returning R. */
template <class R, class... A>
inline R send(id target, const char* selector, A... args) {
  using Fn = R (*)(id, SEL, A...);
  return reinterpret_cast<Fn>(reinterpret_cast<void (*)(void)>(objc_msgSend))(target, sel(selector), args...);
}

inline id nsString(const std::string& s) { return send<id>(cls("NSString"), "stringWithUTF8String:", s.c_str()); }

inline std::string toString(id nsstring) {
  if (!nsstring) return "";
  const char* c = send<const char*>(nsstring, "UTF8String");
  return c ? c : "";
}

/** The localized description of an NSError (empty for nil). */
inline std::string errorText(id error) { return error ? toString(send<id>(error, "localizedDescription")) : ""; }

inline void release(id object) {
  if (object) send<void>(object, "release");
}

extern "C" void* objc_autoreleasePoolPush(void);
extern "C" void objc_autoreleasePoolPop(void* pool);

/** Drains autoreleased objects made in its scope. */
class AutoreleasePool {
 public:
  AutoreleasePool() : pool_(objc_autoreleasePoolPush()) {}
  ~AutoreleasePool() { objc_autoreleasePoolPop(pool_); }
  AutoreleasePool(const AutoreleasePool&) = delete;
  AutoreleasePool& operator=(const AutoreleasePool&) = delete;

 private:
  void* pool_;
};

}  // namespace mlxts::objc
