// float16 and bfloat16 stored as 16-bit words: encoding from float64 with one
// round-to-nearest-even (no double rounding through float32), and decoding
// through 65536-entry tables. Subnormals, infinities and NaN are exact.

/** Binary format with `mBits` stored significand bits and `eBits` exponent bits. */
function makeEncoder(mBits: number, eBits: number, nanBits: number) {
  const bias = (1 << (eBits - 1)) - 1;
  const minNormalExp = 1 - bias;
  const infBits = ((1 << eBits) - 1) << mBits;
  const maxFiniteExp = bias;
  const scaleSub = 2 ** (mBits - minNormalExp); // value -> units of the smallest subnormal
  const minNormal = 2 ** minNormalExp;
  return function encode(x: number): number {
    if (x !== x) return nanBits;
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

function makeDecodeTable(mBits: number, eBits: number): Float32Array {
  const bias = (1 << (eBits - 1)) - 1;
  const t = new Float32Array(65536);
  const expMask = (1 << eBits) - 1;
  for (let h = 0; h < 65536; h++) {
    const sign = h >> (mBits + eBits) ? -1 : 1;
    const e = (h >> mBits) & expMask;
    const m = h & ((1 << mBits) - 1);
    let v: number;
    if (e === 0) v = m * 2 ** (1 - bias - mBits);
    else if (e === expMask) v = m === 0 ? Infinity : NaN;
    else v = (1 + m / 2 ** mBits) * 2 ** (e - bias);
    t[h] = sign * v;
  }
  return t;
}

/** float64 -> float16 bits, round to nearest even. NaN becomes 0x7e00. */
export const f16FromNumber = makeEncoder(10, 5, 0x7e00);
/** float64 -> bfloat16 bits, round to nearest even. NaN becomes 0x7fc0. */
export const bf16FromNumber = makeEncoder(7, 8, 0x7fc0);

/** Exact decoding tables, indexed by the 16-bit word. */
export const F16_TABLE = makeDecodeTable(10, 5);
export const BF16_TABLE = makeDecodeTable(7, 8);

export const f16ToNumber = (h: number): number => F16_TABLE[h & 0xffff]!;
export const bf16ToNumber = (h: number): number => BF16_TABLE[h & 0xffff]!;
