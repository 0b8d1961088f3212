// Sizes past what a backend counts, and the memory kernels take for them
// (backends/huge-work.ts, backends/cpu/tensor.ts's scratch): a broadcast view
// costs no memory, so mx.ones([2^31 - 1, 2^31 - 1]) asks a reduction for
// 4.6e18 additions from four bytes. Work past 2^53 - 1 elements or
// multiply-adds is refused by name at once on every backend (it blocked the
// thread for good on cpu and webgpu, and was an internal error on metal);
// work below it runs. Views whose unused strides or offset no kernel
// parameter holds (a slice with step -2^53, an empty asStrided at offset 100)
// read and write their elements. Results too large for one buffer are
// "[op] ... cannot allocate" errors (cpu's float64 scratch once threw raw
// RangeErrors), and the cpu's kernel scratch (scatter's and scan's
// accumulators too) counts in the memory statistics and the limit, bounded by
// blocks where it would follow a broadcast.

import { describe, expect, it } from "vitest";
import * as mx from "../index.js";
import { getBackend } from "../backends/backend.js";
import { BACKENDS, values } from "./helpers/backends.js";

const B = 2 ** 31 - 1;
const MiB = 2 ** 20;

/** Rejects with an error matching `pattern` within `ms` (refusals are checks, not work). */
async function refusedFast(run: () => Promise<unknown>, pattern: RegExp, ms = 5000): Promise<void> {
  const t0 = Date.now();
  await expect(run()).rejects.toThrow(pattern);
  expect(Date.now() - t0).toBeLessThan(ms);
}

describe.each(BACKENDS)("huge sizes on $name", ({ device }) => {
  const o = { stream: device };
  /** 2^62 elements, a broadcast of one. */
  const huge = () => mx.ones([B, B], mx.float32, o);
  const past53 = "would read about 4\\.61e\\+18 \\(2\\^62\\.0\\) elements[^]*more than 2\\^53 - 1";

  it("reductions, arg-reductions, scans and sorts over 2^62 broadcast elements are refused by name at once", async () => {
    const cases: [string, () => mx.MxArray][] = [
      ["sum", () => mx.sum(huge(), o)],
      ["max", () => mx.max(huge(), o)],
      ["prod", () => mx.prod(huge(), 1, o)],
      ["all", () => mx.all(huge(), o)],
      ["argmax", () => mx.argmax(huge(), 1, o)],
      ["argmin", () => mx.argmin(huge(), 0, o)],
      ["logsumexp", () => mx.logsumexp(huge(), o)],
      ["cumsum", () => mx.cumsum(huge(), 1, o)],
      ["sort", () => mx.sort(huge(), 1, o)],
    ];
    for (const [op, f] of cases) await refusedFast(() => mx.eval(f()), new RegExp(`^\\[${op}\\][^]*${past53}`));
  });

  it("matmul, conv and attention past 2^53 multiply-adds are refused by name at once (each input below it)", async () => {
    await refusedFast(() => mx.eval(mx.matmul(mx.ones([2 ** 15, B], mx.float32, o), mx.ones([B, 2 ** 15], mx.float32, o), o)), /^\[matmul\][^]*would take about 2\.31e\+18 \(2\^61\.0\) multiply-adds[^]*K = 2147483647/);
    // a broadcast batch: the inputs' 2^54 elements are refused first
    await refusedFast(() => mx.eval(mx.matmul(mx.ones([2 ** 23, 1, B], mx.float32, o), mx.ones([B, 1], mx.float32, o), o)), new RegExp(`^\\[matmul\\][^]*would read about 1\\.80e\\+16 \\(2\\^54\\.0\\) elements of input 0`));
    await refusedFast(() => mx.eval(mx.conv1d(mx.ones([1, 2 ** 30, 2 ** 20], mx.float32, o), mx.ones([2 ** 10, 2 ** 20, 2 ** 20], mx.float32, o), { stream: device })), /^\[conv1d\][^]*would take about 1\.21e\+24 \(2\^80\.0\) multiply-adds/);
    const q = mx.ones([1, 1, 2 ** 20, 2 ** 20], mx.float32, o), v = mx.ones([1, 1, 2 ** 20, 1], mx.float32, o);
    await refusedFast(() => mx.eval(mx.fast.scaledDotProductAttention(q, q, v, { scale: 1, stream: device })), /^\[fast\.scaledDotProductAttention\][^]*would take about 1\.15e\+18 \(2\^60\.0\) multiply-adds/);
  });

  it("a compiled reduction whose prologue runs over 2^62 broadcast elements is refused by name at once", async () => {
    const f = mx.compile((x: mx.MxArray) => mx.sum(mx.multiply(mx.broadcastTo(x, [B, B], o), 2, o), o));
    await refusedFast(() => mx.eval(f(mx.array(1, mx.float32, o))), /^\[compile\][^]*would compute about 4\.61e\+18 \(2\^62\.0\) elements of shape \[2147483647, 2147483647\]/);
  });

  it("work below 2^53 still runs: a sum over 2^24 broadcast elements, and one over unmergeable broadcast dims", async () => {
    expect(await mx.sum(mx.ones([2 ** 12, 2 ** 12], mx.float32, o), o).item()).toBe(2 ** 24);
    // strides [3, 0, 1]: the reduced dims merge into no single stride (the cpu walks their offsets a block at a time)
    const base = mx.reshape(mx.arange(0, 6, 1, { dtype: mx.float32, ...o }), [2, 1, 3], o);
    const view = mx.broadcastTo(base, [2, 40000, 3], o);
    expect(await mx.sum(view, o).item()).toBe(15 * 40000);
    expect(await values(mx.sum(view, [1, 2], o))).toEqual([3 * 40000, 12 * 40000]);
    expect(await mx.argmax(mx.reshape(mx.contiguous(view, false, o), [-1], o), o).item()).toBe(40000 * 3 + 2);
  });

  it("a slice with step -(2^53) reads and updates its one element (a stride no kernel parameter holds, never stepped)", async () => {
    const x = mx.arange(0, 4, 1, { dtype: mx.float32, ...o });
    expect(await values(mx.add(x.get(mx.s(null, null, -(2 ** 53))), 1, o))).toEqual([4]);
    expect(await values(mx.zeros([4], mx.float32, o).at(mx.s(null, null, -(2 ** 53))).set(1))).toEqual([0, 0, 0, 1]);
    expect(await values(mx.zeros([3, 2], mx.float32, o).at(mx.s(null, null, -(2 ** 53)), 1).add(5))).toEqual([0, 0, 0, 0, 0, 5]);
  });

  it("asStrided of no elements is empty whatever its offset and strides", async () => {
    const x = mx.arange(0, 10, 1, { dtype: mx.float32, ...o });
    expect(await mx.asStrided(x, [0], [1], 100, o).tolist()).toEqual([]);
    const empty = mx.asStrided(x, [0, 3], [2 ** 60, -(2 ** 60)], 2 ** 40, o);
    expect(await mx.add(empty, 1, o).tolist()).toEqual([]);
    expect(await mx.sum(empty, o).item()).toBe(0);
  });

  it("results too large for one buffer are '[op] ... cannot allocate' errors: matmul, conv, quantize", async () => {
    const alloc = (op: string) => new RegExp(`^\\[${op}\\][^]*\\[(cpu|webgpu|metal)\\] cannot allocate \\d+ bytes`);
    // (inputs of 2^32 elements: the cpu's float64 copies of them threw "Invalid typed array length" or "Array buffer allocation failed")
    await refusedFast(() => mx.eval(mx.matmul(mx.ones([2 ** 17, 2 ** 15], mx.float32, o), mx.ones([2 ** 15, 2 ** 15], mx.float32, o), o)), alloc("matmul"));
    await refusedFast(() => mx.eval(mx.conv2d(mx.ones([1, 2 ** 16, 2 ** 16, 1], mx.float32, o), mx.ones([4, 1, 1, 1], mx.float32, o), { stream: device })), alloc("conv2d"));
    await refusedFast(() => mx.eval(...mx.quantize(mx.ones([2 ** 16, 2 ** 16], mx.float32, o), 64, 4, { stream: device })), alloc("quantize"));
  });
});

describe("cpu kernel scratch", () => {
  const o = { stream: mx.cpu };
  const cpu = getBackend("cpu");

  it("a matmul over K = 2^24 broadcast ones runs in bounded scratch, under a 16 MiB memory limit", async () => {
    const previous = mx.setMemoryLimit(16 * MiB);
    try {
      cpu.resetPeakMemory();
      const rss = process.memoryUsage.rss();
      // the operands were once unpacked whole: 768 MiB of float64 for these 8 bytes
      expect(await mx.matmul(mx.ones([1, 2 ** 24], mx.float32, o), mx.ones([2 ** 24, 1], mx.float32, o), o).item()).toBe(2 ** 24);
      expect(process.memoryUsage.rss() - rss).toBeLessThan(256 * MiB);
      expect(cpu.memory().peak).toBeLessThan(MiB);
    } finally {
      mx.setMemoryLimit(previous);
    }
  });

  it("a reduction over unmergeable broadcast dims of 2^26 elements takes no table of their offsets", async () => {
    const rss = process.memoryUsage.rss();
    cpu.resetPeakMemory();
    // strides [0, 1]: a table of the offsets was 512 MiB
    expect(await mx.sum(mx.broadcastTo(mx.arange(0, 8, 1, { dtype: mx.float32, ...o }), [2 ** 23, 8], o), o).item()).toBe(28 * 2 ** 23);
    expect(await mx.logsumexp(mx.broadcastTo(mx.zeros([8], mx.float32, o), [2 ** 23, 8], o), o).item()).toBeCloseTo(26 * Math.LN2, 5);
    expect(process.memoryUsage.rss() - rss).toBeLessThan(256 * MiB);
    expect(cpu.memory().peak).toBeLessThan(MiB);
  });

  it("scatter's scratch (float64 accumulators per output element, or 16 bytes an update where that is less) counts in the peak memory and the memory limit bounds it, naming the op", async () => {
    const n = 2 ** 20;
    const x = mx.add(mx.zeros([n], mx.float32, o), 1, o), idx = mx.array([0, 1, 0], mx.int32, o);
    const every = mx.remainder(mx.arange(0, n, 1, { dtype: mx.int32, ...o }), 3, o);
    await mx.eval(x, idx, every);
    // few updates on a large output: grouped by destination, no accumulators of the output's size
    cpu.resetPeakMemory();
    let start = cpu.memory().active;
    const few = x.at(idx).add(2);
    await mx.eval(few);
    expect(cpu.memory().peak - start).toBeLessThan(4 * n + MiB);
    expect(await mx.slice(few, [0], [3], undefined, o).tolist()).toEqual([5, 3, 1]);
    few.dispose();
    // as many updates as outputs: the output (4 bytes an element), its float64 accumulators and a byte per element marking the ones updated
    cpu.resetPeakMemory();
    start = cpu.memory().active;
    const many = x.at(every).add(1);
    await mx.eval(many);
    expect(cpu.memory().peak - start).toBeGreaterThanOrEqual(4 * n + 9 * n);
    expect(await mx.slice(many, [0], [4], undefined, o).tolist()).toEqual([Math.ceil(n / 3) + 1, Math.ceil((n - 1) / 3) + 1, Math.ceil((n - 2) / 3) + 1, 1]);
    many.dispose();
    // 64-bit integers fold in their own words, exactly
    const big = mx.array([2n ** 62n, 5n], mx.int64, o);
    expect(await big.at(mx.array([0, 0, 1], mx.int32, o)).add(mx.array([2n ** 62n, 2n ** 62n, -7n], mx.int64, o)).tolist()).toEqual([-(2n ** 62n), -2n]);
    const previous = mx.setMemoryLimit(cpu.memory().active + 4 * n + 2 * n);
    try {
      await expect(mx.eval(x.at(every).add(2))).rejects.toThrow(/^\[at\.add\][^]*\[cpu\] out of memory: allocating 8388608 bytes/);
    } finally {
      mx.setMemoryLimit(previous);
      x.dispose();
      every.dispose();
    }
  });

  it("scatter folds each destination's updates in update order, grouped or in accumulators (the same bits)", async () => {
    // 1e30 - 1e30 + 1 is 1 in float64 in that order (0 in the reverse one); each destination's updates interleaved with the other's
    const idx = (at: number[]) => mx.array([at[0]!, at[1]!, at[0]!, at[1]!, at[0]!, at[1]!], mx.int32, o);
    const upd = mx.array([1e30, -1e30, -1e30, 2, 1, 1e30], mx.float32, o);
    for (const size of [2, 4096]) {
      const at = [size - 1, 0];
      const y = await mx.zeros([size], mx.float32, o).at(idx(at)).add(upd).tolist() as number[];
      expect([y[at[0]!], y[at[1]!]], `output of ${size}`).toEqual([1, 0]);
      const z = mx.zeros([size], mx.complex64, o).at(idx(at)).add(mx.multiply(upd.astype(mx.complex64, o), mx.array([{ re: 1, im: -1 }], mx.complex64, o), o));
      const w = (await z.tolist()) as { re: number; im: number }[];
      expect([w[at[0]!], w[at[1]!]], `complex output of ${size}`).toEqual([{ re: 1, im: -1 }, { re: 0, im: 0 }]);
    }
  });

  it("a scan along a strided axis keeps its running values in pool scratch: in the peak memory, bounded by the memory limit", async () => {
    const n = 2 ** 20, lines = n / 4;
    const x = mx.add(mx.zeros([4, lines], mx.float32, o), 1, o);
    await mx.eval(x);
    cpu.resetPeakMemory();
    const start = cpu.memory().active;
    const y = mx.cumsum(x, 0, o);
    await mx.eval(y);
    // the output, the lines' start offsets in x and in the output, and a float64 running value per line
    expect(cpu.memory().peak - start).toBeGreaterThanOrEqual(4 * n + 3 * 8 * lines);
    expect(await mx.slice(y, [3, 0], [4, 2], undefined, o).tolist()).toEqual([[4, 4]]);
    const big = mx.array([[2n ** 63n - 1n, 0n], [1n, 2n ** 64n - 1n]].map((r) => r.map((v) => BigInt.asUintN(64, v))), mx.uint64, o);
    expect(await mx.cummax(big, 0, o).tolist()).toEqual([[2n ** 63n - 1n, 0n], [2n ** 63n - 1n, 2n ** 64n - 1n]]);
    y.dispose();
    const previous = mx.setMemoryLimit(cpu.memory().active + 4 * n + 2 * 8 * lines + MiB);
    try {
      await expect(mx.eval(mx.cumsum(x, 0, o))).rejects.toThrow(/^\[cumsum\][^]*\[cpu\] out of memory: allocating 2097152 bytes/);
    } finally {
      mx.setMemoryLimit(previous);
      x.dispose();
    }
  });

  it("kernel scratch counts in the peak memory (softmax's float64 row) and the memory limit bounds it, naming the op", async () => {
    const n = 2 ** 20;
    const x = mx.random.normal([1, n], mx.float32, o);
    await mx.eval(x);
    cpu.resetPeakMemory();
    await mx.eval(mx.softmax(x, -1, o));
    // the input and output (4 MiB each) and a float64 copy of the row (8 MiB)
    expect(cpu.memory().peak).toBeGreaterThanOrEqual(8 * n + 4 * n);
    const previous = mx.setMemoryLimit(cpu.memory().active + 6 * MiB);
    try {
      await expect(mx.eval(mx.fast.layerNorm(x, null, null, 1e-5, o))).rejects.toThrow(/^\[(fast\.)?layerNorm\][^]*\[cpu\] out of memory: allocating 8388608 bytes/);
    } finally {
      mx.setMemoryLimit(previous);
    }
  });
});
