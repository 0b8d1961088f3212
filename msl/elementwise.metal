// Elementwise kernels: one template per arity plus a functor per op (the
// counterpart of the CPU reference's expression table), one thread per output
// element, inputs read through their strides (zero where broadcast).
// The host compiles one library per input dtype and defines before this file:
//   T               the inputs' storage type; C its compute type (float, int, uint, long or ulong)
//   UNARY_OPS(X)    X(name, functor, output type) for each unary op of this dtype
//   BINARY_OPS(X)   the same for binary ops
//   CASTS(X)        X(dtype name, output type, expression of `a` (a C)) for astype
// Kernels: unary_<name>, binary_<name>, astype_<dtype>, where_op, copy (params:
// an elementwise params block, see common.metal; copy's operand 0 is its output).
// Thread e (linear over a grid of one or two dimensions) writes output element e.

struct op_abs {
  float operator()(float a) const { return fabs(a); }
  int operator()(int a) const { return a < 0 ? int(0u - uint(a)) : a; }
  uint operator()(uint a) const { return a; }
  long operator()(long a) const { return a < 0 ? long(0ul - ulong(a)) : a; }
  ulong operator()(ulong a) const { return a; }
};
struct op_negative {
  float operator()(float a) const { return -a; }
  int operator()(int a) const { return int(0u - uint(a)); }
  uint operator()(uint a) const { return 0u - a; }
  long operator()(long a) const { return long(0ul - ulong(a)); }
  ulong operator()(ulong a) const { return 0ul - a; }
};
struct op_sign {
  float operator()(float a) const { return a > 0.0f ? 1.0f : a < 0.0f ? -1.0f : a; }
  int operator()(int a) const { return a > 0 ? 1 : a < 0 ? -1 : 0; }
  uint operator()(uint a) const { return a > 0u ? 1u : 0u; }
  long operator()(long a) const { return a > 0 ? 1l : a < 0 ? -1l : 0l; }
  ulong operator()(ulong a) const { return a > 0ul ? 1ul : 0ul; }
};
struct op_floor {
  float operator()(float a) const { return floor(a); }
  int operator()(int a) const { return a; }
  uint operator()(uint a) const { return a; }
  long operator()(long a) const { return a; }
  ulong operator()(ulong a) const { return a; }
};
struct op_ceil {
  float operator()(float a) const { return ceil(a); }
  int operator()(int a) const { return a; }
  uint operator()(uint a) const { return a; }
  long operator()(long a) const { return a; }
  ulong operator()(ulong a) const { return a; }
};
struct op_round {
  float operator()(float a) const { return rint(a); }
  int operator()(int a) const { return a; }
  uint operator()(uint a) const { return a; }
  long operator()(long a) const { return a; }
  ulong operator()(ulong a) const { return a; }
};
struct op_square {
  float operator()(float a) const { return a * a; }
  int operator()(int a) const { return int(uint(a) * uint(a)); }
  uint operator()(uint a) const { return a * a; }
  long operator()(long a) const { return long(ulong(a) * ulong(a)); }
  ulong operator()(ulong a) const { return a * a; }
};
struct op_stopGradient {
  float operator()(float a) const { return a; }
  int operator()(int a) const { return a; }
  uint operator()(uint a) const { return a; }
  long operator()(long a) const { return a; }
  ulong operator()(ulong a) const { return a; }
};
struct op_isnan {
  bool operator()(float a) const { return is_nan(a); }
  bool operator()(int) const { return false; }
  bool operator()(uint) const { return false; }
  bool operator()(long) const { return false; }
  bool operator()(ulong) const { return false; }
};
struct op_isinf {
  bool operator()(float a) const { return isinf(a); }
  bool operator()(int) const { return false; }
  bool operator()(uint) const { return false; }
  bool operator()(long) const { return false; }
  bool operator()(ulong) const { return false; }
};
struct op_isfinite {
  bool operator()(float a) const { return !is_nan(a) && !isinf(a); }
  bool operator()(int) const { return true; }
  bool operator()(uint) const { return true; }
  bool operator()(long) const { return true; }
  bool operator()(ulong) const { return true; }
};
struct op_logicalNot {
  bool operator()(float a) const { return a == 0.0f; }
  bool operator()(int a) const { return a == 0; }
  bool operator()(uint a) const { return a == 0u; }
  bool operator()(long a) const { return a == 0; }
  bool operator()(ulong a) const { return a == 0ul; }
};
struct op_bitwiseInvert {
  int operator()(int a) const { return ~a; }
  uint operator()(uint a) const { return ~a; }
  long operator()(long a) const { return ~a; }
  ulong operator()(ulong a) const { return ~a; }
};
/** bitwiseInvert of bool is logical not (bool is one bit). */
struct op_boolInvert {
  uint operator()(uint a) const { return 1u - a; }
};

#define FLOAT_OP(NAME, EXPR) \
  struct op_##NAME { float operator()(float a) const { return EXPR; } };
FLOAT_OP(sqrt, sqrt(a))
FLOAT_OP(rsqrt, rsqrt(a))
FLOAT_OP(reciprocal, 1.0f / a)
FLOAT_OP(exp, exp(a))
FLOAT_OP(expm1, expm1_f(a))
FLOAT_OP(log, log(a))
FLOAT_OP(log2, log2(a))
FLOAT_OP(log10, log10(a))
FLOAT_OP(log1p, log1p_f(a))
FLOAT_OP(sin, sin(a))
FLOAT_OP(cos, cos(a))
FLOAT_OP(tan, tan(a))
FLOAT_OP(arcsin, asin(a))
FLOAT_OP(arccos, acos(a))
FLOAT_OP(arctan, atan(a))
FLOAT_OP(sinh, sinh(a))
FLOAT_OP(cosh, cosh(a))
FLOAT_OP(tanh, tanh(a))
FLOAT_OP(arcsinh, asinh(a))
FLOAT_OP(arccosh, acosh(a))
FLOAT_OP(arctanh, atanh(a))
FLOAT_OP(sigmoid, sigmoid_f(a))
FLOAT_OP(erf, erf_f(a))
FLOAT_OP(erfinv, erfinv_f(a))

#define ARITH_OP(NAME, F, I, U, L, UL)                                \
  struct op_##NAME {                                                  \
    float operator()(float a, float b) const { return F; }            \
    int operator()(int a, int b) const { return I; }                  \
    uint operator()(uint a, uint b) const { return U; }               \
    long operator()(long a, long b) const { return L; }               \
    ulong operator()(ulong a, ulong b) const { return UL; }           \
  };
ARITH_OP(add, a + b, int(uint(a) + uint(b)), a + b, long(ulong(a) + ulong(b)), a + b)
ARITH_OP(subtract, a - b, int(uint(a) - uint(b)), a - b, long(ulong(a) - ulong(b)), a - b)
ARITH_OP(multiply, a * b, int(uint(a) * uint(b)), a * b, long(ulong(a) * ulong(b)), a * b)
ARITH_OP(floorDivide, floor_quotient(div_rn_f(a, b)), floor_divide_i(a, b), b == 0u ? 0u : a / b, floor_divide_l(a, b), b == 0ul ? 0ul : a / b)
ARITH_OP(remainder, remainder_f(a, b), remainder_i(a, b), b == 0u ? 0u : a % b, remainder_l(a, b), b == 0ul ? 0ul : a % b)
/**
 * floorDivide of half and bfloat (msl-types.ts binaryList): the quotient rounded to the dtype before
 * the floor; to bfloat on the bits, to nearest even (only bfloat's own libraries name the type; a
 * NaN quotient is F32_NAN, which stays NaN), overflowing to infinity.
 */
struct op_floorDivide_half {
  float operator()(float a, float b) const { return floor_quotient(float(half(div_rn_f(a, b)))); }
};
struct op_floorDivide_bfloat {
  float operator()(float a, float b) const {
    uint u = as_type<uint>(div_rn_f(a, b));
    return floor_quotient(as_type<float>((u + 0x7fffu + ((u >> 16) & 1u)) & 0xffff0000u));
  }
};
ARITH_OP(power, pow_f(a, b), pow_i(a, b), pow_u(a, b), pow_l(a, b), pow_ul(a, b))
ARITH_OP(maximum, maximum_f(a, b), max(a, b), max(a, b), a >= b ? a : b, a >= b ? a : b)
ARITH_OP(minimum, minimum_f(a, b), min(a, b), min(a, b), a <= b ? a : b, a <= b ? a : b)

#define FLOAT_OP2(NAME, EXPR) \
  struct op_##NAME { float operator()(float a, float b) const { return EXPR; } };
FLOAT_OP2(divide, a / b)
FLOAT_OP2(logaddexp, logaddexp_f(a, b))
FLOAT_OP2(arctan2, atan2(a, b))

#define INT_OP2(NAME, I, U, L, UL)                            \
  struct op_##NAME {                                          \
    int operator()(int a, int b) const { return I; }          \
    uint operator()(uint a, uint b) const { return U; }       \
    long operator()(long a, long b) const { return L; }       \
    ulong operator()(ulong a, ulong b) const { return UL; }   \
  };
INT_OP2(bitwiseAnd, a & b, a & b, a & b, a & b)
INT_OP2(bitwiseOr, a | b, a | b, a | b, a | b)
INT_OP2(bitwiseXor, a ^ b, a ^ b, a ^ b, a ^ b)
INT_OP2(leftShift, (b < 0 || b >= 32) ? 0 : int(uint(a) << uint(b)), b >= 32u ? 0u : a << b,
        (b < 0 || b >= 64) ? 0l : long(ulong(a) << ulong(b)), b >= 64ul ? 0ul : a << b)
INT_OP2(rightShift, (b < 0 || b >= 32) ? (a < 0 ? -1 : 0) : a >> b, b >= 32u ? 0u : a >> b,
        (b < 0 || b >= 64) ? (a < 0 ? -1l : 0l) : a >> b, b >= 64ul ? 0ul : a >> b)

#define COMPARE_OP(NAME, EXPR)                                          \
  struct op_##NAME {                                                    \
    bool operator()(float a, float b) const { return EXPR; }            \
    bool operator()(int a, int b) const { return EXPR; }                \
    bool operator()(uint a, uint b) const { return EXPR; }              \
    bool operator()(long a, long b) const { return EXPR; }              \
    bool operator()(ulong a, ulong b) const { return EXPR; }            \
  };
COMPARE_OP(equal, a == b)
COMPARE_OP(notEqual, a != b)
COMPARE_OP(less, a < b)
COMPARE_OP(lessEqual, a <= b)
COMPARE_OP(greater, a > b)
COMPARE_OP(greaterEqual, a >= b)
COMPARE_OP(logicalAnd, a != 0 && b != 0)
COMPARE_OP(logicalOr, a != 0 || b != 0)

#define ELEMENT_ID                                                                 \
  IDX e = linear_id(pos, size);                                                    \
  if (e >= p[0]) return;
#define ELEMENT_IDS uint2 pos [[thread_position_in_grid]], uint2 size [[threads_per_grid]]

#define UNARY_KERNEL(NAME, OP, OUT)                                                               \
  kernel void unary_##NAME(device OUT* out [[buffer(0)]], device const T* a [[buffer(1)]],        \
                           constant IDX* p [[buffer(2)]], ELEMENT_IDS) {                          \
    ELEMENT_ID                                                                                    \
    out[e] = OUT(OP()(C(a[offset_of(p, 0, e)])));                                                 \
  }
UNARY_OPS(UNARY_KERNEL)

#define BINARY_KERNEL(NAME, OP, OUT)                                                                \
  kernel void binary_##NAME(device OUT* out [[buffer(0)]], device const T* a [[buffer(1)]],         \
                            device const T* b [[buffer(2)]], constant IDX* p [[buffer(3)]], ELEMENT_IDS) { \
    ELEMENT_ID                                                                                      \
    out[e] = OUT(OP()(C(a[offset_of(p, 0, e)]), C(b[offset_of(p, 1, e)])));                         \
  }
BINARY_OPS(BINARY_KERNEL)

#define CAST_KERNEL(NAME, OUT, EXPR)                                                              \
  kernel void astype_##NAME(device OUT* out [[buffer(0)]], device const T* in [[buffer(1)]],     \
                            constant IDX* p [[buffer(2)]], ELEMENT_IDS) {                        \
    ELEMENT_ID                                                                                   \
    C a = C(in[offset_of(p, 0, e)]);                                                             \
    out[e] = OUT(EXPR);                                                                          \
  }
CASTS(CAST_KERNEL)

kernel void where_op(device T* out [[buffer(0)]], device const bool* c [[buffer(1)]], device const T* a [[buffer(2)]],
                     device const T* b [[buffer(3)]], constant IDX* p [[buffer(4)]], ELEMENT_IDS) {
  ELEMENT_ID
  out[e] = c[offset_of(p, 0, e)] ? a[offset_of(p, 1, e)] : b[offset_of(p, 2, e)];
}

kernel void copy(device T* out [[buffer(0)]], device const T* in [[buffer(1)]], constant IDX* p [[buffer(2)]], ELEMENT_IDS) {
  ELEMENT_ID
  out[offset_of(p, 0, e)] = in[offset_of(p, 1, e)];
}
