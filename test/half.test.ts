// float16 / bfloat16 conversion, checked exhaustively over all 65536 words:
// every word round-trips, and every rounding boundary (the midpoint between
// neighbours, and the doubles just beside it) rounds to nearest even.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BF16_TABLE, F16_TABLE, bf16FromNumber, f16FromNumber } from "../src/half.js";

const f64 = new Float64Array(1);
const u64 = new BigUint64Array(f64.buffer);
function nextAfter(x: number, up: boolean): number {
  f64[0] = x;
  u64[0] = u64[0]! + (up === x > 0 ? 1n : -1n);
  return f64[0]!;
}

for (const [name, encode, table, maxWord] of [
  ["float16", f16FromNumber, F16_TABLE, 0x7bff],
  ["bfloat16", bf16FromNumber, BF16_TABLE, 0x7f7f],
] as const) {
  describe(`${name} conversion`, () => {
    it("round-trips every non-NaN word", () => {
      let checked = 0;
      for (let h = 0; h < 65536; h++) {
        const v = table[h]!;
        if (Number.isNaN(v)) continue;
        if (encode(v) !== h) throw new Error(`${name} word 0x${h.toString(16)} (${v}) encoded as 0x${encode(v).toString(16)}`);
        checked++;
      }
      expect(checked).toBeGreaterThan(63000);
    });

    it("decodes NaN words to NaN and encodes NaN to a quiet NaN", () => {
      expect(Number.isNaN(table[0x7fff]!)).toBe(true);
      expect(Number.isNaN(table[encode(NaN)]!)).toBe(true);
    });

    it("rounds to nearest even at every boundary between neighbours", () => {
      for (let h = 0; h < maxWord + 1; h++) {
        const lo = table[h]!, hi = h === maxWord ? 2 * table[maxWord]! - table[maxWord - 1]! : table[h + 1]!;
        const mid = (lo + hi) / 2; // exact in float64
        const upWord = h + 1; // maxWord + 1 is the infinity word
        const even = h % 2 === 0 ? h : upWord;
        for (const sign of [1, -1]) {
          const s = sign < 0 ? 0x8000 : 0;
          const at = (w: number) => (sign < 0 ? w | s : w);
          if (encode(sign * mid) !== at(even)) throw new Error(`${name}: midpoint ${sign * mid} gave 0x${encode(sign * mid).toString(16)}`);
          if (mid !== 0) {
            if (encode(sign * nextAfter(mid, true)) !== at(upWord)) throw new Error(`${name}: just above ${mid}`);
            if (encode(sign * nextAfter(mid, false)) !== at(h)) throw new Error(`${name}: just below ${mid}`);
          }
        }
      }
    });

    it("overflows to infinity past the largest finite value and keeps -0", () => {
      expect(encode(Infinity)).toBe(maxWord + 1);
      expect(encode(1e300)).toBe(maxWord + 1);
      expect(encode(-Infinity)).toBe(encode(Infinity) | 0x8000);
      expect(encode(-0)).toBe(0x8000);
      expect(encode(5e-324)).toBe(0);
    });
  });
}

describe("bfloat16 against the float32 bit trick", () => {
  it("agrees with (bits + 0x7fff + lsb) >> 16 on float32 inputs", () => {
    const f = new Float32Array(1), u = new Uint32Array(f.buffer);
    fc.assert(
      fc.property(fc.float({ noNaN: true }), (x) => {
        f[0] = x;
        const bits = u[0]!;
        const want = ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16) & 0xffff;
        expect(bf16FromNumber(f[0]!)).toBe(want);
      }),
      { numRuns: 20000 },
    );
  });
});

describe("float16 known values", () => {
  it("encodes hand-derived words", () => {
    expect(f16FromNumber(65504)).toBe(0x7bff);
    expect(f16FromNumber(65520)).toBe(0x7c00); // halfway to 65536 rounds to even: infinity
    expect(f16FromNumber(2 ** -14)).toBe(0x0400);
    expect(f16FromNumber(2 ** -24)).toBe(0x0001);
    expect(f16FromNumber(2 ** -25)).toBe(0x0000); // tie to even (zero)
    expect(f16FromNumber(1.5 * 2 ** -25)).toBe(0x0001);
    expect(f16FromNumber(1 / 3)).toBe(0x3555);
    expect(F16_TABLE[0x3c00]).toBe(1);
  });
});
