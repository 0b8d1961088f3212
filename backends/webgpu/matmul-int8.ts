// 8-bit integer matmul on subgroup matrices (wgsl/matmul-int8.wgsl): where
// the adapter offers Dawn's chromium-experimental-subgroup-matrix with an
// int8 -> int32 (uint8 -> uint32) configuration, int8 @ int8 (uint8 @ uint8)
// runs on the matrix units with exact integer sums, each stored as float32
// rounded once: the reference's result bit for bit. Other shapes, layouts
// and adapters take a tiled kernel that sums exactly too (wgsl/matmul-int8-exact.wgsl).

import type { Tensor } from "../backend.js";
import { int8, uint8, float32 } from "../../src/dtype.js";
import type { KernelCall, WebGpuBackend } from "./backend.js";
import { inputDecl } from "./codegen.js";
import { fixedSubgroupSize } from "./device.js";

/** The subgroup-matrix feature as Dawn names it. */
export const SUBGROUP_MATRIX_FEATURE = "chromium-experimental-subgroup-matrix";

/** One configuration an adapter lists: component and result types, fragment M x N x K. */
interface SubgroupMatrixConfig {
  componentType: string;
  resultComponentType: string;
  M: number;
  N: number;
  K: number;
}

/**
 * Subgroups per workgroup along M and N, and fragments per subgroup along M
 * and N: 2 x 2 subgroups of 4 x 4 fragments (128 x 128 tiles of 16 x 16
 * fragments) measured fastest on the H200 of 1 x 1, 2 x 2 and 4 x 2
 * subgroups and 2 x 4 to 4 x 4 fragments (docs/benchmarks.md, 2026-12-03).
 */
const WM = 2, WN = 2, FM = 4, FN = 4;

/** A workgroup's tile of C for fragments `cfg`: rows, columns, and the K step (one fragment's depth). */
const tileOf = (cfg: SubgroupMatrixConfig) => ({ tileM: WM * FM * cfg.M, tileN: WN * FN * cfg.N, ks: cfg.K });
/** Words added to each staged row, so that the 16-byte rows of a fragment land on distinct banks. */
const PAD_WORDS = 4;

/**
 * Largest K with no overflow: |a b| <= 2^14 for int8 and a b < 2^16 for
 * uint8, so with K <= 2^15 every partial sum stays below 2^29 (int32) and
 * 2^31 (uint32).
 */
const MAX_K = 2 ** 15;

/** The adapter's configuration for `component` -> `result` (the 16x16 one where there are several), if any. */
function configFor(gpu: WebGpuBackend, component: "i8" | "u8", result: "i32" | "u32"): SubgroupMatrixConfig | undefined {
  if (!gpu.ctx.features.has(SUBGROUP_MATRIX_FEATURE)) return undefined;
  const info = (gpu.ctx.adapter as { info?: { subgroupMatrixConfigs?: SubgroupMatrixConfig[] } }).info;
  const all = (info?.subgroupMatrixConfigs ?? []).filter((c) => c.componentType === component && c.resultComponentType === result);
  return all.find((c) => c.M === 16 && c.N === 16) ?? all[0];
}

/** How an operand is read: its last two dims' leading dimension, whether column-major, and its per-batch stride. */
interface Layout {
  ld: number;
  colMajor: boolean;
  batchStride: number;
}

/**
 * The layout of a [..., R, C] operand whose matrices are row-major (strides
 * [C', 1], C' >= C) or column-major ([1, R'], R' >= R), stacked with one
 * batch stride over the flattened batch (0 where broadcast); undefined for
 * any other layout.
 */
function layoutOf(x: Tensor, batchShape: readonly number[]): Layout | undefined {
  const nd = x.shape.length;
  const [R, C] = [x.shape[nd - 2]!, x.shape[nd - 1]!];
  const [rs, cs] = [x.strides[nd - 2]!, x.strides[nd - 1]!];
  let colMajor: boolean, ld: number;
  if (cs === 1 && rs >= C) [colMajor, ld] = [false, rs];
  else if (rs === 1 && cs >= R) [colMajor, ld] = [true, cs];
  else return undefined;
  // the batch dims flatten to one stride: all of size 1 (broadcast: stride 0), or the output's
  // batch dims (fewer leading ones allowed) stacked evenly (each stride the next one's span)
  const xb = x.shape.slice(0, -2), xs = x.strides.slice(0, -2);
  let batchStride = 0;
  if (xb.some((d) => d !== 1)) {
    const pad = batchShape.length - xb.length;
    if (pad < 0 || batchShape.slice(0, pad).some((d) => d !== 1) || xb.some((d, i) => d !== batchShape[pad + i])) return undefined;
    let span = -1;
    for (let i = xb.length - 1; i >= 0; i--) {
      if (xb[i] === 1) continue;
      if (span === -1) batchStride = xs[i]!;
      else if (xs[i] !== span) return undefined;
      span = xs[i]! * xb[i]!;
    }
    if (batchStride < 0) return undefined;
  }
  return { ld, colMajor, batchStride };
}

/** A planned launch: the kernel call, its params and workgroups. */
interface Int8Plan {
  call: KernelCall;
  params: number[];
  groups: number;
}

/**
 * How one operand's tile of a K step is staged: `rows` rows of `rowBytes`
 * bytes read along the operand's contiguous dim (R x L of the WGSL below),
 * the global row and column of its first element, their bounds, the load
 * unit's bytes and the staged row's stride in words.
 */
interface Staging {
  name: "a" | "b";
  rows: number;
  rowBytes: number;
  row0: string;
  col0: string;
  rowEnd: string;
  colEnd: string;
  unitBytes: 4 | 16;
  stride: number;
}

function staging(name: "a" | "b", rows: number, rowBytes: number, row0: string, col0: string, rowEnd: string, colEnd: string, unitBytes: 4 | 16): Staging {
  return { name, rows, rowBytes, row0, col0, rowEnd, colEnd, unitBytes, stride: rowBytes / 4 + PAD_WORDS };
}

const stageWords = (st: Staging) => st.rows * st.stride;
/** The majorness a fragment of `l` is loaded with from its stage (a stage keeps the operand's own layout). */
const major = (l: Layout) => (l.colMajor ? "col_major" : "row_major");
const unitType = (st: Staging, R: string) => (st.unitBytes === 16 ? `vec4<${R}>` : R);

/** Units each of `threads` invocations loads for `st`'s tile, or undefined where the rows are not whole units or the units do not split evenly. */
function unitsPerInvocation(st: Staging, threads: number): number | undefined {
  const count = (st.rows * st.rowBytes) / st.unitBytes / threads;
  return st.rowBytes % st.unitBytes === 0 && Number.isInteger(count) ? count : undefined;
}

/** The loads of `st`'s tile at K step k0 into registers (zero past the operand's edges), and their stores into stage `stage`. */
function stagingCode(st: Staging, threads: number, R: string): { regs: string[]; loads: string[]; stores: (stage: string) => string[] } {
  const perRow = st.rowBytes / st.unitBytes;
  const count = unitsPerInvocation(st, threads)!;
  const regs: string[] = [], loads: string[] = [];
  const unit = unitType(st, R);
  const base = `${st.name}_base`, ld = `ld${st.name}`;
  for (let l = 0; l < count; l++) {
    regs.push(`var r${st.name}${l} = ${unit}();`);
    loads.push(
      `{ let i = lid + ${l * threads}u; let r = ${st.row0} + i / ${perRow}u; let c = ${st.col0} + (i % ${perRow}u) * ${st.unitBytes}u;` +
        ` if (r < ${st.rowEnd} && c < ${st.colEnd}) { r${st.name}${l} = ${st.name}[(${base} + r * ${ld} + c) / ${st.unitBytes}u]; } }`,
    );
  }
  const stores = (stage: string) =>
    Array.from({ length: count }, (_, l) => {
      const at = `${stage} * ${stageWords(st)}u + (i / ${perRow}u) * ${st.stride}u + (i % ${perRow}u) * ${st.unitBytes / 4}u`;
      const v = `r${st.name}${l}`;
      const body = st.unitBytes === 16 ? `s${st.name}[o] = ${v}.x; s${st.name}[o + 1u] = ${v}.y; s${st.name}[o + 2u] = ${v}.z; s${st.name}[o + 3u] = ${v}.w;` : `s${st.name}[o] = ${v};`;
      return `{ let i = lid + ${l * threads}u; let o = ${at}; ${body} }`;
    });
  return { regs, loads, stores };
}

/** How A (`name` "a") or B is staged for fragments `cfg` when laid out as `l` and loaded in units of `unitBytes`: a row-major A stages rows of M by K bytes, a column-major one rows of K by M; B likewise. */
function stagingOf(name: "a" | "b", cfg: SubgroupMatrixConfig, l: Layout, unitBytes: 4 | 16): Staging {
  const { tileM, tileN, ks } = tileOf(cfg);
  if (name === "a") return l.colMajor ? staging("a", ks, tileM, "k0", "row0", "K", "M", unitBytes) : staging("a", tileM, ks, "row0", "k0", "M", "K", unitBytes);
  return l.colMajor ? staging("b", tileN, ks, "col0", "k0", "N", "K", unitBytes) : staging("b", ks, tileN, "k0", "col0", "K", "N", unitBytes);
}

/** The staging of an operand in the widest unit its memory allows (`widest`) and its tile splits into evenly over `threads` invocations, if any. */
function fittingStaging(name: "a" | "b", cfg: SubgroupMatrixConfig, l: Layout, widest: 4 | 16, threads: number): Staging | undefined {
  for (const unit of [16, 4] as const) {
    if (unit > widest) continue;
    const st = stagingOf(name, cfg, l, unit);
    if (unitsPerInvocation(st, threads) !== undefined) return st;
  }
  return undefined;
}

/**
 * wgsl/matmul-int8.wgsl's generated slots for fragments `cfg` of element
 * type T (result R), operands laid out as `la` and `lb` and staged as `sa`
 * and `sb`, for subgroups of `sg` invocations.
 */
function kernelSlots(T: string, R: string, sg: number, cfg: SubgroupMatrixConfig, la: Layout, lb: Layout, sa: Staging, sb: Staging): Record<string, string | number> {
  const threads = WM * WN * sg;
  const { tileM, tileN, ks } = tileOf(cfg);
  const ca = stagingCode(sa, threads, R), cb = stagingCode(sb, threads, R);
  const accs: string[] = [], mmas: string[] = [], epilogue: string[] = [];
  // offsets and strides count the stage arrays' words (4 values each), the offsets below being in values
  for (let i = 0; i < FM; i++) {
    // fragment i's rows start at m within the tile; a column-major stage holds it transposed
    const m = `wm * ${FM * cfg.M}u + ${i * cfg.M}u`;
    const at = la.colMajor ? `cur * ${stageWords(sa)}u * 4u + ${m}` : `(cur * ${stageWords(sa)}u + (${m}) * ${sa.stride}u) * 4u`;
    mmas.push(`let a${i} = subgroupMatrixLoad<subgroup_matrix_left<${T}, ${cfg.K}, ${cfg.M}>, ${major(la)}>(&sa, (${at}) / 4u, ${sa.stride}u);`);
  }
  for (let j = 0; j < FN; j++) {
    const n = `wn * ${FN * cfg.N}u + ${j * cfg.N}u`;
    const at = lb.colMajor ? `(cur * ${stageWords(sb)}u + (${n}) * ${sb.stride}u) * 4u` : `cur * ${stageWords(sb)}u * 4u + ${n}`;
    mmas.push(`let b${j} = subgroupMatrixLoad<subgroup_matrix_right<${T}, ${cfg.N}, ${cfg.K}>, ${major(lb)}>(&sb, (${at}) / 4u, ${sb.stride}u);`);
  }
  const frag = cfg.M * cfg.N;
  for (let i = 0; i < FM; i++) {
    for (let j = 0; j < FN; j++) {
      accs.push(`var acc_${i}_${j} = subgroup_matrix_result<${R}, ${cfg.N}, ${cfg.M}>();`);
      mmas.push(`acc_${i}_${j} = subgroupMatrixMultiplyAccumulate(a${i}, b${j}, acc_${i}_${j});`);
      // each subgroup converts its fragments through its own slice of the (now free) A stages
      epilogue.push(
        `subgroupMatrixStore<row_major>(&sa, sgi * ${frag}u, acc_${i}_${j}, ${cfg.N}u);`,
        "workgroupBarrier();",
        `for (var e = lane; e < ${frag}u; e += ${sg}u) {`,
        `  let row = row0 + wm * ${FM * cfg.M}u + ${i * cfg.M}u + e / ${cfg.N}u;`,
        `  let col = col0 + wn * ${FN * cfg.N}u + ${j * cfg.N}u + e % ${cfg.N}u;`,
        `  if (row < M && col < N) { out[c_base + row * N + col] = f32(sa[sgi * ${frag}u + e]); }`,
        "}",
        "workgroupBarrier();",
      );
    }
  }
  return {
    R, SG: sg, WN, THREADS: threads, TILE_M: tileM, TILE_N: tileN, KS: ks,
    UNIT_A: unitType(sa, R), UNIT_B: unitType(sb, R),
    SA_WORDS: Math.max(2 * stageWords(sa), WM * WN * frag), SB_WORDS: 2 * stageWords(sb),
    ACCS: accs.join("\n  "),
    REGS: [...ca.regs, ...cb.regs].join("\n    "),
    LOADS: [...ca.loads, ...cb.loads].join("\n      "),
    STAGE_FIRST: [...ca.stores("0u"), ...cb.stores("0u")].join("\n    "),
    STAGE_NEXT: [...ca.stores("(1u - cur)"), ...cb.stores("(1u - cur)")].join("\n      "),
    MMAS: mmas.join("\n    "),
    EPILOGUE: epilogue.join("\n  "),
  };
}

/** The widest load unit (16 or 4 bytes) that the operand's offset, strides and contiguous extent are multiples of, if any. */
function unitBytes(x: Tensor, l: Layout, contiguousExtent: number): 4 | 16 | undefined {
  const all = [x.offset, l.ld, l.batchStride, contiguousExtent];
  return all.every((v) => v % 16 === 0) ? 16 : all.every((v) => v % 4 === 0) ? 4 : undefined;
}

/** The launch of C = A @ B (C of `shape`) on subgroup matrices, or undefined where it does not apply. */
export function int8MatmulPlan(gpu: WebGpuBackend, a: Tensor, b: Tensor, shape: readonly number[]): Int8Plan | undefined {
  const signed = a.dtype === int8 && b.dtype === int8;
  if (!signed && !(a.dtype === uint8 && b.dtype === uint8)) return undefined;
  const cfg = configFor(gpu, signed ? "i8" : "u8", signed ? "i32" : "u32");
  const sg = fixedSubgroupSize(gpu.ctx);
  if (!cfg || sg === undefined) return undefined;
  const nd = shape.length;
  const M = a.shape[a.shape.length - 2]!, K = a.shape[a.shape.length - 1]!, N = b.shape[b.shape.length - 1]!;
  if (M === 0 || N === 0 || K === 0 || K > MAX_K) return undefined;
  if (shape.reduce((s, d) => s * d, 1) >= 2 ** 32) return undefined;
  const batchShape = shape.slice(0, nd - 2);
  const la = layoutOf(a, batchShape), lb = layoutOf(b, batchShape);
  if (!la || !lb) return undefined;
  const unitA = unitBytes(a, la, la.colMajor ? M : K), unitB = unitBytes(b, lb, lb.colMajor ? K : N);
  if (!unitA || !unitB) return undefined;
  const threads = WM * WN * sg;
  const sa = fittingStaging("a", cfg, la, unitA, threads), sb = fittingStaging("b", cfg, lb, unitB, threads);
  if (!sa || !sb) return undefined;
  const batches = batchShape.reduce((s, d) => s * d, 1);
  // the kernel's byte addresses are u32: the last element either operand's loads can reach must be below 2^32
  const reach = (x: Tensor, l: Layout, rows: number, extent: number) => x.offset + (batches - 1) * l.batchStride + (rows - 1) * l.ld + extent;
  if (reach(a, la, la.colMajor ? K : M, la.colMajor ? M : K) >= 2 ** 32 || reach(b, lb, lb.colMajor ? N : K, lb.colMajor ? K : N) >= 2 ** 32) return undefined;
  const [T, R] = signed ? ["i8", "i32"] : ["u8", "u32"];
  const { tileM, tileN } = tileOf(cfg);
  const tilesN = Math.ceil(N / tileN), tiles = Math.ceil(M / tileM) * tilesN;
  const call: KernelCall = {
    op: "matmul",
    file: "matmul-int8",
    helpers: [],
    key: `${T}|${cfg.M}x${cfg.N}x${cfg.K}|${sg}|${la.colMajor}|${lb.colMajor}|${sa.unitBytes}|${sb.unitBytes}`,
    slots: () => kernelSlots(T, R, sg, cfg, la, lb, sa, sb),
  };
  const params = [M, N, K, tilesN, tiles, tiles * batches, a.offset, la.batchStride, b.offset, lb.batchStride, la.ld, lb.ld];
  return { call, params, groups: tiles * batches };
}

/** Runs `plan` into a new float32 tensor of `shape`. */
export function encodeInt8Matmul(gpu: WebGpuBackend, a: Tensor, b: Tensor, shape: readonly number[], plan: Int8Plan): Tensor {
  const res = gpu.allocOutput({ shape, dtype: float32 });
  if (plan.groups > 0) gpu.run(plan.call, gpu.gpuBuffer(res), plan.params, [gpu.gpuBuffer(a), gpu.gpuBuffer(b)], plan.groups);
  return res;
}

/**
 * int8 @ int8 or uint8 @ uint8 (C of `shape`, float32) on the tiled exact kernel, whatever the adapter, layout
 * or K: 32-bit sums over slabs of 16, 64-bit totals, one rounding to float32 (wgsl/matmul-int8-exact.wgsl).
 */
export function encodeInt8MatmulExact(gpu: WebGpuBackend, a: Tensor, b: Tensor, shape: readonly number[]): Tensor {
  const res = gpu.allocOutput({ shape, dtype: float32 });
  const nd = shape.length;
  const M = shape[nd - 2]!, N = shape[nd - 1]!, K = a.shape[nd - 1]!;
  const batchShape = shape.slice(0, nd - 2);
  const batches = batchShape.reduce((s, d) => s * d, 1);
  const tilesN = Math.ceil(N / 32), tilesM = Math.ceil(M / 32);
  if (M * N * batches === 0) return res;
  const signed = a.dtype === int8;
  const call: KernelCall = {
    op: "matmul",
    file: "matmul-int8-exact",
    helpers: ["dtypes", "int64"],
    key: a.dtype.name,
    slots: () => ({ INPUTS: [inputDecl(0, 2, a.dtype), inputDecl(1, 3, b.dtype)].join("\n"), TO_F32: signed ? "i64_to_f32" : "u64_to_f32" }),
  };
  const params = [M, N, K, batchShape.length, a.offset, a.strides[nd - 2]!, a.strides[nd - 1]!, b.offset, b.strides[nd - 2]!, b.strides[nd - 1]!, tilesN, tilesM, ...batchShape, ...a.strides.slice(0, -2), ...b.strides.slice(0, -2)];
  gpu.run(call, gpu.gpuBuffer(res), params, [gpu.gpuBuffer(a), gpu.gpuBuffer(b)], tilesN * tilesM * batches);
  return res;
}
