// Checked pointers for user kernels (mx.fast.metalKernel) on the MSL execution
// layer: the launcher generator rewrites `device T*` and `constant T*` into
// dptr<T>, which knows the bound buffer it points into and makes any access
// outside that buffer a kernel error instead of a read or write of other memory.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <type_traits>

#include "emu_runtime.h"

namespace __emu {

/** Where null device pointers, and device pointers made from addresses outside every bound buffer, point: no access passes. */
inline constexpr Region no_region = {nullptr, 0, nullptr, 0xffffffffu};
/** Where constant-space pointers to program-scope constants point (no bound buffer): not checked. */
inline constexpr Region program_constants = {nullptr, SIZE_MAX, nullptr, 0xfffffffeu};

/** Ends the kernel thread with an error naming the buffer and the bytes it missed (the runner adds the .metal line). */
[[noreturn]] __attribute__((noinline, cold)) inline void out_of_bounds(const Region* r, uintptr_t at, size_t size) {
  static thread_local char message[400];
  if (r == &no_region) {
    std::snprintf(message, sizeof message,
                  "access of %zu bytes through a device pointer that points into no bound buffer (null, or made from an address outside the kernel's buffers)",
                  size);
  } else {
    long long off = (long long)(at - uintptr_t(r->base));
    int n = std::snprintf(message, sizeof message, "out-of-bounds access to '%s' (buffer(%u), %zu bytes): ", r->name ? r->name : "?", r->index, r->length);
    if (off % (long long)size == 0) {
      std::snprintf(message + n, sizeof message - n, "element %lld (%zu bytes at byte offset %lld)", off / (long long)size, size, off);
    } else {
      std::snprintf(message + n, sizeof message - n, "%zu bytes at byte offset %lld", size, off);
    }
  }
  Lane* me = current;
  me->fault_pc = __builtin_return_address(0);
  me->fail(me, message);
  __builtin_unreachable();
}

template <class T, bool Constant = false>
struct dptr;
/** Tags the constructor that takes an address and its buffer as they are. */
struct raw_t {};

/** A checked pointer's address (const-qualified: dptr<T> stores it in its dptr<const T> part) and buffer. */
template <class T>
struct dptr_data {
  T* p;
  const Region* r;
  dptr_data(T* a, const Region* g, raw_t) : p(a), r(g) {}
};
/**
 * dptr<T> derives from dptr<const T>, so a template's `const device T*`
 * parameter deduces T from a `device T*` argument, as it does for plain pointers.
 */
template <class T, bool Constant>
using dptr_parent = std::conditional_t<std::is_const_v<T>, dptr_data<T>, dptr<const T, Constant>>;

/**
 * A device (or constant) address-space pointer of a checked kernel: the
 * address and the bound buffer it was derived from. Indexing, `*` and `->`
 * check that the element's bytes lie inside that buffer; arithmetic, casts
 * and comparisons behave as on a plain pointer (an address outside the
 * buffer may be formed, not dereferenced).
 */
template <class T, bool Constant>
struct dptr : dptr_parent<T, Constant> {
  using parent = dptr_parent<T, Constant>;
  using ref = std::add_lvalue_reference_t<T>;
  using parent::p;
  using parent::r;

  dptr(T* a, const Region* g, raw_t) : parent(a, g, raw_t{}) {}
  dptr() : dptr(nullptr, &no_region, raw_t{}) {}
  dptr(std::nullptr_t) : dptr() {}
  /** From a plain address (`&x`, a cast): the bound buffer holding it, else none (device) or program-scope data (constant). */
  dptr(T* raw) : dptr(raw, find(raw), raw_t{}) {}
  template <class U, std::enable_if_t<!std::is_convertible_v<U*, T*>, int> = 0>
  explicit dptr(U* raw) : dptr((T*)raw, find(raw), raw_t{}) {}
  /** device T* to const device T*, device void* */
  template <class U, std::enable_if_t<std::is_convertible_v<U*, T*>, int> = 0>
  dptr(const dptr<U, Constant>& o) : dptr(o.raw(), o.r, raw_t{}) {}
  /** A cast to another pointee type (a vector type, bytes, dropping const): the same buffer. */
  template <class U, bool C, std::enable_if_t<!std::is_convertible_v<U*, T*> || C != Constant, int> = 0>
  explicit dptr(const dptr<U, C>& o) : dptr((T*)(o.raw()), o.r, raw_t{}) {}

  static const Region* find(const void* raw) {
    if (!raw) return &no_region;
    uintptr_t a = uintptr_t(raw);
    Lane* me = current;
    for (uint32_t i = 0; me && i < me->region_count; i++) {
      const Region& g = me->regions[i];
      if (g.base && a >= uintptr_t(g.base) && a <= uintptr_t(g.base) + g.length) return &g;
    }
    return Constant ? &program_constants : &no_region;
  }

  /** The address of element `i`, after checking that its bytes lie in the buffer. */
  template <class I>
  __attribute__((always_inline)) T* at(I i) const {
    static_assert(std::is_integral_v<I>, "a device pointer is indexed by an integer");
    constexpr uint64_t size = sizeof(T);
    // |i| < 2^47 keeps i * size in 64 bits (a buffer never holds 2^47 bytes); 32-bit indices always do
    if constexpr (sizeof(I) > 4) {
      if (__builtin_expect(uint64_t(int64_t(i) + (int64_t(1) << 47)) >= (uint64_t(1) << 48), 0)) out_of_bounds(r, uintptr_t(p) + uint64_t(int64_t(i)) * size, size);
    }
    uintptr_t a = uintptr_t(p) + uint64_t(int64_t(i)) * size;
    uint64_t off = a - uintptr_t(r->base);
    if (__builtin_expect(!(off < r->length && off + size <= r->length), 0)) out_of_bounds(r, a, size);
    return reinterpret_cast<T*>(a);
  }
  /** Checks that elements [0, n) lie in the buffer; the plain address. */
  T* span(uint64_t n) const {
    if (n) {
      at(int64_t(0));
      at(int64_t(n - 1));
    }
    return raw();
  }
  T* raw() const { return const_cast<T*>(p); }

  template <class I, std::enable_if_t<std::is_integral_v<I>, int> = 0>
  ref operator[](I i) const { return *at(i); }
  ref operator*() const { return *at(0); }
  T* operator->() const { return at(0); }
  explicit operator bool() const { return p != nullptr; }

  template <class I, std::enable_if_t<std::is_integral_v<I>, int> = 0>
  dptr operator+(I i) const {
    return dptr(reinterpret_cast<T*>(uintptr_t(p) + uint64_t(int64_t(i)) * sizeof(T)), r, raw_t{});
  }
  template <class I, std::enable_if_t<std::is_integral_v<I>, int> = 0>
  friend dptr operator+(I i, const dptr& q) { return q + i; }
  template <class I, std::enable_if_t<std::is_integral_v<I>, int> = 0>
  dptr operator-(I i) const { return *this + (-int64_t(i)); }
  template <class U, bool C>
  ptrdiff_t operator-(const dptr<U, C>& o) const { return (intptr_t(p) - intptr_t(o.p)) / intptr_t(sizeof(T)); }
  template <class I, std::enable_if_t<std::is_integral_v<I>, int> = 0>
  dptr& operator+=(I i) { return *this = *this + i; }
  template <class I, std::enable_if_t<std::is_integral_v<I>, int> = 0>
  dptr& operator-=(I i) { return *this = *this - i; }
  dptr& operator++() { return *this = *this + 1; }
  dptr& operator--() { return *this = *this - 1; }
  dptr operator++(int) { dptr old = *this; ++*this; return old; }
  dptr operator--(int) { dptr old = *this; --*this; return old; }

  template <class U, bool C> bool operator==(const dptr<U, C>& o) const { return (const void*)p == (const void*)o.p; }
  template <class U, bool C> bool operator!=(const dptr<U, C>& o) const { return (const void*)p != (const void*)o.p; }
  template <class U, bool C> bool operator<(const dptr<U, C>& o) const { return (const void*)p < (const void*)o.p; }
  template <class U, bool C> bool operator<=(const dptr<U, C>& o) const { return (const void*)p <= (const void*)o.p; }
  template <class U, bool C> bool operator>(const dptr<U, C>& o) const { return (const void*)p > (const void*)o.p; }
  template <class U, bool C> bool operator>=(const dptr<U, C>& o) const { return (const void*)p >= (const void*)o.p; }
  template <class U> bool operator==(U* q) const { return (const void*)p == (const void*)q; }
  template <class U> bool operator!=(U* q) const { return (const void*)p != (const void*)q; }
  bool operator==(std::nullptr_t) const { return p == nullptr; }
  bool operator!=(std::nullptr_t) const { return p != nullptr; }
  friend bool operator==(std::nullptr_t, const dptr& q) { return q.p == nullptr; }
  friend bool operator!=(std::nullptr_t, const dptr& q) { return q.p != nullptr; }
};

/** A pointer parameter of a checked kernel, as its launcher passes it: converts to the parameter's dptr type. */
struct BufferArg {
  void* p;
  const Region* r;
  template <class T, bool C>
  operator dptr<T, C>() const {
    return dptr<T, C>(static_cast<T*>(p), r, raw_t{});
  }
};
inline const Region* region_of(Lane* l, uint32_t i) {
  return i < l->region_count && l->regions[i].base ? &l->regions[i] : &no_region;
}
inline BufferArg buffer_arg(void* const* b, Lane* l, uint32_t i) { return {b[i], region_of(l, i)}; }
/** A buffer parameter taken by reference or value (`constant Params& p`, a 0-d input): its bytes must hold a T. */
template <class T>
inline T& buffer_ref(void* const* b, Lane* l, uint32_t i) {
  const Region* r = region_of(l, i);
  if (r != &no_region && r->length < sizeof(T)) out_of_bounds(r, uintptr_t(r->base), sizeof(T));
  return *static_cast<T*>(b[i]);
}

}  // namespace __emu

// -fsanitize=array-bounds (checked kernels): an index outside a thread or threadgroup array of known size
// calls this handler (one per compiled library, hidden so no other definition is bound).
struct __emu_ubsan_location {
  const char* file;
  uint32_t line, column;
};
struct __emu_ubsan_type {
  uint16_t kind, info;
  char name[1];
};
struct __emu_ubsan_out_of_bounds {
  __emu_ubsan_location location;
  const __emu_ubsan_type* array;
  const __emu_ubsan_type* index;
};
extern "C" __attribute__((visibility("hidden"), noinline, cold)) void __ubsan_handle_out_of_bounds_abort(__emu_ubsan_out_of_bounds* d, uintptr_t index) {
  static thread_local char message[400];
  // an integer index of at most 64 bits is passed by value; bit 0 of info: signed, info >> 1: log2 of its width
  unsigned bits = 1u << (d->index->info >> 1);
  long long value = (long long)index;
  if ((d->index->info & 1) && bits < 64 && (index >> (bits - 1) & 1)) value = (long long)(index | ~((uint64_t(1) << bits) - 1));
  if (!(d->index->info & 1) && bits < 64) value = (long long)(index & ((uint64_t(1) << bits) - 1));
  std::snprintf(message, sizeof message, "index %lld is outside the thread or threadgroup array %s at %s:%u:%u", value, d->array->name,
                d->location.file ? d->location.file : "?", d->location.line, d->location.column);
  ::__emu::Lane* me = ::__emu::current;
  me->fault_pc = nullptr;
  me->fail(me, message);
  __builtin_unreachable();
}
