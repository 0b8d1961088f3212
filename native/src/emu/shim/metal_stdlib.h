// The Metal standard library as seen by kernels running on the CPU (EmuDevice):
// clang-19 compiles the (preprocessed, rewritten) MSL as C++17 with this header
// force-included. It defines the MSL subset that mlx-ts kernels may use:
//
//   address spaces   device, constant (-> const), thread, threadgroup (body-level
//                    `threadgroup T x[N];` declarations are rewritten by the launcher
//                    generator into per-threadgroup memory; elsewhere the word is erased)
//   scalar types     bool char uchar short ushort int uint long ulong half(_Float16) bfloat float
//   vectors          T2 T3 T4 of the above as clang ext_vector_type (swizzles, splat);
//                    constructors T4(a, b, c, d), T4(v2, s, s), T4(s) as function-like macros
//   math             metal:: and metal::precise:: abs fabs sign floor ceil trunc rint round
//                    sqrt rsqrt exp exp2 exp10 log log2 log10 sin cos tan asin acos atan atan2
//                    sinh cosh tanh asinh acosh atanh pow powr fmod fmin fmax min max clamp
//                    fma mix select isnan isinf isfinite signbit copysign; popcount clz ctz;
//                    as_type<T>(x); numeric_limits<T>
//   synchronization  threadgroup_barrier(mem_flags), simdgroup_barrier(mem_flags)
//   simd collectives simd_sum simd_prod simd_max simd_min simd_and simd_or simd_xor simd_any
//                    simd_all simd_broadcast simd_shuffle simd_shuffle_down simd_shuffle_up
//                    simd_shuffle_xor simd_prefix_exclusive_sum simd_prefix_inclusive_sum
//                    (simdgroups are 32 consecutive threads of a threadgroup)
//   simdgroup matrices simdgroup_float8x8 / half8x8 / bfloat8x8, make_filled_simdgroup_matrix,
//                    simdgroup_load, simdgroup_store (pointer and elements per row; no origin or
//                    transpose arguments), simdgroup_multiply_accumulate, simdgroup_multiply.
//                    The calls are simdgroup-uniform, so every lane holds the whole 8x8 tile
//                    (not Apple's per-lane layout) and lane 0 alone stores it.
//
//   atomics          atomic<T> (atomic_int, atomic_uint, atomic_float), atomic_load/store/exchange/
//                    compare_exchange_weak/fetch_{add,sub,min,max,and,or,xor}_explicit, memory_order_relaxed
//
// Not modelled: fast math, flush-to-zero, memory reordering, textures,
// per-lane simdgroup_matrix layouts (thread_elements), [[threadgroup(n)]] parameters. Float math is computed in
// double and rounded once (at least as accurate as MSL's precise math).
#pragma once
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <type_traits>

#include "emu_runtime.h"
#include "emu_checked.h"

typedef unsigned char uchar;
typedef unsigned short ushort;
typedef unsigned int uint;
typedef unsigned long ulong;
typedef _Float16 half;

#define kernel
#define device
#define constant const
#define thread
#define threadgroup
#define METAL_FUNC inline

/** bfloat: the upper 16 bits of a float; conversion from float rounds to nearest even. */
struct bfloat {
  uint16_t bits;
  bfloat() = default;
  static bfloat from_bits(uint16_t b) { bfloat r; r.bits = b; return r; }
  bfloat(float f) {
    uint32_t u; std::memcpy(&u, &f, 4);
    if ((u & 0x7fffffffu) > 0x7f800000u) bits = uint16_t((u >> 16) | 0x40u);  // quiet NaN
    else bits = uint16_t((u + 0x7fffu + ((u >> 16) & 1u)) >> 16);
  }
  bfloat(double d) : bfloat(float(d)) {}
  bfloat(int i) : bfloat(float(i)) {}
  bfloat(uint i) : bfloat(float(i)) {}
  bfloat(half h) : bfloat(float(h)) {}
  operator float() const { uint32_t u = uint32_t(bits) << 16; float f; std::memcpy(&f, &u, 4); return f; }
};
inline bfloat operator+(bfloat a, bfloat b) { return bfloat(float(a) + float(b)); }
inline bfloat operator-(bfloat a, bfloat b) { return bfloat(float(a) - float(b)); }
inline bfloat operator*(bfloat a, bfloat b) { return bfloat(float(a) * float(b)); }
inline bfloat operator/(bfloat a, bfloat b) { return bfloat(float(a) / float(b)); }
inline bfloat operator-(bfloat a) { return bfloat::from_bits(uint16_t(a.bits ^ 0x8000u)); }

#define EMU_VECTORS(T)                                   \
  typedef T T##2 __attribute__((ext_vector_type(2)));    \
  typedef T T##3 __attribute__((ext_vector_type(3)));    \
  typedef T T##4 __attribute__((ext_vector_type(4)));
EMU_VECTORS(char)
EMU_VECTORS(uchar)
EMU_VECTORS(short)
EMU_VECTORS(ushort)
EMU_VECTORS(int)
EMU_VECTORS(uint)
EMU_VECTORS(half)
EMU_VECTORS(float)
#undef EMU_VECTORS

namespace __emu {
template <class V> struct vec_traits { using elem = V; static constexpr int n = 1; };
#define EMU_TRAITS(T)                                                               \
  template <> struct vec_traits<T##2> { using elem = T; static constexpr int n = 2; }; \
  template <> struct vec_traits<T##3> { using elem = T; static constexpr int n = 3; }; \
  template <> struct vec_traits<T##4> { using elem = T; static constexpr int n = 4; };
EMU_TRAITS(char) EMU_TRAITS(uchar) EMU_TRAITS(short) EMU_TRAITS(ushort)
EMU_TRAITS(int) EMU_TRAITS(uint) EMU_TRAITS(half) EMU_TRAITS(float)
#undef EMU_TRAITS

/** Appends the components of each argument (scalar or vector) to `out`. */
template <class E> inline void fill(E*, int&) {}
template <class E, class A, class... R> inline void fill(E* out, int& k, A a, R... rest) {
  using Tr = vec_traits<A>;
  if constexpr (Tr::n == 1) out[k++] = E(a);
  else for (int i = 0; i < Tr::n; i++) out[k++] = E(a[i]);
  fill(out, k, rest...);
}
/** MSL's vector constructor: one scalar splats, otherwise the components are concatenated. */
template <class V, class... A> inline V make(A... a) {
  using E = typename vec_traits<V>::elem;
  constexpr int n = vec_traits<V>::n;
  E c[4] = {};
  int k = 0;
  fill(c, k, a...);
  V v;
  for (int i = 0; i < n; i++) v[i] = (sizeof...(A) == 1 && k == 1) ? c[0] : c[i];
  return v;
}
}  // namespace __emu

#define char2(...) (::__emu::make<char2>(__VA_ARGS__))
#define char3(...) (::__emu::make<char3>(__VA_ARGS__))
#define char4(...) (::__emu::make<char4>(__VA_ARGS__))
#define uchar2(...) (::__emu::make<uchar2>(__VA_ARGS__))
#define uchar3(...) (::__emu::make<uchar3>(__VA_ARGS__))
#define uchar4(...) (::__emu::make<uchar4>(__VA_ARGS__))
#define short2(...) (::__emu::make<short2>(__VA_ARGS__))
#define short3(...) (::__emu::make<short3>(__VA_ARGS__))
#define short4(...) (::__emu::make<short4>(__VA_ARGS__))
#define ushort2(...) (::__emu::make<ushort2>(__VA_ARGS__))
#define ushort3(...) (::__emu::make<ushort3>(__VA_ARGS__))
#define ushort4(...) (::__emu::make<ushort4>(__VA_ARGS__))
#define int2(...) (::__emu::make<int2>(__VA_ARGS__))
#define int3(...) (::__emu::make<int3>(__VA_ARGS__))
#define int4(...) (::__emu::make<int4>(__VA_ARGS__))
#define uint2(...) (::__emu::make<uint2>(__VA_ARGS__))
#define uint3(...) (::__emu::make<uint3>(__VA_ARGS__))
#define uint4(...) (::__emu::make<uint4>(__VA_ARGS__))
#define half2(...) (::__emu::make<half2>(__VA_ARGS__))
#define half3(...) (::__emu::make<half3>(__VA_ARGS__))
#define half4(...) (::__emu::make<half4>(__VA_ARGS__))
#define float2(...) (::__emu::make<float2>(__VA_ARGS__))
#define float3(...) (::__emu::make<float3>(__VA_ARGS__))
#define float4(...) (::__emu::make<float4>(__VA_ARGS__))

/** MSL's bit reinterpretation (a language built-in, outside namespace metal). */
template <class T, class F> inline T as_type(F x) {
  static_assert(sizeof(T) == sizeof(F), "as_type needs types of one size");
  T r;
  std::memcpy(&r, &x, sizeof(T));
  return r;
}

namespace metal {
using std::numeric_limits;
using ::as_type;
using ::bfloat; using ::half; using ::uchar; using ::uint; using ::ulong; using ::ushort;
using ::char2; using ::char3; using ::char4; using ::uchar2; using ::uchar3; using ::uchar4;
using ::short2; using ::short3; using ::short4; using ::ushort2; using ::ushort3; using ::ushort4;
using ::int2; using ::int3; using ::int4; using ::uint2; using ::uint3; using ::uint4;
using ::half2; using ::half3; using ::half4; using ::float2; using ::float3; using ::float4;

/** all / any of a boolean vector (comparisons of ext vectors give 0 / -1 per component). */
template <class V> inline bool all(V v) {
  if constexpr (__emu::vec_traits<V>::n == 1) return bool(v);
  else { for (int i = 0; i < __builtin_vectorelements(V); i++) if (!v[i]) return false; return true; }
}
template <class V> inline bool any(V v) {
  if constexpr (__emu::vec_traits<V>::n == 1) return bool(v);
  else { for (int i = 0; i < __builtin_vectorelements(V); i++) if (v[i]) return true; return false; }
}

enum class mem_flags { mem_none = 0, mem_device = 1, mem_threadgroup = 2, mem_texture = 4 };


namespace __detail {
template <class T> constexpr bool is_floating = std::is_floating_point_v<T> || std::is_same_v<T, half> || std::is_same_v<T, bfloat>;
/** One-argument float function in double, rounded once to T (vectors: per component). */
template <class T, class F> inline T map1(T x, F f) {
  if constexpr (__emu::vec_traits<T>::n == 1) return T(f(double(x)));
  else { T r; for (int i = 0; i < __emu::vec_traits<T>::n; i++) r[i] = typename __emu::vec_traits<T>::elem(f(double(x[i]))); return r; }
}
template <class T, class F> inline T map2(T x, T y, F f) {
  if constexpr (__emu::vec_traits<T>::n == 1) return T(f(double(x), double(y)));
  else { T r; for (int i = 0; i < __emu::vec_traits<T>::n; i++) r[i] = typename __emu::vec_traits<T>::elem(f(double(x[i]), double(y[i]))); return r; }
}
}  // namespace __detail

#define EMU_MATH1(NAME, EXPR) \
  template <class T> inline T NAME(T x) { return __detail::map1(x, [](double v) { return EXPR; }); }
#define EMU_MATH2(NAME, EXPR) \
  template <class T> inline T NAME(T x, T y) { return __detail::map2(x, y, [](double a, double b) { return EXPR; }); }
EMU_MATH1(fabs, std::fabs(v))
EMU_MATH1(floor, std::floor(v))
EMU_MATH1(ceil, std::ceil(v))
EMU_MATH1(trunc, std::trunc(v))
EMU_MATH1(rint, std::nearbyint(v))
EMU_MATH1(round, std::round(v))
EMU_MATH1(sqrt, std::sqrt(v))
EMU_MATH1(rsqrt, 1.0 / std::sqrt(v))
EMU_MATH1(exp, std::exp(v))
EMU_MATH1(exp2, std::exp2(v))
EMU_MATH1(exp10, std::pow(10.0, v))
EMU_MATH1(log, std::log(v))
EMU_MATH1(log2, std::log2(v))
EMU_MATH1(log10, std::log10(v))
EMU_MATH1(sin, std::sin(v))
EMU_MATH1(cos, std::cos(v))
EMU_MATH1(tan, std::tan(v))
EMU_MATH1(asin, std::asin(v))
EMU_MATH1(acos, std::acos(v))
EMU_MATH1(atan, std::atan(v))
EMU_MATH1(sinh, std::sinh(v))
EMU_MATH1(cosh, std::cosh(v))
EMU_MATH1(tanh, std::tanh(v))
EMU_MATH1(asinh, std::asinh(v))
EMU_MATH1(acosh, std::acosh(v))
EMU_MATH1(atanh, std::atanh(v))
EMU_MATH1(sign, (v > 0 ? 1.0 : v < 0 ? -1.0 : v))
EMU_MATH2(atan2, std::atan2(a, b))
EMU_MATH2(pow, std::pow(a, b))
EMU_MATH2(powr, std::pow(a, b))
EMU_MATH2(fmod, std::fmod(a, b))
EMU_MATH2(fmin, std::fmin(a, b))
EMU_MATH2(fmax, std::fmax(a, b))
EMU_MATH2(copysign, std::copysign(a, b))
#undef EMU_MATH1
#undef EMU_MATH2

template <class T> inline T abs(T x) {
  if constexpr (__detail::is_floating<T> || __emu::vec_traits<T>::n > 1) return fabs(x);
  else return x < 0 ? T(-x) : x;
}
/** MSL min/max on floats return the other operand when one is NaN (fmin/fmax). */
template <class T> inline T min(T a, T b) {
  if constexpr (__detail::is_floating<T>) return fmin(a, b);
  else return b < a ? b : a;
}
template <class T> inline T max(T a, T b) {
  if constexpr (__detail::is_floating<T>) return fmax(a, b);
  else return a < b ? b : a;
}
template <class T> inline T clamp(T x, T lo, T hi) { return min(max(x, lo), hi); }
template <class T> inline T fma(T a, T b, T c) { return T(std::fma(double(a), double(b), double(c))); }
template <class T> inline T mix(T x, T y, T a) { return x + (y - x) * a; }
template <class T> inline T select(T a, T b, bool c) { return c ? b : a; }
template <class T> inline bool isnan(T x) { return std::isnan(double(x)); }
template <class T> inline bool isinf(T x) { return std::isinf(double(x)); }
template <class T> inline bool isfinite(T x) { return std::isfinite(double(x)); }
template <class T> inline bool signbit(T x) { return std::signbit(double(x)); }
template <class T> inline T popcount(T x) { return T(__builtin_popcountll(uint64_t(std::make_unsigned_t<T>(x)))); }
template <class T> inline T clz(T x) {
  using U = std::make_unsigned_t<T>;
  U u = U(x);
  return u == 0 ? T(sizeof(T) * 8) : T(__builtin_clzll(uint64_t(u)) - (64 - sizeof(T) * 8));
}
template <class T> inline T ctz(T x) {
  using U = std::make_unsigned_t<T>;
  U u = U(x);
  return u == 0 ? T(sizeof(T) * 8) : T(__builtin_ctzll(uint64_t(u)));
}

/** metal::precise:: names the same functions (the emulator has no fast variants). */
namespace precise {
using metal::acos; using metal::acosh; using metal::asin; using metal::asinh; using metal::atan;
using metal::atan2; using metal::atanh; using metal::cos; using metal::cosh; using metal::exp;
using metal::exp2; using metal::exp10; using metal::log; using metal::log2; using metal::log10;
using metal::pow; using metal::powr; using metal::rsqrt; using metal::sin; using metal::sinh;
using metal::sqrt; using metal::tan; using metal::tanh; using metal::fmod;
}  // namespace precise

inline void __barrier(mem_flags, int line) { ::__emu::threadgroup_barrier(line); }
inline void __simd_barrier(mem_flags, int line) { ::__emu::simdgroup_barrier(line); }

/** Every lane's value of `x`; `active` marks the lanes that reached the same collective. */
template <class T, class F> inline auto __simd_collective(T x, int line, F&& combine) {
  const ::__emu::SimdExchange& ex = ::__emu::simd_exchange(&x, sizeof(T), line);
  return combine(reinterpret_cast<const T*>(ex.values), ex.active, ex.lane);
}
#define EMU_SIMD_FOLD(NAME, INIT, OP)                                                      \
  template <class T> inline T NAME##_at(T x, int line) {                                   \
    return __simd_collective(x, line, [](const T* v, uint32_t act, uint32_t) {             \
      T acc = INIT; bool first = true;                                                     \
      for (int i = 0; i < 32; i++) if (act >> i & 1u) { acc = first ? v[i] : T(OP); first = false; } \
      return acc;                                                                          \
    });                                                                                    \
  }
EMU_SIMD_FOLD(simd_sum, T(0), acc + v[i])
EMU_SIMD_FOLD(simd_prod, T(1), acc * v[i])
EMU_SIMD_FOLD(simd_max, T(0), max(acc, v[i]))
EMU_SIMD_FOLD(simd_min, T(0), min(acc, v[i]))
EMU_SIMD_FOLD(simd_and, T(0), acc & v[i])
EMU_SIMD_FOLD(simd_or, T(0), acc | v[i])
EMU_SIMD_FOLD(simd_xor, T(0), acc ^ v[i])
#undef EMU_SIMD_FOLD
inline bool simd_any_at(bool x, int line) {
  return __simd_collective(x, line, [](const bool* v, uint32_t act, uint32_t) { for (int i = 0; i < 32; i++) if ((act >> i & 1u) && v[i]) return true; return false; });
}
inline bool simd_all_at(bool x, int line) {
  return __simd_collective(x, line, [](const bool* v, uint32_t act, uint32_t) { for (int i = 0; i < 32; i++) if ((act >> i & 1u) && !v[i]) return false; return true; });
}
/** The value of lane `src` (a lane outside the group or inactive gives the caller's own value). */
template <class T> inline T simd_shuffle_at(T x, uint32_t src, int line) {
  return __simd_collective(x, line, [&](const T* v, uint32_t act, uint32_t me) { return (src < 32 && (act >> src & 1u)) ? v[src] : v[me]; });
}
template <class T> inline T simd_shuffle_down_at(T x, uint32_t d, int line) {
  return __simd_collective(x, line, [&](const T* v, uint32_t act, uint32_t me) { uint32_t s = me + d; return (s < 32 && (act >> s & 1u)) ? v[s] : v[me]; });
}
template <class T> inline T simd_shuffle_up_at(T x, uint32_t d, int line) {
  return __simd_collective(x, line, [&](const T* v, uint32_t act, uint32_t me) { return (me >= d && (act >> (me - d) & 1u)) ? v[me - d] : v[me]; });
}
template <class T> inline T simd_shuffle_xor_at(T x, uint32_t m, int line) {
  return __simd_collective(x, line, [&](const T* v, uint32_t act, uint32_t me) { uint32_t s = me ^ m; return (s < 32 && (act >> s & 1u)) ? v[s] : v[me]; });
}
template <class T> inline T simd_prefix_exclusive_sum_at(T x, int line) {
  return __simd_collective(x, line, [](const T* v, uint32_t act, uint32_t me) { T acc = T(0); for (uint32_t i = 0; i < me; i++) if (act >> i & 1u) acc = acc + v[i]; return acc; });
}
template <class T> inline T simd_prefix_inclusive_sum_at(T x, int line) {
  return __simd_collective(x, line, [](const T* v, uint32_t act, uint32_t me) { T acc = T(0); for (uint32_t i = 0; i <= me; i++) if (act >> i & 1u) acc = acc + v[i]; return acc; });
}
/** An 8x8 tile held whole by every lane of the simdgroup (the operations are simdgroup-uniform). */
template <class T, int R, int C> struct simdgroup_matrix {
  T e[R][C];
};
typedef simdgroup_matrix<float, 8, 8> simdgroup_float8x8;
typedef simdgroup_matrix<half, 8, 8> simdgroup_half8x8;
typedef simdgroup_matrix<bfloat, 8, 8> simdgroup_bfloat8x8;

template <class T, int R, int C> inline simdgroup_matrix<T, R, C> make_filled_simdgroup_matrix(T v) {
  simdgroup_matrix<T, R, C> m;
  for (int i = 0; i < R; i++) for (int j = 0; j < C; j++) m.e[i][j] = v;
  return m;
}
/** Rows of `elements_per_row` elements from `src`. */
template <class T, class U, int R, int C> inline void simdgroup_load(simdgroup_matrix<T, R, C>& d, const U* src, unsigned long elements_per_row = C) {
  for (int i = 0; i < R; i++) for (int j = 0; j < C; j++) d.e[i][j] = T(src[i * elements_per_row + j]);
}
template <class T, class U, int R, int C> inline void simdgroup_store(const simdgroup_matrix<T, R, C>& m, U* dst, unsigned long elements_per_row = C) {
  if (::__emu::current->thread_index_in_simdgroup != 0) return;
  for (int i = 0; i < R; i++) for (int j = 0; j < C; j++) dst[i * elements_per_row + j] = U(m.e[i][j]);
}
/** d = a b + c, accumulated in float. */
/** Checked kernels: the rows read or written must lie in the buffer (or thread or threadgroup object). */
template <class T, class U, class Space, int R, int C> inline void simdgroup_load(simdgroup_matrix<T, R, C>& d, ::__emu::checked_ptr<U, Space> src, unsigned long elements_per_row = C) {
  simdgroup_load(d, src.span((R - 1) * elements_per_row + C), elements_per_row);
}
template <class T, class U, class Space, int R, int C> inline void simdgroup_store(const simdgroup_matrix<T, R, C>& m, ::__emu::checked_ptr<U, Space> dst, unsigned long elements_per_row = C) {
  simdgroup_store(m, dst.span((R - 1) * elements_per_row + C), elements_per_row);
}
template <class T, int N> inline void simdgroup_multiply_accumulate(simdgroup_matrix<T, N, N>& d, const simdgroup_matrix<T, N, N>& a, const simdgroup_matrix<T, N, N>& b, const simdgroup_matrix<T, N, N>& c) {
  simdgroup_matrix<T, N, N> r;
  for (int i = 0; i < N; i++)
    for (int j = 0; j < N; j++) {
      float acc = float(c.e[i][j]);
      for (int k = 0; k < N; k++) acc += float(a.e[i][k]) * float(b.e[k][j]);
      r.e[i][j] = T(acc);
    }
  d = r;
}
template <class T, int N> inline void simdgroup_multiply(simdgroup_matrix<T, N, N>& d, const simdgroup_matrix<T, N, N>& a, const simdgroup_matrix<T, N, N>& b) {
  simdgroup_multiply_accumulate(d, a, b, make_filled_simdgroup_matrix<T, N, N>(T(0)));
}

/**
 * atomic<T> (user kernels' atomicOutputs, threadgroup atomics): T's storage,
 * updated with the compiler's __atomic builtins (relaxed, MSL's one order);
 * float read-modify-writes are compare-exchange loops.
 */
enum memory_order { memory_order_relaxed };
template <class T> struct atomic { T value; };
typedef atomic<int> atomic_int;
typedef atomic<uint> atomic_uint;
typedef atomic<float> atomic_float;
typedef atomic<bool> atomic_bool;
template <class T> struct __atomic_arg { using type = T; };
template <class T> using __atomic_value = typename __atomic_arg<T>::type;
template <class T> inline T atomic_load_explicit(const atomic<T>* a, memory_order) { T r; __atomic_load(&a->value, &r, __ATOMIC_RELAXED); return r; }
template <class T> inline void atomic_store_explicit(atomic<T>* a, __atomic_value<T> v, memory_order) { __atomic_store(&a->value, &v, __ATOMIC_RELAXED); }
template <class T> inline T atomic_exchange_explicit(atomic<T>* a, __atomic_value<T> v, memory_order) { T r; __atomic_exchange(&a->value, &v, &r, __ATOMIC_RELAXED); return r; }
template <class T> inline bool atomic_compare_exchange_weak_explicit(atomic<T>* a, T* expected, __atomic_value<T> desired, memory_order, memory_order) {
  return __atomic_compare_exchange(&a->value, expected, &desired, true, __ATOMIC_RELAXED, __ATOMIC_RELAXED);
}
/** Replaces the value v by f(v) atomically; returns the old value. */
template <class T, class F> inline T __emu_atomic_update(atomic<T>* a, F f) {
  T old; __atomic_load(&a->value, &old, __ATOMIC_RELAXED);
  T next = f(old);
  while (!__atomic_compare_exchange(&a->value, &old, &next, true, __ATOMIC_RELAXED, __ATOMIC_RELAXED)) next = f(old);
  return old;
}
#define EMU_ATOMIC_FETCH(NAME, EXPR) \
  template <class T> inline T atomic_fetch_##NAME##_explicit(atomic<T>* a, __atomic_value<T> v, memory_order) { return __emu_atomic_update(a, [v](T x) { return T(EXPR); }); }
EMU_ATOMIC_FETCH(add, x + v)
EMU_ATOMIC_FETCH(sub, x - v)
EMU_ATOMIC_FETCH(min, x < v ? x : v)
EMU_ATOMIC_FETCH(max, x > v ? x : v)
EMU_ATOMIC_FETCH(and, x & v)
EMU_ATOMIC_FETCH(or, x | v)
EMU_ATOMIC_FETCH(xor, x ^ v)
#undef EMU_ATOMIC_FETCH
// checked kernels pass device and threadgroup atomics as checked pointers: the element is checked, then the functions above run
template <class A, class Space> inline auto atomic_load_explicit(::__emu::checked_ptr<A, Space> a, memory_order o) { return atomic_load_explicit(a.at(0), o); }
#define EMU_ATOMIC_CHECKED(NAME) \
  template <class A, class Space, class V> inline auto NAME(::__emu::checked_ptr<A, Space> a, V v, memory_order o) { return NAME(a.at(0), v, o); }
EMU_ATOMIC_CHECKED(atomic_store_explicit)
EMU_ATOMIC_CHECKED(atomic_exchange_explicit)
EMU_ATOMIC_CHECKED(atomic_fetch_add_explicit)
EMU_ATOMIC_CHECKED(atomic_fetch_sub_explicit)
EMU_ATOMIC_CHECKED(atomic_fetch_min_explicit)
EMU_ATOMIC_CHECKED(atomic_fetch_max_explicit)
EMU_ATOMIC_CHECKED(atomic_fetch_and_explicit)
EMU_ATOMIC_CHECKED(atomic_fetch_or_explicit)
EMU_ATOMIC_CHECKED(atomic_fetch_xor_explicit)
#undef EMU_ATOMIC_CHECKED
template <class A, class Space, class E, class V> inline bool atomic_compare_exchange_weak_explicit(::__emu::checked_ptr<A, Space> a, E expected, V desired, memory_order s, memory_order f) {
  return atomic_compare_exchange_weak_explicit(a.at(0), expected, desired, s, f);
}
}  // namespace metal

// Collectives and barriers carry the calling MSL line, so a divergent one is reported where it is.
#define threadgroup_barrier(f) __barrier(f, __LINE__)
#define simdgroup_barrier(f) __simd_barrier(f, __LINE__)
#define simd_sum(x) simd_sum_at(x, __LINE__)
#define simd_prod(x) simd_prod_at(x, __LINE__)
#define simd_max(x) simd_max_at(x, __LINE__)
#define simd_min(x) simd_min_at(x, __LINE__)
#define simd_and(x) simd_and_at(x, __LINE__)
#define simd_or(x) simd_or_at(x, __LINE__)
#define simd_xor(x) simd_xor_at(x, __LINE__)
#define simd_any(x) simd_any_at(x, __LINE__)
#define simd_all(x) simd_all_at(x, __LINE__)
#define simd_broadcast(x, l) simd_shuffle_at(x, l, __LINE__)
#define simd_shuffle(x, l) simd_shuffle_at(x, l, __LINE__)
#define simd_shuffle_down(x, d) simd_shuffle_down_at(x, d, __LINE__)
#define simd_shuffle_up(x, d) simd_shuffle_up_at(x, d, __LINE__)
#define simd_shuffle_xor(x, m) simd_shuffle_xor_at(x, m, __LINE__)
#define simd_prefix_exclusive_sum(x) simd_prefix_exclusive_sum_at(x, __LINE__)
#define simd_prefix_inclusive_sum(x) simd_prefix_inclusive_sum_at(x, __LINE__)
