// The contract between a JIT-compiled kernel library and the EmuDevice runner:
// the runner hands each kernel thread a Lane (its ids, its threadgroup's memory
// and the runner's synchronization entry points); the shim's barriers, simd
// collectives and threadgroup allocations call back through it.
#pragma once
#include <cstddef>
#include <cstdint>
#include <type_traits>

namespace __emu {

struct SimdExchange {
  /** 32 slots, one per lane of the simdgroup, each as large as the exchanged value. */
  const void* values;
  /** Lanes that reached the collective (bit i = lane i). */
  uint32_t active;
  /** The calling lane. */
  uint32_t lane;
};

/** A bound buffer of a checked (user) kernel: its bytes, name and [[buffer(n)]] index, for bounds checks and their messages. */
struct Region {
  char* base;
  size_t length;
  const char* name;
  uint32_t index;
};

struct Lane {
  uint32_t thread_position_in_grid[3];
  uint32_t thread_position_in_threadgroup[3];
  uint32_t threadgroup_position_in_grid[3];
  uint32_t threads_per_threadgroup[3];
  uint32_t threads_per_grid[3];
  uint32_t threadgroups_per_grid[3];
  uint32_t thread_index_in_threadgroup;
  uint32_t thread_index_in_simdgroup;
  uint32_t simdgroup_index_in_threadgroup;
  uint32_t simdgroups_per_threadgroup;
  /** This thread's view of its threadgroup's memory: every thread makes the same allocations in the same order. */
  char* tg_memory;
  size_t tg_capacity;
  size_t tg_cursor;
  void* runner;
  void (*barrier)(Lane*, int line);
  void (*simd_barrier)(Lane*, int line);
  const SimdExchange& (*exchange)(Lane*, const void* value, size_t size, int line);
  /** Ends the kernel with an error (does not return). */
  void (*fail)(Lane*, const char* message);
  /** The dispatch's bound buffers by [[buffer(n)]] index (checked kernels read them; base null where nothing is bound). */
  const Region* regions;
  uint32_t region_count;
  /** Set by a failed check before fail(): the code address the runner turns into a .metal line. */
  const void* fault_pc;
};

/** The running kernel thread (restored after every switch point, since fibers share an OS thread). */
inline thread_local Lane* current = nullptr;

inline void threadgroup_barrier(int line) {
  Lane* me = current;
  me->barrier(me, line);
  current = me;
}
inline void simdgroup_barrier(int line) {
  Lane* me = current;
  me->simd_barrier(me, line);
  current = me;
}
inline const SimdExchange& simd_exchange(const void* value, size_t size, int line) {
  Lane* me = current;
  const SimdExchange& ex = me->exchange(me, value, size, line);
  current = me;
  return ex;
}
inline void* tg_alloc(size_t size) {
  Lane* me = current;
  size_t at = (me->tg_cursor + 15) & ~size_t(15);
  if (at + size > me->tg_capacity) me->fail(me, "threadgroup memory exceeds 32 KiB (Metal's limit)");
  me->tg_cursor = at + size;
  return me->tg_memory + at;
}

/**
 * tg_alloc for checked kernels: a call the compiler keeps, whose size it knows
 * (alloc_size), so a pointer made by arithmetic on a threadgroup array
 * (`t + 8`) is bounded by the rest of the array (emu_checked.h, of_address).
 */
__attribute__((noinline, alloc_size(1))) inline void* tg_alloc_sized(size_t size) { return tg_alloc(size); }

/** A builtin id parameter of the kernel's declared type: uint (x), uint2 (x, y) or uint3. */
template <class T> inline T id(const uint32_t* v) {
  if constexpr (std::is_arithmetic_v<T>) return T(v[0]);
  else {
    T r = {};
    for (int i = 0; i < __builtin_vectorelements(T) && i < 3; i++) r[i] = v[i];
    return r;
  }
}

}  // namespace __emu
