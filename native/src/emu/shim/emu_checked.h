// Checked pointers for user kernels (mx.fast.metalKernel) on the MSL execution
// layer: the launcher generator rewrites `device T*` and `constant T*` into
// dptr<T>, `thread T*` and `threadgroup T*` into lptr<T>; each knows the bound
// buffer or the thread/threadgroup object it points into and makes any access
// outside it a kernel error instead of a read or write of other memory.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <type_traits>

#include "emu_runtime.h"

namespace __emu {

/** Where null device pointers, and device pointers made from addresses outside every bound buffer, point: no access passes. */
inline constexpr Region no_region = {nullptr, 0, nullptr, 0xffffffffu};
/** Where constant-space pointers to program-scope constants point (no bound buffer): not checked. */
inline constexpr Region program_constants = {nullptr, SIZE_MAX, nullptr, 0xfffffffeu};
/** The index of a thread or threadgroup object's Region (its name is a type_name() text). */
inline constexpr uint32_t local_object = 0xfffffffdu;

/** Text that names type X: "... [X = float[4]]" (clang's __PRETTY_FUNCTION__), read by local_name(). */
template <class X>
constexpr const char* type_name() {
  return __PRETTY_FUNCTION__;
}

/**
 * Writes "thread array 'float[4]'" (from an array) or "thread object at 'float *'"
 * (from a plain address), threadgroup where it lies in threadgroup memory, vector types as float4.
 */
inline void local_name(const Region* r, char* out, size_t size) {
  const char* type = std::strstr(r->name, "[X = ");
  type = type ? type + 5 : "?";
  size_t n = std::strlen(type);
  if (n && type[n - 1] == ']') n--;
  char plain[160];
  std::snprintf(plain, sizeof plain, "%.*s", int(n), type);
  // clang spells float4 as `float __attribute__((ext_vector_type(4)))`, after any array bounds
  static const char vector[] = " __attribute__((ext_vector_type(";
  if (char* v = std::strstr(plain, vector)) {
    int lanes = std::atoi(v + sizeof vector - 1);
    *v = 0;
    char* dims = std::strchr(plain, '[');
    char copy[160];
    std::snprintf(copy, sizeof copy, "%.*s%d%s", int(dims ? dims - plain : std::strlen(plain)), plain, lanes, dims ? dims : "");
    std::snprintf(plain, sizeof plain, "%s", copy);
  }
  Lane* me = current;
  bool threadgroup = me && r->base >= me->tg_memory && r->base < me->tg_memory + me->tg_capacity;
  bool address = plain[0] && plain[std::strlen(plain) - 1] == '*';
  std::snprintf(out, size, "%s %s '%s'", threadgroup ? "threadgroup" : "thread", address ? "object at" : "array", plain);
}

/** Ends the kernel thread with an error naming the buffer or object and the bytes it missed (the runner adds the .metal line). */
[[noreturn]] __attribute__((noinline, cold)) inline void out_of_bounds(const Region* r, uintptr_t at, size_t size) {
  static thread_local char message[400];
  if (r == &no_region) {
    std::snprintf(message, sizeof message,
                  "access of %zu bytes through a device pointer that points into no bound buffer (null, or made from an address outside the kernel's buffers)",
                  size);
  } else if (r->index == local_object && !r->base) {
    std::snprintf(message, sizeof message, "access of %zu bytes through a null thread or threadgroup pointer", size);
  } else {
    long long off = (long long)(at - uintptr_t(r->base));
    int n;
    if (r->index == local_object) {
      char what[200];
      local_name(r, what, sizeof what);
      n = std::snprintf(message, sizeof message, "out-of-bounds access to %s (%zu bytes): ", what, r->length);
    } else {
      n = std::snprintf(message, sizeof message, "out-of-bounds access to '%s' (buffer(%u), %zu bytes): ", r->name ? r->name : "?", r->index, r->length);
    }
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

/** sizeof(U), 0 for void (a `void*` bounds no bytes). */
template <class U>
constexpr size_t object_bytes() {
  if constexpr (std::is_void_v<U>) return 0;
  else return sizeof(U);
}

/**
 * Device and constant pointers: the bounds are the bound buffer's Region (the
 * dispatch's, shared); an address alone finds the buffer holding it.
 */
template <bool Constant>
struct device_space {
  using bounds = const Region*;
  static bounds null() { return &no_region; }
  /** The bound buffer holding `raw`, else none (device) or program-scope data (constant); the object's size and name are not needed. */
  static bounds of_object(const void* raw, size_t, const char*) {
    if (!raw) return &no_region;
    uintptr_t a = uintptr_t(raw);
    Lane* me = current;
    for (uint32_t i = 0; me && i < me->region_count; i++) {
      const Region& g = me->regions[i];
      if (g.base && a >= uintptr_t(g.base) && a <= uintptr_t(g.base) + g.length) return &g;
    }
    return Constant ? &program_constants : &no_region;
  }
  static const Region& region(bounds b) { return *b; }
};
/**
 * Thread and threadgroup pointers: the bounds are the object the pointer came
 * from (an array, or the object at a plain address), held by value.
 */
struct local_space {
  using bounds = Region;
  static bounds null() { return {nullptr, 0, nullptr, local_object}; }
  static bounds of_object(const void* raw, size_t bytes, const char* name) { return {(char*)raw, raw ? bytes : 0, name, local_object}; }
  static const Region& region(const bounds& b) { return b; }
};

template <class T, class Space>
struct checked_ptr;
/** A device (or constant) pointer of a checked kernel. */
template <class T, bool Constant = false>
using dptr = checked_ptr<T, device_space<Constant>>;
/** A thread or threadgroup pointer of a checked kernel. */
template <class T>
using lptr = checked_ptr<T, local_space>;
/** Tags the constructor that takes an address and its bounds as they are. */
struct raw_t {};

/** A checked pointer's address (const-qualified: checked_ptr<T> stores it in its checked_ptr<const T> part) and bounds. */
template <class T, class Space>
struct checked_data {
  T* p;
  typename Space::bounds r;
  checked_data(T* a, const typename Space::bounds& g, raw_t) : p(a), r(g) {}
};
/**
 * checked_ptr<T> derives from checked_ptr<const T>, so a template's `const device T*`
 * parameter deduces T from a `device T*` argument, as it does for plain pointers.
 */
template <class T, class Space>
using checked_parent = std::conditional_t<std::is_const_v<T>, checked_data<T, Space>, checked_ptr<const T, Space>>;

/** Whether a pointer of space From converts to one of space To: the same kind of bounds, or a local pointer (`&table[i]` of a program-scope or device array) to a device one, which finds its buffer by address. */
template <class From, class To>
constexpr bool space_converts = std::is_same_v<typename From::bounds, typename To::bounds> || (std::is_same_v<From, local_space> && !std::is_same_v<To, local_space>);

/**
 * A pointer of a checked kernel: the address and the bounds it was derived
 * from (a bound buffer, or a thread or threadgroup object). Indexing, `*` and
 * `->` check that the element's bytes lie inside them; arithmetic, casts and
 * comparisons behave as on a plain pointer (an address outside may be formed,
 * not dereferenced).
 */
template <class T, class Space>
struct checked_ptr : checked_parent<T, Space> {
  using parent = checked_parent<T, Space>;
  using bounds = typename Space::bounds;
  using ref = std::add_lvalue_reference_t<T>;
  using parent::p;
  using parent::r;

  checked_ptr(T* a, const bounds& g, raw_t) : parent(a, g, raw_t{}) {}
  checked_ptr() : checked_ptr(nullptr, Space::null(), raw_t{}) {}
  checked_ptr(std::nullptr_t) : checked_ptr() {}
  /** From a plain address (`&x`, `a + 1`): a device pointer finds its buffer; a local one, see of_address. */
  template <class Q, std::enable_if_t<std::is_pointer_v<Q> && std::is_convertible_v<Q, T*>, int> = 0>
  __attribute__((always_inline)) checked_ptr(const Q& raw) : checked_ptr(raw, of_address(raw), raw_t{}) {}
  template <class Q, std::enable_if_t<std::is_pointer_v<Q> && !std::is_convertible_v<Q, T*>, int> = 0>
  __attribute__((always_inline)) explicit checked_ptr(const Q& raw) : checked_ptr((T*)raw, of_address(raw), raw_t{}) {}
  /** From an array (a thread or threadgroup array; a device pointer finds its buffer): the whole array, casts (`(thread float4*)a`) included. */
  template <class U, size_t N, std::enable_if_t<std::is_convertible_v<U*, T*>, int> = 0>
  checked_ptr(U (&a)[N]) : checked_ptr(a, of_array(a), raw_t{}) {}
  template <class U, size_t N, std::enable_if_t<!std::is_convertible_v<U*, T*>, int> = 0>
  explicit checked_ptr(U (&a)[N]) : checked_ptr((T*)a, of_array(a), raw_t{}) {}
  /** T* to const T*, void* (and a local element address to a device pointer) */
  template <class U, class S, std::enable_if_t<std::is_convertible_v<U*, T*> && (std::is_same_v<S, Space> || !std::is_same_v<typename S::bounds, bounds>) && space_converts<S, Space>, int> = 0>
  checked_ptr(const checked_ptr<U, S>& o) : checked_ptr(o.raw(), bounds_of(o), raw_t{}) {}
  /** A cast to another pointee type (a vector type, bytes, dropping const) or from constant to device: the same bounds. */
  template <class U, class S, std::enable_if_t<(!std::is_convertible_v<U*, T*> || (!std::is_same_v<S, Space> && std::is_same_v<typename S::bounds, bounds>)) && space_converts<S, Space>, int> = 0>
  explicit checked_ptr(const checked_ptr<U, S>& o) : checked_ptr((T*)(o.raw()), bounds_of(o), raw_t{}) {}

  /**
   * A local pointer from a plain address holds the bytes from it to the end of its object where the
   * compiler sees that object (inlined: `&x`, `a + i` of a thread array or threadgroup allocation),
   * else the bytes of one object of the address's type.
   */
  template <class Q>
  __attribute__((always_inline)) static bounds of_address(Q raw) {
    using U = std::remove_cv_t<std::remove_pointer_t<Q>>;
    size_t seen = __builtin_dynamic_object_size(raw, 0);
    return Space::of_object(raw, seen != size_t(-1) ? seen : object_bytes<U>(), type_name<U*>());
  }
  template <class U, size_t N>
  static bounds of_array(U (&a)[N]) {
    return Space::of_object(a, sizeof a, type_name<std::remove_cv_t<U[N]>>());
  }
  template <class U, class S>
  static bounds bounds_of(const checked_ptr<U, S>& o) {
    if constexpr (std::is_same_v<typename S::bounds, bounds>) return o.r;
    else return Space::of_object(o.raw(), 0, nullptr);
  }

  /** The address of element `i`, after checking that its bytes lie in the bounds. */
  template <class I>
  __attribute__((always_inline)) T* at(I i) const {
    static_assert(std::is_integral_v<I>, "a pointer is indexed by an integer");
    constexpr uint64_t size = sizeof(T);
    const Region& g = Space::region(r);
    // |i| < 2^47 keeps i * size in 64 bits (a buffer never holds 2^47 bytes); 32-bit indices always do
    if constexpr (sizeof(I) > 4) {
      if (__builtin_expect(uint64_t(int64_t(i) + (int64_t(1) << 47)) >= (uint64_t(1) << 48), 0)) out_of_bounds(&g, uintptr_t(p) + uint64_t(int64_t(i)) * size, size);
    }
    uintptr_t a = uintptr_t(p) + uint64_t(int64_t(i)) * size;
    uint64_t off = a - uintptr_t(g.base);
    if (__builtin_expect(!(off < g.length && off + size <= g.length), 0)) out_of_bounds(&g, a, size);
    return reinterpret_cast<T*>(a);
  }
  /** Checks that elements [0, n) lie in the bounds; the plain address. */
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
  checked_ptr operator+(I i) const {
    return checked_ptr(reinterpret_cast<T*>(uintptr_t(p) + uint64_t(int64_t(i)) * sizeof(T)), r, raw_t{});
  }
  template <class I, std::enable_if_t<std::is_integral_v<I>, int> = 0>
  friend checked_ptr operator+(I i, const checked_ptr& q) { return q + i; }
  template <class I, std::enable_if_t<std::is_integral_v<I>, int> = 0>
  checked_ptr operator-(I i) const { return *this + (-int64_t(i)); }
  template <class U, class S>
  ptrdiff_t operator-(const checked_ptr<U, S>& o) const { return (intptr_t(p) - intptr_t(o.p)) / intptr_t(sizeof(T)); }
  template <class I, std::enable_if_t<std::is_integral_v<I>, int> = 0>
  checked_ptr& operator+=(I i) { return *this = *this + i; }
  template <class I, std::enable_if_t<std::is_integral_v<I>, int> = 0>
  checked_ptr& operator-=(I i) { return *this = *this - i; }
  checked_ptr& operator++() { return *this = *this + 1; }
  checked_ptr& operator--() { return *this = *this - 1; }
  checked_ptr operator++(int) { checked_ptr old = *this; ++*this; return old; }
  checked_ptr operator--(int) { checked_ptr old = *this; --*this; return old; }

  template <class U, class S> bool operator==(const checked_ptr<U, S>& o) const { return (const void*)p == (const void*)o.p; }
  template <class U, class S> bool operator!=(const checked_ptr<U, S>& o) const { return (const void*)p != (const void*)o.p; }
  template <class U, class S> bool operator<(const checked_ptr<U, S>& o) const { return (const void*)p < (const void*)o.p; }
  template <class U, class S> bool operator<=(const checked_ptr<U, S>& o) const { return (const void*)p <= (const void*)o.p; }
  template <class U, class S> bool operator>(const checked_ptr<U, S>& o) const { return (const void*)p > (const void*)o.p; }
  template <class U, class S> bool operator>=(const checked_ptr<U, S>& o) const { return (const void*)p >= (const void*)o.p; }
  template <class U> bool operator==(U* q) const { return (const void*)p == (const void*)q; }
  template <class U> bool operator!=(U* q) const { return (const void*)p != (const void*)q; }
  bool operator==(std::nullptr_t) const { return p == nullptr; }
  bool operator!=(std::nullptr_t) const { return p != nullptr; }
  friend bool operator==(std::nullptr_t, const checked_ptr& q) { return q.p == nullptr; }
  friend bool operator!=(std::nullptr_t, const checked_ptr& q) { return q.p != nullptr; }
};

/** The address of an array's element, for element_address: the last index only offsets (a one-past-the-end address may be formed). */
template <class A, class I>
auto* element_in(A& a, I i) {
  return a + i;
}
template <class A, class I, class J, class... K>
auto* element_in(A& a, I i, J j, K... k) {
  return element_in(a[i], j, k...);
}
/**
 * `&x[i]` (`&x[i][j]`, ...) in a checked kernel: of an array, a local pointer
 * bounded by the whole array (a device or program-scope array's then finds its
 * buffer); of a pointer, the pointer plus i, checked or plain as it is.
 */
template <class U, size_t N, class I, class... K>
auto element_address(U (&a)[N], I i, K... k) {
  using E = std::remove_pointer_t<decltype(element_in(a, i, k...))>;
  return lptr<E>(element_in(a, i, k...), lptr<E>::of_array(a), raw_t{});
}
template <class P, class I, class... K>
auto element_address(const P& p, I i, K... k) {
  if constexpr (sizeof...(K) == 0) return p + i;
  else return element_address(p[i], k...);
}

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
