// float16 and bfloat16 stored as 16-bit words: encoding from float64 with one
// round-to-nearest-even (no double rounding through float32), and decoding
// through 65536-entry tables. Subnormals and infinities are exact; a NaN
// keeps its sign and payload as hardware conversions do (bfloat16 encoding
// aside: every NaN becomes 0x7fc0, as MLX's cpu bfloat16).

const F64 = new Float64Array(1);
/** The high 32 bits (sign, exponent, top 20 significand bits) of F64[0] (little-endian). */
const F64_HIGH = new Uint32Array(F64.buffer, 4, 1);

/**
 * float16 bits of NaN `x` as a float32 -> float16 hardware conversion gives
 * them (F16C, Arm FCVT, Metal): x's sign, quiet, the top 10 payload bits.
 * A float32 NaN read into a JS number keeps its sign and payload (shifted
 * left by 29), so they come from the float64's high word.
 */
function f16NaN(x: number): number {
  F64[0] = x;
  const high = F64_HIGH[0]!;
  return ((high >>> 16) & 0x8000) | 0x7e00 | ((high >>> 10) & 0x3ff);
}

/** Binary format with `mBits` stored significand bits and `eBits` exponent bits; `nanBits(x)` encodes a NaN. */
function makeEncoder(mBits: number, eBits: number, nanBits: (x: number) => number) {
  const bias = (1 << (eBits - 1)) - 1;
  const minNormalExp = 1 - bias;
  const infBits = ((1 << eBits) - 1) << mBits;
  const maxFiniteExp = bias;
  const scaleSub = 2 ** (mBits - minNormalExp); // value -> units of the smallest subnormal
  const minNormal = 2 ** minNormalExp;
  return function encode(x: number): number {
    if (x !== x) return nanBits(x);
    const sign = x < 0 || Object.is(x, -0) ? 1 << (mBits + eBits) : 0;
    let a = Math.abs(x);
    if (a === Infinity) return sign | infBits;
    if (a < minNormal) {
      // subnormal (or rounds up to the smallest normal): exact scaling, then RNE
      const v = a * scaleSub;
      let m = Math.floor(v);
      const f = v - m;
      if (f > 0.5 || (f === 0.5 && (m & 1) === 1)) m++;
      return sign | m; // m === 2^mBits encodes the smallest normal
    }
    let e = Math.floor(Math.log2(a));
    if (2 ** e > a) e--;
    else if (2 ** (e + 1) <= a) e++;
    const v = a / 2 ** (e - mBits); // in [2^mBits, 2^(mBits+1)), exact
    let s = Math.floor(v);
    const f = v - s;
    if (f > 0.5 || (f === 0.5 && (s & 1) === 1)) s++;
    if (s === 2 ** (mBits + 1)) {
      s = 2 ** mBits;
      e++;
    }
    if (e > maxFiniteExp) return sign | infBits;
    return sign | ((e + bias) << mBits) | (s - 2 ** mBits);
  };
}

/**
 * The float32 of each 16-bit word. A NaN widens as the other backends and
 * MLX widen it: sign kept, payload shifted up to float32's (by 23 - mBits:
 * 13 for float16, 16 for bfloat16), and for float16 the quiet bit set (as
 * F16C, Arm FCVT and Metal set it; bfloat16's widening is a plain shift). Its
 * bits are written through a Uint32Array view: arithmetic on a NaN
 * (`-1 * NaN`) does not keep its sign in JS.
 */
function makeDecodeTable(mBits: number, eBits: number, quietNaN: boolean): Float32Array {
  // float32's bits, built with integer operations (this runs at import: 65536
  // entries each): normal numbers, infinities and NaNs take the exponent
  // rebiased and the significand shifted up; subnormals of a format with a
  // narrower exponent are normal in float32, so they are written as values.
  const bias = (1 << (eBits - 1)) - 1;
  const t = new Float32Array(65536);
  const bits = new Uint32Array(t.buffer);
  const expMask = (1 << eBits) - 1;
  const mMask = (1 << mBits) - 1;
  const shift = 23 - mBits;
  const rebias = (127 - bias) << 23;
  const subnormalUnit = 2 ** (1 - bias - mBits);
  for (let h = 0; h < 65536; h++) {
    const sign = (h >> (mBits + eBits)) << 31;
    const e = (h >> mBits) & expMask;
    const m = h & mMask;
    if (e === expMask) bits[h] = (sign | 0x7f800000 | (m === 0 ? 0 : (quietNaN ? 0x400000 : 0) | (m << shift))) >>> 0;
    else if (e !== 0) bits[h] = (sign | (rebias + (e << 23)) | (m << shift)) >>> 0;
    else if (eBits === 8) bits[h] = (sign | (m << shift)) >>> 0;
    else t[h] = sign ? -m * subnormalUnit : m * subnormalUnit;
  }
  return t;
}

/** float64 -> float16 bits, round to nearest even. A NaN keeps its sign and top payload bits, quiet (JS's NaN constant: 0x7e00; a NaN that arithmetic makes has the CPU's default sign: 0xfe00 on x86-64, as MLX's cpu gives there). */
export const f16FromNumber = makeEncoder(10, 5, f16NaN);
/** float64 -> bfloat16 bits, round to nearest even. Every NaN becomes 0x7fc0, as MLX's cpu bfloat16 (mlx/types/bf16.h) gives. */
export const bf16FromNumber = makeEncoder(7, 8, () => 0x7fc0);

/** Exact decoding tables, indexed by the 16-bit word. */
export const F16_TABLE = makeDecodeTable(10, 5, true);
export const BF16_TABLE = makeDecodeTable(7, 8, false);

export const f16ToNumber = (h: number): number => F16_TABLE[h & 0xffff]!;
export const bf16ToNumber = (h: number): number => BF16_TABLE[h & 0xffff]!;
