// The webgpu matmul's tile configs, matrix-vector path and tuner against the
// cpu reference: odd sizes across tile edges, transposed and broadcast-batched
// operands, float16/bfloat16 storage, empty dims; the tuner's choice, its
// cache file and its logged-once write failure. Compiling every config on
// lavapipe takes minutes: the full test profile (MLX_TS_TEST_PROFILE=full)
// runs them all, the default one a subset covering every block shape, slab
// depth and buffering.

import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import * as mx from "../index.js";
import { findBackend } from "../backends/backend.js";
import type { WebGpuBackend } from "../backends/webgpu/backend.js";
import { configByName, configName, fittingConfigs, type MatmulConfig } from "../backends/webgpu/matmul-configs.js";
import { forceMatmulSplits, matmulSplit } from "../backends/webgpu/matmul-splits.js";
import { splitSumLanes } from "../backends/webgpu/split-sum.js";
import { classKey, forceMatmulConfig, matmulConfigFor, tuneMatmulClass, tuningCachePath, untunedConfig, type MatmulClass } from "../backends/webgpu/matmul-tuning.js";
import { deviceFor } from "../src/device.js";
import { fullProfile } from "./helpers/profile.js";

const webgpu = findBackend("webgpu") as WebGpuBackend | undefined;
const onGpu = { stream: webgpu ? deviceFor("webgpu") : mx.cpu };
const onCpu = { stream: mx.cpu };

/** Beside lavapipe's 64x64/4x4/k8/sb (SOFTWARE_CONFIG, which the other cases use there): the GPUs' default slab depth and double buffering, 8x8 micro tiles, and 16 rows or 16 columns per invocation. */
const SUBSET = ["64x64/4x4/k16/db", "128x128/8x8/k8/db", "256x128/16x8/k8/db", "128x256/8x16/k8/sb"];

/** Seeded operand values in [-1, 1), as float32 on the cpu. */
function seeded(shape: number[], seed: number): mx.MxArray {
  const n = shape.reduce((s, d) => s * d, 1);
  const v = Array.from({ length: n }, (_, i) => Math.sin(i * 12.9898 + seed * 78.233) % 1);
  return mx.reshape(mx.array(v, mx.float32, onCpu), shape, onCpu);
}

/** `make` built on the cpu and on webgpu: the webgpu result within a K-scaled bound of the cpu's, same shape and dtype. */
async function agrees(make: (o: typeof onCpu) => mx.MxArray, K: number, rtol = 2e-6): Promise<void> {
  const want = make(onCpu), got = make(onGpu);
  expect(got.shape).toEqual(want.shape);
  expect(got.dtype).toBe(want.dtype);
  const w = (await mx.astype(want, mx.float32, onCpu).reshape(-1).tolist()) as number[];
  const g = (await mx.astype(got, mx.float32, onGpu).reshape(-1).tolist()) as number[];
  expect(g.length).toBe(w.length);
  const bound = rtol * Math.max(1, K) + (want.dtype === mx.float32 ? 0 : 1e-2);
  g.forEach((x, i) => {
    if (!(Math.abs(x - w[i]!) <= bound * Math.max(1, Math.abs(w[i]!)))) throw new Error(`element ${i}: webgpu ${x}, cpu ${w[i]}`);
  });
}

/** A @ B of seeded operands, A [..., M, K] and B [..., K, N], either stored transposed. */
function product(aShape: number[], bShape: number[], transA: boolean, transB: boolean, dtype = mx.float32) {
  const swap = (s: number[]) => [...s.slice(0, -2), s[s.length - 1]!, s[s.length - 2]!];
  return (o: typeof onCpu) => {
    const stored = (s: number[], t: boolean, seed: number) => {
      const x = mx.astype(seeded(t ? swap(s) : s, seed), dtype, onCpu);
      return t ? mx.swapaxes(x, -1, -2, o) : x;
    };
    return mx.matmul(stored(aShape, transA, 1), stored(bShape, transB, 2), o);
  };
}

describe.skipIf(!webgpu)("webgpu matmul tile configs", () => {
  afterEach(() => forceMatmulConfig(undefined));
  const all = fullProfile;
  const limit = webgpu?.ctx.device.limits.maxComputeWorkgroupStorageSize ?? 0;
  const configs = all ? fittingConfigs(limit) : SUBSET.map((n) => configByName(n)!).filter((c) => fittingConfigs(limit).includes(c));

  it.each(configs.map((c) => [configName(c), c] as [string, MatmulConfig]))("%s: odd sizes, a broadcast batch, transposed operands", async (_name, cfg) => {
    forceMatmulConfig(cfg);
    await agrees(product([2, 1, 65, 33], [3, 33, 129], false, false), 33);
    if (all) {
      await agrees(product([129, 257], [257, 63], true, true), 257);
      await agrees(product([17, 65], [65, 3], false, true), 65);
      await agrees(product([2, 63, 17], [17, 1], true, false, mx.float16), 17);
    }
  });

  it("odd sizes in every dimension (1, 3, 17, 63, 65, 129, 257)", async () => {
    const sizes = [1, 3, 17, 63, 65, 129, 257];
    for (const s of sizes) {
      await agrees(product([s, 17], [17, 65], false, false), 17);
      await agrees(product([65, s], [s, 17], false, false), s);
      await agrees(product([17, 65], [65, s], false, false), 65);
    }
  });

  it.each([
    [false, false],
    [true, false],
    [false, true],
    [true, true],
  ])("transposes (A %s, B %s) with broadcast batches", async (ta, tb) => {
    await agrees(product([3, 1, 63, 17], [1, 2, 17, 129], ta, tb), 17);
    await agrees(product([2, 65, 3], [3, 257], ta, tb), 3);
  });

  it.each([["float16", mx.float16], ["bfloat16", mx.bfloat16]] as const)("%s storage with float32 accumulation", async (_n, d) => {
    await agrees(product([2, 1, 65, 129], [3, 129, 63], true, false, d), 129, 4e-3);
    // pairs of neighbours from one word: A and B along k; A along m, B along n
    await agrees(product([2, 1, 65, 128], [3, 128, 63], false, true, d), 128, 4e-3);
    await agrees(product([2, 1, 66, 129], [3, 129, 64], true, false, d), 129, 4e-3);
    // pairs whose neighbour falls past an odd edge (even row strides from slices): k, then m and n
    const sliced = (o: typeof onCpu) => {
      const s = (shape: number[], seed: number, stop: number[]) => mx.slice(mx.astype(seeded(shape, seed), d, onCpu), [0, 0], stop, undefined, o);
      const a = s([65, 130], 1, [65, 129]), b = s([129, 66], 2, [129, 63]);
      const at = mx.swapaxes(s([129, 66], 3, [129, 65]), 0, 1, o);
      return mx.concatenate([mx.matmul(a, b, o), mx.matmul(at, b, o)], { axis: 0, ...o });
    };
    await agrees(sliced, 129, 4e-3);
  });

  it("empty dims give empty or zero results", async () => {
    await agrees(product([0, 17], [17, 65], false, false), 17);
    await agrees(product([17, 0], [0, 65], false, false), 0);
    await agrees(product([2, 0, 3, 4], [4, 5], false, false), 4);
    await agrees(product([1, 0], [0, 65], false, true), 0);
  });
});

describe.skipIf(!webgpu)("webgpu matmul split along K", () => {
  afterEach(() => {
    forceMatmulSplits(undefined);
    forceMatmulConfig(undefined);
  });
  const bindable = webgpu?.ctx.device.limits.maxStorageBufferBindingSize ?? 0;

  it("splits large products of few tiles and deep K, by shape alone", () => {
    expect(matmulSplit(768, 768, 768, 1, bindable)).toEqual({ splits: 3, depth: 256 });
    expect(matmulSplit(1024, 1024, 4096, 1, bindable)).toEqual({ splits: 4, depth: 1024 });
    expect(matmulSplit(256, 1024, 8192, 1, bindable)).toEqual({ splits: 16, depth: 512 });
    expect(matmulSplit(64, 64, 5000, 1, bindable)).toEqual({ splits: 18, depth: 288 });
    // enough tiles, too little work, a shallow K, or partials past the binding limit: whole
    expect(matmulSplit(2048, 2048, 2048, 1, bindable).splits).toBe(1);
    // 64 to 127 tiles split only a K of 4096 or more
    expect(matmulSplit(1024, 1024, 2048, 1, bindable).splits).toBe(1);
    expect(matmulSplit(1024, 1536, 3968, 1, bindable).splits).toBe(1);
    expect(matmulSplit(64, 64, 2048, 1, bindable).splits).toBe(1);
    expect(matmulSplit(4096, 64, 384, 1, bindable).splits).toBe(1);
    expect(matmulSplit(768, 768, 768, 1, 2 ** 20).splits).toBe(1);
    expect(matmulSplit(0, 1024, 4096, 1, bindable).splits).toBe(1);
  });

  // 7 parts of K = 301 are 5 of depth 64 (a split's depth is a multiple of 32)
  it.each([[2, 2], [3, 3], [7, 5]])("%i splits asked: odd sizes, the last split short, broadcast batches and transposes", async (asked, splits) => {
    forceMatmulSplits(asked);
    expect(matmulSplit(65, 33, 301, 6, bindable).splits).toBe(splits);
    await agrees(product([2, 1, 65, 301], [3, 301, 33], false, false), 301);
    await agrees(product([3, 1, 63, 300], [1, 2, 300, 129], true, true), 300);
    await agrees(product([65, 257], [257, 64], false, true), 257);
    await agrees(product([2, 66, 256], [256, 64], true, false, mx.float16), 256, 4e-3);
    await agrees(product([2, 66, 257], [257, 63], false, false, mx.bfloat16), 257, 4e-3);
    // a result of 6 elements: one quad and a partial one, the splits added in lanes
    await agrees(product([2, 1000], [1000, 3], false, false), 1000);
  });

  it("adds the partials of a short result in lanes, a long one in single lanes", () => {
    expect(splitSumLanes(6, 5)).toBe(4);
    expect(splitSumLanes(128 * 128, 64)).toBe(16);
    expect(splitSumLanes(1024 * 1024, 4)).toBe(1);
    expect(splitSumLanes(4096, 3)).toBe(2);
  });

  it("a split product the rule chooses agrees with the cpu, the same bits for every tile shape", async () => {
    expect(matmulSplit(64, 96, 4096, 1, bindable).splits).toBeGreaterThan(1);
    const make = product([64, 4096], [4096, 96], false, false);
    await agrees(make, 4096);
    const bits = async (cfg: string) => {
      forceMatmulConfig(configByName(cfg));
      return Array.from(new Uint32Array(new Float32Array((await make(onGpu).reshape(-1).tolist()) as number[]).buffer));
    };
    const first = await bits("64x64/4x4/k8/sb");
    expect(await bits("128x128/8x8/k8/db")).toEqual(first);
  });
});

describe.skipIf(!webgpu)("webgpu matrix-vector products", () => {
  it.each([
    ["M = 1, B row-major (columns, split K)", [1, 4099], [4099, 300], false, false, true],
    ["M = 1, B transposed (rows)", [1, 257], [257, 301], false, true, false],
    ["N = 1, A row-major (rows)", [301, 257], [257, 1], false, false, true],
    ["N = 1, A transposed (columns)", [300, 65], [65, 1], true, false, false],
    ["a long dot product", [1, 5003], [5003, 1], false, false, false],
    ["an unaligned view", [1, 63], [63, 129], true, false, false],
  ] as const)("%s", async (_label, aShape, bShape, ta, tb, halves) => {
    await agrees(product([...aShape], [...bShape], ta, tb), aShape[1]!);
    if (!halves) return;
    await agrees(product([...aShape], [...bShape], ta, tb, mx.float16), aShape[1]!, 4e-3);
    await agrees(product([...aShape], [...bShape], ta, tb, mx.bfloat16), aShape[1]!, 4e-3);
  });

  it("a vector from a strided, offset slice", async () => {
    const make = (o: typeof onCpu) => {
      const m = seeded([130, 67], 3);
      const v = mx.slice(m, [1, 5], [2, 67], [1, 2], o);
      return mx.matmul(v, mx.slice(m, [3, 1], [34, 130], undefined, o), o);
    };
    await agrees(make, 31);
  });
});

describe.skipIf(!webgpu)("webgpu matmul tuner", () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env.XDG_CACHE_HOME = saved.XDG_CACHE_HOME;
    process.env.MLX_TS_MATMUL_TUNING = saved.MLX_TS_MATMUL_TUNING;
    if (saved.XDG_CACHE_HOME === undefined) delete process.env.XDG_CACHE_HOME;
    if (saved.MLX_TS_MATMUL_TUNING === undefined) delete process.env.MLX_TS_MATMUL_TUNING;
    vi.restoreAllMocks();
  });
  const gpu = webgpu!;
  const cls = (M: number): MatmulClass => ({ aDtype: mx.float32, bDtype: mx.float32, M, N: 64, K: 64, batches: 1, aKFast: true, bKFast: false });
  const candidates = ["64x64/4x4/k8/sb", "64x64/4x4/k16/db"].map((n) => configByName(n)!);

  it("times the candidates, keeps the fastest for the class and writes it to the cache file", async () => {
    process.env.XDG_CACHE_HOME = mkdtempSync(path.join(os.tmpdir(), "mlx-ts-tuning-"));
    process.env.MLX_TS_MATMUL_TUNING = "on";
    const r = await tuneMatmulClass(gpu, cls(64), candidates);
    expect(r.timings.map((t) => configName(t.config))).toEqual(candidates.map(configName));
    for (const t of r.timings) expect(t.ms).toBeGreaterThan(0);
    const fastest = r.timings.reduce((a, b) => (b.ms < a.ms ? b : a));
    expect(r.best).toBe(fastest.config);
    // a size in the same bucket reuses the choice
    expect(classKey(cls(70))).toBe(r.key);
    expect(matmulConfigFor(gpu, cls(70))).toBe(r.best);
    const file = JSON.parse(readFileSync(tuningCachePath()!, "utf8")) as { version: number; adapters: Record<string, Record<string, string>> };
    expect(file.version).toBe(1);
    expect(file.adapters[gpu.ctx.description]?.[r.key]).toBe(configName(r.best));
  });

  it("logs a failed cache write once and keeps the choice in memory", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "mlx-ts-tuning-"));
    writeFileSync(path.join(dir, "mlx-ts"), "a file where the cache folder would go");
    process.env.XDG_CACHE_HOME = dir;
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const first = await tuneMatmulClass(gpu, cls(256), candidates.slice(0, 1));
    await tuneMatmulClass(gpu, cls(512), candidates.slice(0, 1));
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]![0])).toMatch(/matmul tuning cache .* could not be written/);
    process.env.MLX_TS_MATMUL_TUNING = "on";
    expect(matmulConfigFor(gpu, cls(256))).toBe(first.best);
  });

  it("MLX_TS_MATMUL_TUNING=off ignores tuned choices and uses the default shape", async () => {
    process.env.XDG_CACHE_HOME = mkdtempSync(path.join(os.tmpdir(), "mlx-ts-tuning-"));
    const slow = configByName("64x64/4x4/k8/db")!;
    const c = cls(1024);
    await tuneMatmulClass(gpu, c, [slow]);
    process.env.MLX_TS_MATMUL_TUNING = "on";
    expect(matmulConfigFor(gpu, c)).toBe(slow);
    process.env.MLX_TS_MATMUL_TUNING = "off";
    expect(matmulConfigFor(gpu, c)).toBe(untunedConfig(gpu, c));
    expect(matmulConfigFor(gpu, c)).not.toBe(slow);
  });
});
