// How floats print, against C's printf as Python's % formatting gives it
// (correctly rounded from the exact binary value, an exact decimal tie to even,
// as glibc's printf and so MLX's std::ostream): `%.6g` (MLX's default), other
// `%g` precisions, and `%.pf` (MLX with a precision set), over every float16
// and bfloat16, many float32 and float64 values, and ties; then MLX's own
// print tests (python/tests/test_array.py) and how print options are checked.

import { describe, expect, it } from "vitest";
import * as mx from "../index.js";
import { BF16_TABLE, F16_TABLE } from "../src/half.js";
import { formatFixed, formatG } from "../src/print.js";
import { describeWithNumpy, runPython } from "./helpers/numpy.js";

/** A deterministic stream of 32-bit words (xorshift32). */
function words(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return s >>> 0;
  };
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
const f64 = new Float64Array(1);
const u64 = new BigUint64Array(f64.buffer);

/** The values compared, by kind: every finite float16 and bfloat16, float32 and float64 from random bits, and ties. */
function values(): Record<string, number[]> {
  const finite = (table: ArrayLike<number>) => Array.from(table).filter((v) => Number.isFinite(v) && v !== 0);
  const next = words(12345);
  const float32: number[] = [];
  while (float32.length < 20000) {
    u32[0] = next();
    // most from normal magnitudes near 1 (where printed digits matter most), some from anywhere
    if (float32.length % 4 !== 0) u32[0] = (u32[0]! & 0x80ffffff) | ((0x70 + (next() % 32)) << 23);
    if (Number.isFinite(f32[0]!) && f32[0] !== 0) float32.push(f32[0]!);
  }
  const float64: number[] = [];
  while (float64.length < 3000) {
    u64[0] = (BigInt(next()) << 32n) | BigInt(next());
    if (float64.length % 3 !== 0) u64[0] = (u64[0]! & 0x800fffffffffffffn) | (BigInt(0x3c0 + (next() % 128)) << 52n);
    if (Number.isFinite(f64[0]!) && f64[0] !== 0) float64.push(f64[0]!);
  }
  // exact decimal ties at the cut of %g or %f: k/2^n for odd k, and integers ending in 5
  const ties: number[] = [];
  for (let n = 1; n <= 12; n++) for (let k = 1; k < 2 ** Math.min(n + 4, 12); k += 2) ties.push(k / 2 ** n, -k / 2 ** n, (1024 * 2 ** n + k) / 2 ** n);
  for (let k = 0; k < 200; k++) ties.push(1234565 + 10 * k, 12345650 + 100 * k, 2.5 + k, 0.5 + k * 1e6);
  return { float16: finite(F16_TABLE), bfloat16: finite(BF16_TABLE), float32, float64, ties };
}

/** For `%g` a precision p is `g${p}`; for `%f`, `f${p}`. */
const FORMATS = ["g6", "g3", "g1", "g17", "f0", "f2", "f4", "f9"];
const format = (x: number, f: string) => (f[0] === "g" ? formatG(x, Number(f.slice(1))) : formatFixed(x, Number(f.slice(1))));

describeWithNumpy("floats print as C's printf rounds them", () => {
  const sets = values();
  const printf = runPython<Record<string, Record<string, string[]>>>(
    `
import json, sys
r = json.load(sys.stdin)
fmts = ${JSON.stringify(FORMATS)}
print(json.dumps({k: {f: [('%.' + f[1:] + f[0]) % x for x in v] for f in fmts} for k, v in r.items()}))
`,
    sets,
  );

  for (const kind of Object.keys(sets)) {
    it(`${kind}: ${FORMATS.map((f) => `%.${f.slice(1)}${f[0]}`).join(", ")} agree with printf on every value`, () => {
      const xs = sets[kind]!;
      for (const f of FORMATS) {
        // a first mismatch, and how many, rather than one failure per value
        const bad = xs.flatMap((x, i) => (format(x, f) === printf[kind]![f]![i] ? [] : [`${x}: ${format(x, f)}, printf ${printf[kind]![f]![i]}`]));
        expect({ format: f, mismatches: bad.length, first: bad.slice(0, 3) }).toEqual({ format: f, mismatches: 0, first: [] });
      }
    });
  }

  it("the ties compared include exact ties at the %g and %f cuts", () => {
    // sanity: the tie set would catch round-half-up (JS's toFixed/toPrecision)
    const ties = sets.ties!;
    const halfUp = ties.filter((x, i) => Math.abs(x) < 1e21 && x.toFixed(2) !== printf.ties!.f2![i]);
    expect(halfUp.length).toBeGreaterThan(50);
  });
});

describe("float formatting", () => {
  it("rounds exact ties to even, from the exact binary value", () => {
    expect(formatG(1.203125)).toBe("1.20312");
    expect(formatG(1024.125)).toBe("1024.12");
    expect(formatG(1024.375)).toBe("1024.38");
    expect(formatG(1234565)).toBe("1.23456e+06");
    expect(formatG(-48.15625)).toBe("-48.1562");
    expect(formatG(0.15)).toBe("0.15");
    // 2.675 is 2.67499999999999982236431605997495353221893310546875: no tie, rounds down
    expect(formatFixed(2.675, 2)).toBe("2.67");
    expect(formatFixed(0.125, 2)).toBe("0.12");
    expect(formatFixed(0.375, 2)).toBe("0.38");
    expect([0.5, 1.5, 2.5, 3.5].map((x) => formatFixed(x, 0))).toEqual(["0", "2", "2", "4"]);
  });

  it("%g's exponent form, zero stripping and the carry into a new digit", () => {
    expect([1e-5, 0.0001, 123456, 1234567, 999999.5, 9.9999996, 1e100, 5e-324, 1.7976931348623157e308].map((x) => formatG(x))).toEqual([
      "1e-05", "0.0001", "123456", "1.23457e+06", "1e+06", "10", "1e+100", "4.94066e-324", "1.79769e+308",
    ]);
    expect(formatG(100, 1)).toBe("1e+02");
    expect(formatG(0.5, 0)).toBe("0.5");
  });

  it("fixed notation prints every integer digit, no point at 0 decimals, and keeps the sign of what rounds to zero", () => {
    expect(formatFixed(1e25, 2)).toBe("10000000000000000905969664.00");
    expect(formatFixed(Math.fround(3.4028234663852886e38), 0)).toBe("340282346638528859811704183484516925440");
    expect(formatFixed(5e-324, 3)).toBe("0.000");
    expect(formatFixed(-0.001, 2)).toBe("-0.00");
    expect(formatFixed(-0, 2)).toBe("-0.00");
    expect(formatFixed(-0, 0)).toBe("-0");
    expect(formatFixed(0.9016, 0)).toBe("1");
  });

  it("inf, nan and -0 as C prints them in either notation", () => {
    for (const f of [(x: number) => formatG(x), (x: number) => formatFixed(x, 2)]) {
      expect([Infinity, -Infinity, NaN].map(f)).toEqual(["inf", "-inf", "nan"]);
    }
    expect(formatG(-0)).toBe("-0");
    expect(formatG(0)).toBe("0");
  });
});

describe("printed arrays and print options, as MLX", () => {
  it("MLX's test_array.py print tests", () => {
    const x = mx.array([1.123456789], mx.float32);
    expect(String(x)).toBe("array([1.12346], dtype=float32)");
    expect(mx.printoptions({ precision: 4 }, () => String(x))).toBe("array([1.1235], dtype=float32)");
    mx.setPrintoptions({ precision: 2 });
    try {
      expect(String(x)).toBe("array([1.12], dtype=float32)");
      const s = mx.sin(x);
      expect(String(s)).toBe("array([0.90], dtype=float32)");
      expect(mx.printoptions({ precision: 4 }, () => String(s))).toBe("array([0.9016], dtype=float32)");
      expect(String(mx.array([1234.5678], mx.float32))).toBe("array([1234.57], dtype=float32)");
    } finally {
      mx.setPrintoptions({ precision: undefined });
    }
    expect(String(mx.array([1.2], mx.float16))).toBe("array([1.2002], dtype=float16)");
  });

  it("float16 and bfloat16 print their exact value, ties to even", () => {
    expect(String(mx.array([1.203125, 3.015625], mx.bfloat16))).toBe("array([1.20312, 3.01562], dtype=bfloat16)");
    expect(String(mx.array([1024.125, 1234565, -48.15625], mx.float32))).toBe("array([1024.12, 1.23456e+06, -48.1562], dtype=float32)");
    expect(String(mx.array([1.0009765625, 65504], mx.float16))).toBe("array([1.00098, 65504], dtype=float16)");
  });

  it("complex: the real part, then + and the imaginary part when it is >= 0 or nan, else - and its magnitude", () => {
    const z = mx.array([{ re: 1, im: -0 }, { re: -0, im: -2.5 }, { re: NaN, im: NaN }, { re: 1.203125, im: Infinity }, { re: 0, im: -Infinity }], mx.complex64);
    expect(String(z)).toBe("array([1+-0j, -0-2.5j, nan+nanj, 1.20312+infj, 0-infj], dtype=complex64)");
    expect(mx.printoptions({ precision: 1 }, () => String(mx.array([{ re: 0.25, im: -0.75 }, { re: 1, im: -0.01 }], mx.complex64)))).toBe(
      "array([0.2-0.8j, 1.0-0.0j], dtype=complex64)",
    );
  });

  it("precision applies to floats only: ints and bools print as they are", () => {
    mx.printoptions({ precision: 3 }, () => {
      expect(String(mx.array([1, -2], mx.int32))).toBe("array([1, -2], dtype=int32)");
      expect(String(mx.array([true, false]))).toBe("array([true, false], dtype=bool)");
      expect(String(mx.array([-0, Infinity, NaN], mx.float32))).toBe("array([-0.000, inf, nan], dtype=float32)");
      expect(mx.printoptions({ precision: 0 }, () => String(mx.array([0.5, 1.5, 2.5, -0.4], mx.float32)))).toBe("array([0, 2, 2, -0], dtype=float32)");
    });
  });

  it("the default is -1 (%g with 6 digits); precision is -1 or 0 to 1074; undefined restores the default", () => {
    expect(mx.getPrintoptions()).toEqual({ precision: -1 });
    mx.printoptions({ precision: 0 }, () => expect(mx.getPrintoptions()).toEqual({ precision: 0 }));
    mx.printoptions({ precision: 5 }, () => mx.printoptions({}, () => expect(mx.getPrintoptions()).toEqual({ precision: -1 })));
    mx.setPrintoptions({ precision: 1074 });
    // 2^-1074 is 5^1074 / 10^1074: its 1074 decimals exactly
    expect(String(mx.array([5e-324], mx.float64))).toBe(`array([0.${(5n ** 1074n).toString().padStart(1074, "0")}], dtype=float64)`);
    mx.setPrintoptions({ precision: -1 });
    for (const bad of [-2, 1075, 1.5]) expect(() => mx.setPrintoptions({ precision: bad })).toThrow(/^\[setPrintoptions\] precision must be an integer from -1 to 1074, got /);
    expect(mx.getPrintoptions()).toEqual({ precision: -1 });
  });
});
