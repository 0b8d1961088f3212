// The webgpu argmax/argmin and max/min of float rows on whole quads of words
// (wgsl/arg-rows.wgsl, wgsl/max-rows.wgsl: a group of lanes a row, folded by
// subgroup operations): argmax/argmin against the cpu (the first extreme
// wherever it lies among a row's lanes and subgroups, ties after it, NaNs,
// infinities and zeros of both signs), max/min bit for bit against the
// kernels before them (which NaN and which zero the fold's order picks); on
// each fold path (this device's subgroups, and the lanes' partials a misfit
// subgroup layout falls back to); and the rows left to the other kernels.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as mx from "../index.js";
import { fixedSubgroups, misfitSubgroups, seenAs, webgpuBackend, webgpuFilesRun, whileSeenAs, withoutSubgroups } from "./helpers/device-views.js";
import { oneOrAll, sized } from "./helpers/profile.js";
import { marked, markedRows } from "./helpers/marked-arrays.js";

const gpu = { stream: mx.webgpu };
const cpu = { stream: mx.cpu };
const backend = webgpuBackend;

/**
 * Rows of `n` small values (j * 7 + i) % 5 with the extreme 9 first at a
 * place that walks over every lane, subgroup and element of a quad as the row
 * index grows, tied three places later and half a row later.
 */
function tiedRows(rows: number, n: number): { data: number[][]; want: number[] } {
  const first = (i: number) => (i * 37 + (i >> 3)) % (n / 2);
  const data = Array.from({ length: rows }, (_, i) => Array.from({ length: n }, (_, j) => (j === first(i) || j === first(i) + 3 || j === first(i) + n / 2 ? 9 : (j * 7 + i) % 5)));
  return { data, want: data.map((_, i) => first(i)) };
}

/** Rows of specials: NaNs (the first wins, after a larger number too), infinities, zeros of both signs (tied: the first), the largest finite value after infinities of the other sign. */
function specialRows(n: number, big: number): number[][] {
  return [
    Array.from({ length: n }, () => -Infinity),
    Array.from({ length: n }, (_, j) => (j === (n * 5) / 8 + 1 || j === (n * 7) / 8 ? NaN : j === 5 ? Infinity : j % 3)),
    Array.from({ length: n }, (_, j) => (j === n - 1 ? NaN : j % 3)),
    Array.from({ length: n }, (_, j) => (j === 51 ? 0 : j === 60 ? -0 : -1 - (j % 4))),
    Array.from({ length: n }, (_, j) => (j === 60 ? 0 : j === 51 ? -0 : -1 - (j % 4))),
    Array.from({ length: n }, (_, j) => (j < 3 ? -Infinity : big)),
  ];
}

async function expectLikeCpu(x: mx.MxArray, label: string, expectKernel: boolean): Promise<void> {
  for (const op of [mx.argmax, mx.argmin]) {
    let got: unknown;
    const files = await webgpuFilesRun(async () => (got = await op(x, -1, gpu).tolist()));
    expect(files.includes("arg-rows"), `${label} ${op.name}: taken by wgsl/arg-rows.wgsl`).toBe(expectKernel);
    expect(got, `${label} ${op.name}`).toEqual(await op(mx.astype(x, x.dtype, cpu), -1, cpu).tolist());
  }
}

/** Row lengths of the argmax/argmin cases (a kernel variant each: its lanes a row, steps and whether they are whole). */
const ARG_ROW_LENGTHS = [512, 1024, 2048, 4096, 8192];
/**
 * The default profile's row lengths for a dtype on the device's subgroups and
 * on a misfit layout (the full profile: all of ARG_ROW_LENGTHS). Per view,
 * float32 / float16 / bfloat16 (4 / 8 / 8 elements a quad) rows reach 32,
 * 64 and 128 lanes a row, rows and views whole and ending part way, and on
 * the device's subgroups two steps a lane (float32 rows of 8192) and a view
 * too short for the kernel (16-bit rows of 512).
 */
const ARG_DEFAULT_LENGTHS: Record<"device" | "misfit", Record<string, readonly number[]>> = {
  device: { float32: [8192], float16: [512], bfloat16: [4096] },
  misfit: { float32: [2048], float16: [8192], bfloat16: [1024] },
};
const argLengths = (view: "device" | "misfit") => (dtype: mx.DType) => sized(ARG_DEFAULT_LENGTHS[view][dtype.name]!, ARG_ROW_LENGTHS);

/** `lengths`: a dtype's row lengths. */
function cases(expectKernel: boolean, lengths: (dtype: mx.DType) => readonly number[]): void {
  for (const dtype of [mx.float32, mx.float16, mx.bfloat16]) {
    const ns = lengths(dtype);
    it(`${dtype.name}: rows of ${ns.join(", ")} elements (whole quads), ties after the first extreme, specials, views`, async () => {
      const big = dtype === mx.float16 ? 65504 : 3e38;
      for (const n of ns) {
        const { data, want } = tiedRows(40, n);
        for (const sign of [1, -1]) {
          const x = mx.array([...data, ...specialRows(n, big)].map((r) => r.map((v) => sign * v)), dtype, gpu);
          await expectLikeCpu(x, `${dtype.name} rows of ${n}, sign ${sign}`, expectKernel);
          expect(await (sign > 0 ? mx.argmax : mx.argmin)(x, -1, gpu).tolist()).toEqual([...want, 0, (n * 5) / 8 + 1, n - 1, 51, 51, 3]);
        }
        // a view of whole quads from the second row on, and columns from the second quad on (rows n - 2 quads long)
        const grid = mx.array(data, dtype, gpu);
        const perQuad = 16 / dtype.size;
        await expectLikeCpu(mx.slice(grid, [1, perQuad], [data.length, n - perQuad], undefined, gpu), `${dtype.name} view of rows of ${n}`, expectKernel && (n - 2 * perQuad) * dtype.size >= 1024);
        // columns from the second element on: not on quads, the other kernels
        await expectLikeCpu(mx.slice(grid, [0, 1], [data.length, n], undefined, gpu), `${dtype.name} unaligned view of rows of ${n}`, false);
      }
    });
  }
}

describe.runIf(fixedSubgroups)("webgpu argmax/argmin of float rows on whole quads (wgsl/arg-rows.wgsl)", () => {
  describe("the device's subgroups", () => cases(true, argLengths("device")));

  describe("a misfit subgroup layout (the lanes' pairs through workgroup memory)", () => {
    seenAs(misfitSubgroups);
    cases(true, argLengths("misfit"));
  });

  // every length in both profiles: the kernels here are those the unaligned views above compiled
  describe("a device without subgroups (the other kernels)", () => {
    seenAs(withoutSubgroups);
    cases(false, () => ARG_ROW_LENGTHS);
  });

  it("rows shorter than 1024 bytes, and rows not a whole number of quads, keep the other kernels", async () => {
    const x = mx.random.normal([300, 200], { key: mx.random.key(3), ...gpu });
    await expectLikeCpu(x, "rows of 200 float32", false);
    await expectLikeCpu(mx.random.normal([30, 1030], { key: mx.random.key(4), ...gpu }), "rows of 1030 float32", false);
  });
});

/** Bits of each element (float32 as uint32, 16-bit floats as uint16). */
async function bitsOf(a: mx.MxArray): Promise<number[]> {
  return (await mx.view(a, a.dtype.size === 4 ? mx.uint32 : mx.uint16).tolist()) as number[];
}

/** The bits of `op` over the rows of `x` as the kernels before wgsl/max-rows.wgsl give them (the device seen without subgroups). */
function bitsBefore(op: typeof mx.max, x: mx.MxArray): Promise<number[]> {
  return whileSeenAs(withoutSubgroups, () => bitsOf(op(x, -1, gpu)));
}

/**
 * Rows where the fold's order decides the bits: NaNs of several payloads and
 * both signs, and zeros of both signs as the extreme, at places spread over
 * the positions of wgsl/reduce.wgsl's order (invocation, accumulator, turn),
 * beside rows of plain numbers, infinities, ties and subnormals.
 */
function orderRows(n: number, dtype: mx.DType): mx.MxArray {
  const w = dtype === mx.float32 ? 32 : 16;
  const sign = w === 32 ? 0x80000000 : 0x8000;
  const [nanA, nanB] = dtype === mx.float32 ? [0x7fc00001, 0x7f800abc] : dtype === mx.float16 ? [0x7e01, 0x7c0b] : [0x7fc1, 0x7f8b];
  const one = dtype === mx.float32 ? 0x3f800000 : dtype === mx.float16 ? 0x3c00 : 0x3f80;
  const rows: number[][] = [];
  for (let i = 0; i < 24; i++) {
    // small negative numbers (bits of -1 with low bits varied) and, per row, specials at places walking the order
    const row = Array.from({ length: n }, (_, j) => (sign | one | (j % 7)) >>> 0);
    const at = (k: number) => (i * 263 + k * 1031 + (k & 1) * 256) % n;
    if (i % 3 === 0) [nanA, nanB | sign, nanB, nanA | sign].forEach((b, k) => (row[at(k)] = b >>> 0));
    if (i % 3 === 1) [0, sign, 0, sign].forEach((b, k) => (row[at(k)] = b >>> 0));
    if (i % 3 === 2) [sign, 0, sign].forEach((b, k) => (row[at(k)] = b >>> 0));
    rows.push(row);
  }
  // all -0, all +0, a row of -inf with one +0 late, a plain row with a tie of its maximum
  rows.push(Array(n).fill(sign), Array(n).fill(0));
  rows.push(Array.from({ length: n }, (_, j) => (j === n - 5 ? 0 : dtype === mx.float32 ? 0xff800000 : dtype === mx.float16 ? 0xfc00 : 0xff80)));
  rows.push(Array.from({ length: n }, (_, j) => (j === 17 || j === 900 ? one | 5 : one | (j % 3)) >>> 0));
  // subnormals beside zeros of both signs: the smallest positive one the maximum (of -1s), then the largest
  // negative one the minimum (of +1s), a larger subnormal the maximum among smaller ones; 31 rows (odd: the last
  // word of packed 16-bit results half used)
  const at = (k: number) => (k * 5 + 3) % n;
  rows.push(Array.from({ length: n }, (_, j) => (j === at(0) ? 1 : j === at(1) ? 0 : j === at(2) ? sign : sign | one) >>> 0));
  rows.push(Array.from({ length: n }, (_, j) => (j === at(0) ? sign | 1 : j === at(1) ? sign : j === at(2) ? 0 : one) >>> 0));
  rows.push(Array.from({ length: n }, (_, j) => (j === at(3) ? 0x3f : 1 + (j % 7))));
  const bits = mx.array(rows, w === 32 ? mx.uint32 : mx.uint16, gpu);
  return mx.view(bits, dtype);
}

/** Row lengths of the max/min cases past 1024 elements (rows of 2048 / 4096 / 8192 fill the kernel's steps; 1032 and 2056 leave the last step part empty). */
const ORDER_ROW_LENGTHS = [1032, 2056, 2048, 4096, 8192];
/** Row lengths of the max/min cases reduce-groups.wgsl would fold (16 lanes a row at 256, 32 beyond). */
const GROUP_ROW_LENGTHS = [256, 512, 1024];
/**
 * The default profile's row lengths of the max/min cases for a dtype on the
 * device's subgroups and on a misfit layout (the full profile: all of them).
 * Per view, rows past 1024 elements reach 32, 64 and 128 lanes a row, rows
 * whole and ending part way (and on the device's subgroups two steps a lane:
 * float32 rows of 8192); the rows reduce-groups.wgsl would fold reach its 16
 * lanes a row (float32 rows of 256) and 32 (on the device's subgroups whole:
 * float32 rows of 1024, and part way).
 */
const MAX_DEFAULT_LENGTHS: Record<"device" | "misfit", Record<string, { order: readonly number[]; groups: readonly number[] }>> = {
  device: { float32: { order: [8192], groups: [256, 1024] }, float16: { order: [1032], groups: [512] }, bfloat16: { order: [2056], groups: [1024] } },
  misfit: { float32: { order: [1032], groups: [256] }, float16: { order: [8192], groups: [1024] }, bfloat16: { order: [2048], groups: [512] } },
};

function maxCases(view: "device" | "misfit"): void {
  beforeAll(() => (backend().allMaxRows = true));
  afterAll(() => (backend().allMaxRows = false));
  for (const dtype of [mx.float32, mx.float16, mx.bfloat16]) {
    const lengths = MAX_DEFAULT_LENGTHS[view][dtype.name]!;
    const orderLengths = sized(lengths.order, ORDER_ROW_LENGTHS);
    it(`${dtype.name}: which NaN and which zero win, as the fold's order has it, and plain rows, on rows of ${orderLengths.join(", ")} elements`, async () => {
      for (const n of orderLengths) {
        const x = orderRows(n, dtype);
        await mx.eval(x);
        for (const op of [mx.max, mx.min]) {
          let got: number[] = [];
          const files = await webgpuFilesRun(async () => (got = await bitsOf(op(x, -1, gpu))));
          expect(files, `${dtype.name} ${op.name} rows of ${n}: wgsl/max-rows.wgsl alone (16-bit results packed by it, no cast after)`).toEqual(["max-rows"]);
          expect(got, `${dtype.name} ${op.name} rows of ${n}`).toEqual(await bitsBefore(op, x));
        }
      }
    });

    it(`${dtype.name}: rows wgsl/reduce-groups.wgsl would fold (at most 1024 elements, 1024 rows and more), with its bits`, async () => {
      for (const n of sized(lengths.groups, GROUP_ROW_LENGTHS.filter((n) => n * dtype.size >= 1024))) {
        // the order rows 43 times over, and rows whose NaNs and zeros lie where the two kernels' orders disagree:
        // index 2 (lane 2, turn 0) before index lanes + 1 (lane 1, turn 1) in reduce.wgsl's order, after it in reduce-groups'
        const lanes = n === 256 ? 16 : 32;
        const base = orderRows(n, dtype);
        const [nanA, nanB] = dtype === mx.float32 ? [0x7fc00001, 0x7f800abc] : dtype === mx.float16 ? [0x7e01, 0x7c0b] : [0x7fc1, 0x7f8b];
        const sign = dtype === mx.float32 ? 0x80000000 : 0x8000;
        const w = dtype === mx.float32 ? mx.uint32 : mx.uint16;
        const disagree = mx.array([
          Array.from({ length: n }, (_, j) => (j === 2 ? nanA : j === lanes + 1 ? nanB : 0)),
          Array.from({ length: n }, (_, j) => (j === 2 ? sign : j === lanes + 1 ? 0 : sign >>> 0 | 0x100)),
          Array.from({ length: n }, (_, j) => (j === 2 ? 0 : j === lanes + 1 ? sign : 0x100)),
        ], w, gpu);
        const x = mx.concatenate([mx.tile(base, [43, 1], gpu), mx.view(disagree, dtype, gpu)], 0, gpu);
        await mx.eval(x);
        for (const op of [mx.max, mx.min]) {
          let got: number[] = [];
          const files = await webgpuFilesRun(async () => (got = await bitsOf(op(x, -1, gpu))));
          expect(files, `${dtype.name} ${op.name} rows of ${n}: wgsl/max-rows.wgsl alone (16-bit results packed by it, no cast after)`).toEqual(["max-rows"]);
          const before = await bitsBefore(op, x);
          expect(got, `${dtype.name} ${op.name} rows of ${n}`).toEqual(before);
          expect(got.slice(-3), `${dtype.name} ${op.name} rows of ${n}: reduce-groups' picks`).toEqual(before.slice(-3));
        }
      }
    });
  }
}

describe.runIf(fixedSubgroups)("webgpu max/min of float rows on whole quads (wgsl/max-rows.wgsl): wgsl/reduce.wgsl's bits", () => {
  describe("the device's subgroups", () => maxCases("device"));

  describe("a misfit subgroup layout (the lanes' partials through workgroup memory)", () => {
    seenAs(misfitSubgroups);
    maxCases("misfit");
  });

  it("by default rows reduce-groups.wgsl would fold take it, and others of 1025 elements to 16 KiB", async () => {
    const x = mx.random.normal([2048, 1024], { key: mx.random.key(5), ...gpu });
    expect(await webgpuFilesRun(() => mx.max(x, -1, gpu).tolist())).toContain("max-rows");
    expect(await webgpuFilesRun(() => mx.max(mx.slice(x, [0, 0], [1000, 1024], undefined, gpu), -1, gpu).tolist()), "1000 rows of 1024: a workgroup each").not.toContain("max-rows");
    const taken = async (shape: number[], dtype: mx.DType) => (await webgpuFilesRun(() => mx.min(mx.astype(mx.random.normal(shape, gpu), dtype, gpu), -1, gpu).tolist())).includes("max-rows");
    const cases: [number[], mx.DType, boolean][] = [
      [[4, 2048], mx.float32, true],
      [[4, 4096], mx.float32, true],
      [[4, 1024], mx.float32, false],
      [[4, 8192], mx.float32, false],
      [[4, 2048], mx.float16, true],
      [[4, 8192], mx.bfloat16, true],
      [[4, 1024], mx.float16, false],
      [[4, 16384], mx.float16, false],
    ];
    for (const [shape, dtype, expected] of cases) expect(await taken(shape, dtype), `${dtype.name} [${shape.join(", ")}]`).toBe(expected);
  });
});

/**
 * Segments of `n` small values (j * 7 + s) % 5 (`segments` back to back), each with the extreme 9 first at a
 * place past its middle (in the first row where the segment is two rows), tied three places later and a row of
 * 8192 later; the first index of each segment's extreme is `want`.
 */
function tiedSegments(segments: number, n: number): { data: number[]; want: number[] } {
  const first = (s: number) => (n / 2 + 8192 + 37 * s + 1) % (n - 8200);
  const data: number[] = [];
  for (let s = 0; s < segments; s++) {
    const f = first(s);
    for (let j = 0; j < n; j++) data.push(j === f || j === f + 3 || j === f + 8192 ? 9 : (j * 7 + s) % 5);
  }
  return { data, want: Array.from({ length: segments }, (_, s) => first(s)) };
}

/** A segment of `n` with specials in rows of its own: NaNs (the first wins; `nan` where each lies), or zeros of both signs as the extreme (tied: the first). */
function specialSegment(n: number, nanAt: number[] | undefined, zeros: [number, number]): number[] {
  return Array.from({ length: n }, (_, j) => (nanAt ? (nanAt.includes(j) ? NaN : j === 9000 ? Infinity : j % 3) : j === zeros[0] ? -0 : j === zeros[1] ? 0 : -1 - (j % 4)));
}

const asIs = (a: mx.MxArray) => a;

/**
 * argmax of `view(base)` and argmin of `view(-base)` on webgpu against the cpu (and `want`, where given);
 * `taken`: whether wgsl/arg-pairs.wgsl runs (undefined: either).
 */
async function expectSegmentsLikeCpu(base: mx.MxArray, view: (a: mx.MxArray) => mx.MxArray, axis: number | undefined, label: string, taken: boolean | undefined, want?: number[]): Promise<void> {
  for (const [k, op] of [mx.argmax, mx.argmin].entries()) {
    const x = view(k ? mx.negative(base, gpu) : base);
    await mx.eval(x);
    let got: unknown;
    const files = await webgpuFilesRun(async () => (got = await op(x, axis, gpu).tolist()));
    if (taken !== undefined) expect(files.includes("arg-pairs"), `${label} ${op.name}: rows of their own (wgsl/arg-pairs.wgsl)`).toBe(taken);
    expect(got, `${label} ${op.name}`).toEqual(await op(mx.astype(x, x.dtype, cpu), axis, cpu).tolist());
    if (want) expect([got].flat(), `${label} ${op.name}`).toEqual(want);
  }
}

function segmentCases(): void {
  for (const [dtypeIndex, dtype] of [mx.float32, mx.float16, mx.bfloat16].entries()) {
    it(`${dtype.name}: whole arrays and rows of long segments, ties after the first extreme across rows, NaNs, zeros, views`, async () => {
      const n = 2 ** 17;
      // one segment, and three back to back (segments of 2^15: four rows each)
      const one = tiedSegments(1, n);
      await expectSegmentsLikeCpu(mx.array(one.data, dtype, gpu), asIs, undefined, `${dtype.name} [${n}]`, true, one.want);
      const three = tiedSegments(3, 2 ** 15);
      await expectSegmentsLikeCpu(mx.reshape(mx.array(three.data, dtype, gpu), [3, 2 ** 15], gpu), asIs, -1, `${dtype.name} [3, 2^15]`, true, three.want);
      // NaNs in rows 12 and 5 (the first NaN, in row 5, wins over the one later in its row and the earlier infinity)
      const nans = mx.array(specialSegment(n, [12 * 8192 + 7, 5 * 8192 + 4000, 5 * 8192 + 4001], [0, 0]), dtype, gpu);
      await expectSegmentsLikeCpu(nans, asIs, undefined, `${dtype.name} NaNs`, true, [5 * 8192 + 4000]);
      // zeros the extreme: -0 first (row 2), +0 in a later row, and the other way round
      for (const zeros of [[2 * 8192 + 5, 9 * 8192], [9 * 8192 + 1, 2 * 8192 + 5]] as [number, number][]) {
        const first = Math.min(...zeros);
        await expectSegmentsLikeCpu(mx.array(specialSegment(n, undefined, zeros), dtype, gpu), asIs, undefined, `${dtype.name} zeros at ${zeros.join(", ")}`, true, [first]);
      }
      // a view from a whole quad on: rows of their own from there
      const grid = mx.array(one.data, dtype, gpu);
      const perQuad = 16 / dtype.size;
      const from = (start: number) => (a: mx.MxArray) => mx.slice(a, [start], [n - 8192 + start], undefined, gpu);
      await expectSegmentsLikeCpu(grid, from(perQuad), undefined, `${dtype.name} view from a quad`, true);
      // what rows of their own decline (the chunks): segments of a wider grid (rows of 8192 would fit them, but they
      // are not back to back), a length no row length of whole quads divides (an odd count); and a view from the
      // second element (either). One a dtype in the default profile (the chunked kernels compile slowly on
      // lavapipe), all in the full one
      const columns = (a: mx.MxArray) => mx.slice(mx.reshape(a, [2, n / 2], gpu), [0, 0], [2, 49152], undefined, gpu);
      const declined: [string, (a: mx.MxArray) => mx.MxArray, number | undefined, boolean | undefined][] = [
        ["segments of a wider grid", columns, -1, false],
        [`[${n - 1}]`, (a) => mx.slice(a, [0], [n - 1], undefined, gpu), undefined, false],
        ["view from the second element", from(1), undefined, undefined],
      ];
      for (const [label, view, axis, taken] of oneOrAll(declined, dtypeIndex)) await expectSegmentsLikeCpu(grid, view, axis, `${dtype.name} ${label}`, taken);
    });
  }
}

/** `n` small values (i * 7) % 5 of `dtype` on webgpu, 9 at each index of `marks`. */
const nines = (n: number, dtype: mx.DType, marks: number[]) => marked(n, dtype, marks.map((at) => [at, 9] as const), gpu);

describe.runIf(fixedSubgroups)("webgpu argmax/argmin of long segments as rows of their own (wgsl/arg-rows.wgsl PAIRS, wgsl/arg-pairs.wgsl)", () => {
  describe("the device's subgroups", () => segmentCases());

  it("a whole array of one chunk: one row of wgsl/arg-rows.wgsl (ties after the first, NaNs, zeros; a view off its quads declines)", async () => {
    for (const dtype of [mx.float32, mx.float16, mx.bfloat16]) {
      const n = 4096;
      const arrays: [string, number[], number][] = [
        ["ties", Array.from({ length: n }, (_, j) => (j === 700 || j === 701 || j === 4000 ? 9 : (j * 7) % 5)), 700],
        ["NaNs", Array.from({ length: n }, (_, j) => (j === 3000 || j === 3333 ? NaN : j === 10 ? Infinity : j % 3)), 3000],
        ["zeros", Array.from({ length: n }, (_, j) => (j === 41 ? -0 : j === 40 ? 0 : -1 - (j % 4))), 40],
      ];
      for (const [label, data, first] of arrays) {
        for (const [k, op] of [mx.argmax, mx.argmin].entries()) {
          const x = mx.array(k ? data.map((v) => -v) : data, dtype, gpu);
          let got: unknown;
          const files = await webgpuFilesRun(async () => (got = await op(x, undefined, gpu).tolist()));
          expect(files, `${dtype.name} ${label} ${op.name}`).toEqual(["arg-rows"]);
          expect(got, `${dtype.name} ${label} ${op.name}`).toBe(first);
        }
      }
      // from the second element: not on quads, the keyed kernel instead, the same index
      const tail = mx.slice(mx.array(arrays[0]![1], dtype, gpu), [1], [n], undefined, gpu);
      const files = await webgpuFilesRun(async () => expect(await mx.argmax(tail, undefined, gpu).tolist()).toBe(699));
      expect(files).toEqual(["reduce-keys"]);
    }
  });

  it("the pairs' fold: one invocation's pairs 512 rows apart, a tie across invocations, a second step, 32 lanes a row", async () => {
    // float32 [514 x 8192] (rows of 8192: 257 quads of pairs). 9 first in row 0, tied in row 512 (invocation 0's
    // next quad of pairs) and row 6; then first in row 2 (invocation 1), tied in row 512 (invocation 0)
    const n = 514 * 8192;
    await expectSegmentsLikeCpu(nines(n, mx.float32, [100, 512 * 8192 + 50, 6 * 8192]), asIs, undefined, "float32 [514 x 8192]", true, [100]);
    await expectSegmentsLikeCpu(nines(n, mx.float32, [512 * 8192 + 50, 2 * 8192 + 7]), asIs, undefined, "float32 [514 x 8192], across invocations", true, [2 * 8192 + 7]);
    // float32 [4099 x 4096]: rows of 2048 (8198 rows, 4099 quads of pairs), the extreme only in row 8193 (a second step)
    await expectSegmentsLikeCpu(nines(4099 * 4096, mx.float32, [8193 * 2048 + 11]), asIs, undefined, "float32 [4099 x 4096]", true, [8193 * 2048 + 11]);
    // float16 [1031 x 4096]: rows of 2048 (32 lanes a row: one subgroup on a device of 32), first in row 1500, tied in row 2000
    const half = nines(1031 * 4096, mx.float16, [1500 * 2048 + 9, 2000 * 2048 + 5]);
    await expectSegmentsLikeCpu(half, asIs, undefined, "float16 [1031 x 4096]", true, [1500 * 2048 + 9]);
    // float16 [600, 2^15]: 600 segments of four rows, each first at a place walking over its rows, tied after it and at its end
    const [segments, len] = [600, 2 ** 15];
    const firsts = Array.from({ length: segments }, (_, r) => ((r * 5 + 1) % 4) * 8192 + r);
    await expectSegmentsLikeCpu(markedRows(firsts, len, mx.float16, gpu), asIs, -1, "float16 [600, 2^15]", true, firsts);
  });

  describe("a misfit subgroup layout (the lanes' pairs through workgroup memory)", () => {
    seenAs(misfitSubgroups);
    segmentCases();
  });
});

/**
 * Short rows of `n` elements (under 1 KiB): the extreme 9 first at a place walking over the row's lanes and the
 * elements of a quad, tied after it; NaNs (the first wins, after an infinity); zeros of both signs the extreme
 * (tied: the first, in either order); all -inf. Each row's first index of its extreme is `want`.
 */
function shortRows(rows: number, n: number): { data: number[][]; want: number[] } {
  const data: number[][] = [];
  const want: number[] = [];
  for (let i = 0; i < rows; i++) {
    const kind = i % 5;
    const f = (i * 7 + (i >> 3)) % (n - 4);
    if (kind < 2) {
      data.push(Array.from({ length: n }, (_, j) => (j === f || j === f + 3 || (kind && j === n - 1) ? 9 : (j * 7 + i) % 5)));
      want.push(f);
    } else if (kind === 2) {
      data.push(Array.from({ length: n }, (_, j) => (j === f + 1 || j === n - 1 ? NaN : j === f ? Infinity : j % 3)));
      want.push(f + 1);
    } else if (kind === 3) {
      const [neg, pos] = i % 2 ? [f, n - 2] : [n - 2, f];
      data.push(Array.from({ length: n }, (_, j) => (j === neg ? -0 : j === pos ? 0 : -1 - (j % 4))));
      want.push(Math.min(neg, pos));
    } else {
      data.push(Array.from({ length: n }, () => -Infinity));
      want.push(0);
    }
  }
  return { data, want };
}

/** Short row lengths (at most 64 elements: longer ones take other kernels) a dtype's cases take: 2 to 16 quads, one, two or four lanes a row. */
const SHORT_LENGTHS: Record<string, readonly number[]> = { float32: [8, 16, 32, 64], float16: [16, 32, 48, 64], bfloat16: [16, 32, 48, 64] };

/** Whether element bits `b` of `dtype` are a NaN. */
function isNaNBits(b: number, dtype: mx.DType): boolean {
  return dtype === mx.float32 ? (b & 0x7fffffff) >>> 0 > 0x7f800000 : (b & 0x7fff) > (dtype === mx.float16 ? 0x7c00 : 0x7f80);
}

/**
 * max/min of `x`'s rows through arg-rows.wgsl alone (`expectKernel`) or not:
 * bit for bit as the kernels before (segments.wgsl: its (key, bits) fold in
 * index order), NaNs where the cpu has them, a NaN's sign aside: no backend
 * holds to it (the cpu keeps a float16 NaN's and drops a bfloat16 one's;
 * on the H100 segments.wgsl's float16 unpack drops it, where arg-rows moves
 * the element's bits and keeps it).
 */
async function expectMaxLikeBefore(x: mx.MxArray, label: string, expectKernel: boolean): Promise<void> {
  await mx.eval(x);
  const word = x.dtype === mx.float32 ? mx.uint32 : mx.uint16;
  const onCpu = mx.view(mx.array(await mx.view(x, word, gpu).tolist(), word, cpu), x.dtype, cpu);
  const signless = (bits: number[]) => bits.map((b) => (isNaNBits(b, x.dtype) ? b & (word === mx.uint32 ? 0x7fffffff : 0x7fff) : b));
  for (const op of [mx.max, mx.min]) {
    let got: number[] = [];
    const files = await webgpuFilesRun(async () => (got = await bitsOf(op(x, -1, gpu))));
    expect(files.includes("arg-rows"), `${label} ${op.name}: taken by wgsl/arg-rows.wgsl`).toBe(expectKernel);
    if (expectKernel) expect(files, `${label} ${op.name}: arg-rows alone (16-bit results packed by it)`).toEqual(["arg-rows"]);
    expect(signless(got), `${label} ${op.name}`).toEqual(signless(await bitsBefore(op, x)));
    if (!expectKernel) continue;
    const cpuBits = (await mx.view(op(onCpu, -1, cpu), word, cpu).tolist()) as number[];
    const nans = (bits: number[]) => bits.map((b) => isNaNBits(b, x.dtype));
    expect(nans(got), `${label} ${op.name}: NaNs where the cpu has them`).toEqual(nans(cpuBits));
  }
}

function shortCases(): void {
  for (const dtype of [mx.float32, mx.float16, mx.bfloat16]) {
    it(`${dtype.name}: short rows of ${SHORT_LENGTHS[dtype.name]!.join(", ")} elements, ties, NaNs, zeros, views`, async () => {
      for (const n of SHORT_LENGTHS[dtype.name]!) {
        const { data, want } = shortRows(300, n);
        for (const sign of [1, -1]) {
          const x = mx.array(data.map((r) => r.map((v) => sign * v)), dtype, gpu);
          await expectLikeCpu(x, `${dtype.name} short rows of ${n}, sign ${sign}`, true);
          expect(await (sign > 0 ? mx.argmax : mx.argmin)(x, -1, gpu).tolist(), `${dtype.name} rows of ${n}, sign ${sign}`).toEqual(want);
          await expectMaxLikeBefore(x, `${dtype.name} short rows of ${n}, sign ${sign}`, true);
        }
        // NaNs of several payloads and both signs, zeros of both signs: which one the fold's order picks
        await expectMaxLikeBefore(orderRows(n, dtype), `${dtype.name} short rows of ${n} with NaNs and zeros`, true);
        // rows from the second on, columns from the second quad to the end (rows of their own stride); from
        // the second element (not on quads: the other kernels)
        const grid = mx.array(data, dtype, gpu);
        const perQuad = 16 / dtype.size;
        if (n >= 3 * perQuad) {
          const view = mx.slice(grid, [1, perQuad], [data.length, n], undefined, gpu);
          await expectLikeCpu(view, `${dtype.name} view of short rows of ${n}`, true);
          await expectMaxLikeBefore(view, `${dtype.name} view of short rows of ${n}`, true);
        }
        const unaligned = mx.slice(grid, [0, 1], [data.length, n], undefined, gpu);
        await expectLikeCpu(unaligned, `${dtype.name} unaligned view of short rows of ${n}`, false);
        await expectMaxLikeBefore(unaligned, `${dtype.name} unaligned view of short rows of ${n}`, false);
      }
    });
  }
}

describe.runIf(fixedSubgroups)("webgpu argmax/argmin and max/min of short float rows on whole quads (wgsl/arg-rows.wgsl, lanes exchanging by shuffles)", () => {
  describe("the device's subgroups", () => shortCases());

  describe("a misfit subgroup layout (the lanes' pairs through workgroup memory)", () => {
    seenAs(misfitSubgroups);
    shortCases();
  });
});
