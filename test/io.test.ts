// mx.save/mx.load and friends: round trips of every dtype through .npy,
// .npz (stored and deflated), safetensors and GGUF on every backend; files
// written here read by Debian's NumPy (safetensors by a small Python reader)
// and files NumPy writes read here; GGUF's quantized tensors against their
// formula; and corrupt, truncated or hostile files (fuzzed) refused with an
// error naming the function and the file, never a crash or a read past the end.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import * as mx from "../index.js";
import { readGguf } from "../src/io/gguf.js";
import { readNpy } from "../src/io/npy.js";
import { readNpz } from "../src/io/npz.js";
import { readSafetensors } from "../src/io/safetensors.js";
import { bytesSource } from "../src/io/source.js";
import { getBackend } from "../backends/backend.js";
import { BACKENDS } from "./helpers/backends.js";
import { describeWithNumpy, pythonOutput } from "./helpers/numpy.js";
import { ggufOneTensor } from "./helpers/io-files.js";

const dir = mkdtempSync(join(tmpdir(), "mlx-ts-io-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let fileNo = 0;
const tmp = (ext: string) => join(dir, `f${fileNo++}${ext}`);

/** A 2x3 array of each dtype with values that dtype holds exactly (complex64 as re, im pairs). */
function sample(d: mx.DType, o: { stream: mx.Device }): mx.MxArray {
  if (d === mx.bool) return mx.array([[true, false, true], [false, false, true]], d, o);
  if (d === mx.complex64) return mx.array([[{ re: 1, im: -2 }, { re: 0.5, im: 3 }, { re: -1, im: 0 }], [{ re: 2, im: 2 }, { re: 0, im: 0 }, { re: -7.25, im: 1 }]], d, o);
  if (d.kind === "uint") return mx.array([[0, 1, 2], [100, 200, 255]], d, o);
  if (d.kind === "int") return mx.array([[0, -1, 2], [-100, 100, 127]], d, o);
  return mx.array([[0, -1.5, 2.25], [-0.125, 1000, 3]], d, o);
}

const same = async (a: mx.MxArray, b: mx.MxArray) => {
  expect(b.dtype.name).toBe(a.dtype.name);
  expect([...b.shape]).toEqual([...a.shape]);
  expect(await b.tolist()).toEqual(await a.tolist());
};


describe.each(BACKENDS)("round trips on $name", ({ device }) => {
  const o = { stream: device };
  const held = getBackend(device.backend).capabilities.dtypes;
  const DTYPES = mx.ALL_DTYPES.filter((d) => held.has(d));

  it.runIf(!held.has(mx.float64))("a dtype the backend does not hold is an error naming load, the file and the tensor", async () => {
    const file = tmp(".safetensors");
    await mx.saveSafetensors(file, { x: mx.ones([2], mx.float64, { stream: mx.cpu }) });
    expect(() => mx.load(file, o)).toThrow(new RegExp(`^\\[load\\] ${file}: tensor 'x' is float64, which backend '.*' does not hold; load it with \\{ stream: mx.cpu \\}`));
    expect(await (mx.load(file, { stream: mx.cpu }) as Record<string, mx.MxArray>).x!.tolist()).toEqual([1, 1]);
  });

  it.each(DTYPES.map((d) => [d.name, d] as const))(".npy keeps %s", async (_, d) => {
    const x = sample(d, o);
    const file = tmp("");
    await mx.save(file, x);
    await same(x, mx.load(`${file}.npy`, o) as mx.MxArray); // ".npy" appended, as MLX
  });

  it("0-d, empty and transposed arrays survive .npy", async () => {
    for (const x of [mx.array(3.5, mx.float32, o), mx.zeros([0, 3], mx.int8, o), mx.transpose(mx.reshape(mx.arange(6, o), [2, 3], o), undefined, o)]) {
      const file = tmp(".npy");
      await mx.save(file, x);
      await same(x, mx.load(file, o) as mx.MxArray);
    }
  });

  it.each([false, true])(".npz (compressed: %s) keeps every dtype under its name", async (compressed) => {
    const arrays = Object.fromEntries(DTYPES.map((d) => [d.name, sample(d, o)]));
    const file = tmp(".npz");
    await (compressed ? mx.savezCompressed : mx.savez)(file, arrays);
    const back = mx.load(file, o) as Record<string, mx.MxArray>;
    expect(Object.keys(back)).toEqual(Object.keys(arrays));
    for (const k of Object.keys(arrays)) await same(arrays[k]!, back[k]!);
    const list = tmp(".npz");
    await mx.savez(list, [arrays.int32!, arrays.bool!]);
    expect(Object.keys(mx.load(list) as object)).toEqual(["arr_0", "arr_1"]);
  });

  it("safetensors keeps every dtype and the metadata", async () => {
    const arrays = Object.fromEntries(DTYPES.map((d) => [`layers.0.${d.name}`, sample(d, o)]));
    const file = tmp("");
    await mx.saveSafetensors(file, arrays, { format: "mlx", note: "ü" });
    const [back, meta] = mx.load(`${file}.safetensors`, { returnMetadata: true, stream: device }) as [Record<string, mx.MxArray>, Record<string, string>];
    expect(meta).toEqual({ format: "mlx", note: "ü" });
    for (const k of Object.keys(arrays)) await same(arrays[k]!, back[k]!);
    expect(Object.keys(mx.load(`${file}.safetensors`) as object).sort()).toEqual(Object.keys(arrays).sort());
  });

  it("GGUF keeps float32, float16, int8, int16, int32 and the metadata kinds", async () => {
    const arrays = Object.fromEntries([mx.float32, mx.float16, mx.int8, mx.int16, mx.int32].map((d) => [`t.${d.name}`, sample(d, o)]));
    arrays.big = mx.reshape(mx.arange(2 * 3 * 5, o), [2, 3, 5], o);
    const file = tmp(".gguf");
    const meta = { name: "tiny", tags: ["a", "b", ""], f: mx.array([0.5, 1], mx.float32, o), n: mx.array(7, mx.uint32, o), flag: mx.array(true, mx.bool, o), big: mx.array([2n ** 40n], mx.int64, o) };
    await mx.saveGguf(file, arrays, meta);
    const [back, m] = mx.load(file, { returnMetadata: true, stream: device }) as [Record<string, mx.MxArray>, Record<string, mx.optimizers.Tree | string | string[]>];
    for (const k of Object.keys(arrays)) await same(arrays[k]!, back[k]!);
    expect(m.name).toBe("tiny");
    expect(m.tags).toEqual(["a", "b", ""]);
    for (const k of ["f", "n", "flag", "big"] as const) await same(meta[k], m[k] as mx.MxArray);
    await expect(mx.saveGguf(tmp(".gguf"), { x: mx.ones([2], mx.bfloat16, o) })).rejects.toThrow(/\[saveGguf\] arrays 'x' has dtype bfloat16/);
  });
});

describeWithNumpy("NumPy reads what mx writes", () => {
  const o = { stream: mx.cpu };

  it(".npy and .npz of every NumPy dtype, and bfloat16 as '<V2'", async () => {
    const arrays = Object.fromEntries(mx.ALL_DTYPES.map((d) => [d.name, sample(d, o)]));
    const npz = tmp(".npz"), npzc = tmp(".npz");
    await mx.savez(npz, arrays);
    await mx.savezCompressed(npzc, arrays);
    const npys: Record<string, string> = {};
    for (const [k, a] of Object.entries(arrays)) await mx.save((npys[k] = tmp(".npy")), a);
    const out = pythonOutput(`
import json, numpy as np
res = {}
for name, f in json.loads(${JSON.stringify(JSON.stringify(npys))}).items():
    a = np.load(f)
    res[name] = [a.dtype.str, list(a.shape), a.tobytes().hex()]
for f in [${JSON.stringify(npz)}, ${JSON.stringify(npzc)}]:
    z = np.load(f)
    for k in z.files:
        assert z[k].tobytes() == np.load(json.loads(${JSON.stringify(JSON.stringify(npys))})[k]).tobytes()
print(json.dumps(res))`);
    const got = JSON.parse(out) as Record<string, [string, number[], string]>;
    for (const [k, a] of Object.entries(arrays)) {
      const want = Buffer.from((await a.data()).buffer).toString("hex");
      expect(got[k]![2], k).toBe(want);
      expect(got[k]![1]).toEqual([...a.shape]);
    }
    expect(got.float16![0]).toBe("<f2");
    expect(got.bfloat16![0]).toBe("|V2");
    expect(got.complex64![0]).toBe("<c8");
    expect(got.bool![0]).toBe("|b1");
  });

  it("safetensors, read by a reader written from the format's description", async () => {
    const arrays = { w: sample(mx.float32, o), h: sample(mx.float16, o), b: sample(mx.bfloat16, o), i: sample(mx.int64, o), m: sample(mx.bool, o) };
    const file = tmp(".safetensors");
    await mx.saveSafetensors(file, arrays, { k: "v" });
    const out = pythonOutput(`
import json, struct
data = open(${JSON.stringify(file)}, "rb").read()
n = struct.unpack("<Q", data[:8])[0]
assert (8 + n) % 8 == 0
h = json.loads(data[8:8 + n])
res = {"__metadata__": h.pop("__metadata__")}
for k, v in h.items():
    b, e = v["data_offsets"]
    res[k] = [v["dtype"], v["shape"], data[8 + n + b:8 + n + e].hex()]
print(json.dumps(res))`);
    const got = JSON.parse(out) as Record<string, unknown>;
    expect(got.__metadata__).toEqual({ k: "v" });
    const codes = { w: "F32", h: "F16", b: "BF16", i: "I64", m: "BOOL" };
    for (const [k, a] of Object.entries(arrays)) {
      expect(got[k]).toEqual([codes[k as keyof typeof codes], [...a.shape], Buffer.from((await a.data()).buffer).toString("hex")]);
    }
  });
});

describeWithNumpy("mx reads what NumPy writes", () => {
  it("np.save of every dtype mx holds, big-endian and Fortran order included; np.savez and np.savez_compressed", async () => {
    const base = join(dir, "np");
    pythonOutput(`
import numpy as np
a = np.arange(12).reshape(3, 4)
types = ["?", "u1", "u2", "u4", "u8", "i1", "i2", "i4", "i8", "f2", "f4", "f8", "c8", ">i4", ">f8", ">c8", ">u2"]
for t in types:
    x = (a % 2 == 0) if t == "?" else (a + 1j * a).astype(t) if "c" in t else a.astype(t) * (1 if "u" in t else -1)
    np.save("${base}_" + t.replace(">", "be") + ".npy", x)
np.save("${base}_fortran.npy", np.asfortranarray(a.astype("f4")))
np.save("${base}_scalar.npy", np.float32(2.5))
np.savez("${base}_z.npz", a=a.astype("i4"), b=np.ones((2, 2), "f2"))
np.savez_compressed("${base}_zc.npz", a=a.astype("i4"), c=np.zeros(1000, "u1"))`);
    const a = Array.from({ length: 12 }, (_, i) => i);
    const cases: [string, string, (v: number) => unknown][] = [
      ["?", "bool", (v) => v % 2 === 0], ["u1", "uint8", (v) => v], ["u2", "uint16", (v) => v], ["u4", "uint32", (v) => v], ["u8", "uint64", (v) => BigInt(v)],
      ["i1", "int8", (v) => 0 - v], ["i2", "int16", (v) => 0 - v], ["i4", "int32", (v) => 0 - v], ["i8", "int64", (v) => BigInt(0 - v)],
      ["f2", "float16", (v) => -v], ["f4", "float32", (v) => -v], ["f8", "float64", (v) => -v], ["c8", "complex64", (v) => ({ re: v, im: v })],
      ["bei4", "int32", (v) => 0 - v], ["bef8", "float64", (v) => -v], ["bec8", "complex64", (v) => ({ re: v, im: v })], ["beu2", "uint16", (v) => v],
    ];
    for (const [t, dtype, f] of cases) {
      const x = mx.load(`${base}_${t}.npy`) as mx.MxArray;
      expect(x.dtype.name, t).toBe(dtype);
      expect(x.shape).toEqual([3, 4]);
      expect(((await x.tolist()) as unknown[]).flat(), t).toEqual(a.map(f));
    }
    const fortran = mx.load(`${base}_fortran.npy`) as mx.MxArray;
    expect(await fortran.tolist()).toEqual([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]]);
    expect(await (mx.load(`${base}_scalar.npy`) as mx.MxArray).tolist()).toBe(2.5);
    const z = mx.load(`${base}_z.npz`) as Record<string, mx.MxArray>;
    expect(Object.keys(z)).toEqual(["a", "b"]);
    expect(await z.a!.sum().item()).toBe(66);
    expect(z.b!.dtype.name).toBe("float16");
    const zc = mx.load(`${base}_zc.npz`) as Record<string, mx.MxArray>;
    expect(await zc.a!.tolist()).toEqual([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]]);
    expect(zc.c!.shape).toEqual([1000]);
  });
});

// ---- GGUF's quantized tensors, written here byte by byte ----

const f16 = (x: number) => mx.array([x], mx.float32).astype(mx.float16).dataSync()[0] as number;
const fromF16 = (h: number) => mx.array(new Uint16Array([h])).view(mx.float16).astype(mx.float32).dataSync()[0] as number;

describe("GGUF quantized tensors load as MLX's (weight, scales, biases)", () => {
  const rows = 3, blocks = rows * 2;
  const scale = (i: number) => f16(0.25 + i * 0.125);
  const q = (i: number, j: number) => (i * 7 + j * 5) % 16;

  it.each([
    ["Q4_0", 2, 18, (b: DataView, i: number) => {
      b.setUint16(i * 18, scale(i), true);
      for (let j = 0; j < 16; j++) b.setUint8(i * 18 + 2 + j, q(i, j) | (q(i, j + 16) << 4));
    }, (i: number, j: number) => (q(i, j) - 8) * fromF16(scale(i))],
    ["Q4_1", 3, 20, (b: DataView, i: number) => {
      b.setUint16(i * 20, scale(i), true);
      b.setUint16(i * 20 + 2, f16(-1 - i), true);
      for (let j = 0; j < 16; j++) b.setUint8(i * 20 + 4 + j, q(i, j) | (q(i, j + 16) << 4));
    }, (i: number, j: number) => q(i, j) * fromF16(scale(i)) + fromF16(f16(-1 - i))],
    ["Q8_0", 8, 34, (b: DataView, i: number) => {
      b.setUint16(i * 34, scale(i), true);
      for (let j = 0; j < 32; j++) b.setInt8(i * 34 + 2 + j, ((i * 37 + j * 11) % 256) - 128);
    }, (i: number, j: number) => (((i * 37 + j * 11) % 256) - 128) * fromF16(scale(i))],
  ] as const)("%s", async (label, type, block, fill, value) => {
    const data = new Uint8Array(blocks * block);
    for (let i = 0; i < blocks; i++) fill(new DataView(data.buffer), i);
    const file = tmp(".gguf");
    writeFileSync(file, ggufOneTensor("blk.weight", type, [64, rows], data));
    const [arrays] = mx.loadGguf(file);
    expect(Object.keys(arrays)).toEqual(["blk.weight", "blk.scales", "blk.biases"]);
    const bits = label === "Q8_0" ? 8 : 4;
    expect(arrays["blk.weight"]!.shape).toEqual([rows, (64 * bits) / 32]);
    expect(arrays["blk.scales"]!.shape).toEqual([rows, 2]);
    const w = mx.dequantize(arrays["blk.weight"]!, arrays["blk.scales"]!, arrays["blk.biases"]!, 32, bits);
    const want = Array.from({ length: rows }, (_, r) => Array.from({ length: 64 }, (_, c) => value(r * 2 + (c >> 5), c % 32)));
    const got = (await w.astype(mx.float32).tolist()) as number[][];
    got.flat().forEach((g, k) => expect(Math.abs(g - want.flat()[k]!), `element ${k}`).toBeLessThanOrEqual(Math.abs(want.flat()[k]!) * 2e-3 + 1e-3));
  });

  it("other quantized types are an error naming the type", () => {
    const file = tmp(".gguf");
    writeFileSync(file, ggufOneTensor("k", 6, [64, 1], new Uint8Array(44)));
    expect(() => mx.load(file)).toThrow(/\[load\] .*tensor 'k' has type Q5_0, which mlx-ts does not load/);
  });
});

describe("exportToDot", () => {
  it("writes MLX's DOT: sources, primitives with their edges, sinks, names given as keys", () => {
    const x = mx.array([1, 2], mx.float32), y = mx.array([3, 4], mx.float32);
    const s = mx.add(x, y);
    const out = mx.exp(s);
    const [q, r] = mx.divmod(out, y);
    const file = tmp(".dot");
    mx.exportToDot(file, [q, r], { x, "y\"": y });
    const text = readFileSync(file, "utf8");
    const lines = text.split("\n");
    expect(lines[0]).toBe("digraph {");
    expect(lines.at(-1)).toBe("}");
    expect(lines).toContain('{ rank=source; "x"; }');
    expect(lines).toContain('{ rank=source; "y\\""; }');
    expect(lines.filter((l) => /label ="(\w+)"/.test(l)).map((l) => /label ="(\w+)"/.exec(l)![1])).toEqual(["add", "exp", "divmod"]);
    expect(lines).toContain('"x" -> 1');
    expect(lines.filter((l) => l.includes("rank=sink"))).toHaveLength(2); // both outputs of divmod, one primitive
    expect(lines.filter((l) => l.startsWith("3 -> "))).toHaveLength(2);
    expect(() => mx.exportToDot(file, { a: 1 })).toThrow(/^\[exportToDot\] outputs\[0\] 'a' must be an array/);
  });
});

// ---- corrupt files ----

describe("corrupt, truncated and hostile files", () => {
  const o = { stream: mx.cpu };
  const valid = async (ext: string, write: (f: string) => Promise<void>) => {
    const f = tmp(ext);
    await write(f);
    return new Uint8Array(readFileSync(f));
  };

  it("name the function and the file: wrong header length, offsets past the end, shape/bytes mismatch, unknown dtype, a header of gigabytes", async () => {
    const st = await valid(".safetensors", (f) => mx.saveSafetensors(f, { w: mx.ones([4], mx.float32, o) }));
    const put = (bytes: Uint8Array) => {
      const f = tmp(".safetensors");
      writeFileSync(f, bytes);
      return f;
    };
    const huge = st.slice();
    new DataView(huge.buffer).setBigUint64(0, 5n * 2n ** 30n, true);
    let f = put(huge);
    expect(() => mx.load(f)).toThrow(new RegExp(`^\\[load\\] ${f}: invalid safetensors JSON header length`));
    const header = new TextDecoder().decode(st.subarray(8, 8 + Number(new DataView(st.buffer).getBigUint64(0, true))));
    const withHeader = (h: string) => {
      const text = new TextEncoder().encode(h);
      const out = new Uint8Array(8 + text.length + 16);
      new DataView(out.buffer).setBigUint64(0, BigInt(text.length), true);
      out.set(text, 8);
      return put(out);
    };
    f = withHeader(header.replace('"data_offsets":[0,16]', '"data_offsets":[0,64]'));
    expect(() => mx.loadSafetensors(f)).toThrow(new RegExp(`^\\[loadSafetensors\\] ${f}: tensor 'w' has invalid data offsets`));
    f = withHeader(header.replace('"shape":[4]', '"shape":[8]').replace('"data_offsets":[0,16]', '"data_offsets":[0,32]'));
    expect(() => mx.load(f)).toThrow(/tensor 'w' has data offsets \(0, 32\) past the end of the file/);
    f = withHeader(header.replace('"F32"', '"F99"'));
    expect(() => mx.load(f)).toThrow(/tensor 'w' has unsupported dtype "F99"/);
    const npy = await valid(".npy", (p) => mx.save(p, mx.ones([4], mx.float32, o)));
    const npyFile = (b: Uint8Array) => {
      const p = tmp(".npy");
      writeFileSync(p, b);
      return p;
    };
    f = npyFile(npy.subarray(0, npy.length - 1));
    expect(() => mx.load(f)).toThrow(new RegExp(`^\\[load\\] ${f}: the header gives shape \\(4\\) of float32, 16 bytes, but the file holds 15`));
    const badLen = npy.slice();
    new DataView(badLen.buffer).setUint16(8, 60000, true);
    f = npyFile(badLen);
    expect(() => mx.load(f)).toThrow(/the .npy header says it is 60000 bytes long/);
    f = npyFile(new Uint8Array(Buffer.from(new TextDecoder("latin1").decode(npy).replace("<f4", "<f3"), "latin1")));
    expect(() => mx.load(f)).toThrow(/unsupported .npy dtype '<f3'/);
    expect(() => mx.load(join(dir, "missing.npy"))).toThrow(/^\[load\] failed to open file '.*missing.npy'/);
    expect(() => mx.load(f, { format: "pickle" as never })).toThrow(/^\[load\] unknown file format/);
    expect(() => mx.load(f, { format: "npy", returnMetadata: true })).toThrow(/^\[load\] metadata is not supported for format npy/);
  });

  it("fuzz: every corruption of a valid file loads or throws an error naming the loader and the file", async () => {
    const files: [string, Uint8Array, (b: Uint8Array) => unknown][] = [
      ["npy", await valid(".npy", (f) => mx.save(f, sample(mx.float16, o))), (b) => readNpy("load", bytesSource("load", "file.npy", b))],
      ["npz", await valid(".npz", (f) => mx.savezCompressed(f, { a: sample(mx.int32, o), b: sample(mx.bool, o) })), (b) => readNpz("load", bytesSource("load", "file.npz", b))],
      ["npz stored", await valid(".npz", (f) => mx.savez(f, { a: sample(mx.complex64, o) })), (b) => readNpz("load", bytesSource("load", "file.npz", b))],
      ["safetensors", await valid(".safetensors", (f) => mx.saveSafetensors(f, { a: sample(mx.bfloat16, o), b: sample(mx.uint64, o) }, { m: "x" })), (b) => readSafetensors("load", bytesSource("load", "file.st", b))],
      ["gguf", await valid(".gguf", (f) => mx.saveGguf(f, { a: sample(mx.float32, o), b: sample(mx.int8, o) }, { s: "x", l: ["a"], v: mx.array([1, 2], mx.uint16, o) })), (b) => readGguf("load", bytesSource("load", "file.gguf", b))],
    ];
    const corruption = fc.oneof(
      fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }),
      fc.record({ kind: fc.constant("flip" as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }), count: fc.integer({ min: 1, max: 4 }) }),
      fc.record({ kind: fc.constant("u64" as const), at: fc.nat(), value: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }) }),
    );
    for (const [label, bytes, read] of files) {
      fc.assert(
        fc.property(corruption, (c) => {
          const b = bytes.slice();
          let data = b;
          if (c.kind === "truncate") data = b.subarray(0, c.at % b.length);
          else if (c.kind === "flip") for (let k = 0; k < c.count; k++) b[(c.at + k * 7) % b.length] = c.value;
          else if (b.length >= 8) new DataView(b.buffer).setBigUint64(c.at % (b.length - 7), c.value, true);
          try {
            read(data);
          } catch (e) {
            const m = (e as Error).message;
            if (!(e instanceof Error) || !m.startsWith("[load] file.")) throw new Error(`${label}: ${String((e as Error).stack ?? e)}`);
          }
        }),
        { numRuns: 150, seed: 7 },
      );
    }
  }, 60_000);
});
