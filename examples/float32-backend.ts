// An outside backend, written as a separate package would write one: "cpu-f32"
// evaluates float32 work in float32, as MLX's CPU backend does (every step
// rounded to float32, sums and dot products accumulated in float32), and runs
// the cpu reference's kernels for everything else. It declares its contract,
// so its conformance report shows what float32 evaluation costs against the
// float64 reference:
//   npx mlx-ts conformance --backend-module examples/float32-backend.ts --backends cpu-f32
// (a package would `import * as mx from "mlx-ts"`).

import * as mx from "../index.js";
import type { Backend, BackendBuffer, Contract, Kernel, Tensor } from "../index.js";

const cpu = mx.registeredBackends().find((b) => b.name === "cpu")!;
const f = Math.fround;

// ---- reading and writing float32 tensors (the buffers are the cpu backend's) ----

/** The float32 words of `t`'s buffer. */
function words(t: Tensor): Float32Array {
  const host = cpu.hostBytes!(t.buffer);
  return new Float32Array(host.bytes, host.byteOffset, host.byteLength / 4);
}

/** The offsets of `t`'s elements broadcast to `shape` (default its own), in row-major order (strides may be 0 or negative). */
function offsets(t: Tensor, shape: readonly number[] = t.shape): number[] {
  const lead = shape.length - t.shape.length;
  let out = [t.offset];
  shape.forEach((n, d) => {
    const stride = d < lead || t.shape[d - lead] === 1 ? 0 : t.strides[d - lead]!;
    const next: number[] = [];
    for (const o of out) for (let i = 0; i < n; i++) next.push(o + i * stride);
    out = next;
  });
  return out;
}

/** The elements of `t` broadcast to `shape` (default its own), row-major. */
function values(t: Tensor, shape?: readonly number[]): number[] {
  const w = words(t);
  return offsets(t, shape).map((o) => w[o]!);
}

/** A new float32 tensor of `shape` holding `data`. */
function tensorOf(shape: readonly number[], data: ArrayLike<number>): Tensor {
  const buffer = cpu.allocate(Math.max(data.length, 1) * 4);
  const t: Tensor = { buffer, dtype: mx.float32, shape, strides: shape.map((_, d) => shape.slice(d + 1).reduce((a, b) => a * b, 1)), offset: 0 };
  words(t).set(data);
  return t;
}

/** The kernel `own` for float32 inputs, the cpu reference's kernel `name` for the others. */
function float32Only(name: string, own: Kernel): Kernel {
  return (prim, inputs, out) => (inputs.every((t) => t.dtype === mx.float32) && out.dtype === mx.float32 ? own(prim, inputs, out) : cpu.kernels[name]!(prim, inputs, out));
}

// ---- float32 kernels ----

/** Elements grouped by their index outside `axes` (row-major), each group in row-major order. */
function groups(shape: readonly number[], axes: readonly number[]): { count: number; of: number[] } {
  const kept = shape.map((n, d) => (axes.includes(d) ? 1 : n));
  const of: number[] = [];
  const idx = shape.map(() => 0);
  const total = shape.reduce((a, b) => a * b, 1);
  for (let i = 0; i < total; i++) {
    of.push(idx.reduce((g, v, d) => g * kept[d]! + (axes.includes(d) ? 0 : v), 0));
    for (let d = shape.length - 1; d >= 0 && ++idx[d]! === shape[d]; d--) idx[d] = 0;
  }
  return { count: kept.reduce((a, b) => a * b, 1), of };
}

/** sum and prod accumulated in float32, element by element in row-major order. */
const reduce: Kernel = (prim, [x], out) => {
  const { axes } = prim.params() as { axes: number[] };
  const product = prim.name === "prod";
  const g = groups(x!.shape, axes);
  const acc = new Array<number>(g.count).fill(product ? 1 : 0);
  values(x!).forEach((v, i) => (acc[g.of[i]!] = f(product ? acc[g.of[i]!]! * v : acc[g.of[i]!]! + v)));
  return tensorOf(out.shape, acc);
};

/** logsumexp and softmax with every step in float32. */
function maxAndSums(x: Tensor, axes: readonly number[]): { g: ReturnType<typeof groups>; xs: number[]; max: number[]; sum: number[] } {
  const g = groups(x.shape, axes);
  const xs = values(x);
  const max = new Array<number>(g.count).fill(-Infinity);
  xs.forEach((v, i) => (max[g.of[i]!] = Math.max(max[g.of[i]!]!, v)));
  const sum = new Array<number>(g.count).fill(0);
  xs.forEach((v, i) => {
    const m = max[g.of[i]!]!;
    sum[g.of[i]!] = f(sum[g.of[i]!]! + f(Math.exp(f(v - (Number.isFinite(m) ? m : 0)))));
  });
  return { g, xs, max, sum };
}

const logsumexp: Kernel = (prim, [x], out) => {
  const { max, sum } = maxAndSums(x!, (prim.params() as { axes: number[] }).axes);
  return tensorOf(out.shape, max.map((m, i) => f((Number.isFinite(m) ? m : 0) + f(Math.log(sum[i]!)))));
};

const softmax: Kernel = (prim, [x], out) => {
  const { g, xs, max, sum } = maxAndSums(x!, (prim.params() as { axes: number[] }).axes);
  return tensorOf(out.shape, xs.map((v, i) => {
    const m = max[g.of[i]!]!;
    return f(f(Math.exp(f(v - (Number.isFinite(m) ? m : 0)))) / sum[g.of[i]!]!);
  }));
};

/** Matrix products with float32 products and a float32 accumulator, in k order. */
const matmul: Kernel = (_prim, [a, b], out) => {
  const nd = out.shape.length;
  const [M, N, K] = [out.shape[nd - 2]!, out.shape[nd - 1]!, a!.shape[a!.shape.length - 1]!];
  const A = values(a!, [...out.shape.slice(0, -2), M, K]), B = values(b!, [...out.shape.slice(0, -2), K, N]);
  const batches = out.shape.slice(0, -2).reduce((p, q) => p * q, 1);
  const res = new Float32Array(batches * M * N);
  for (let t = 0; t < batches; t++) {
    for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) {
      let acc = 0;
      for (let k = 0; k < K; k++) acc = f(acc + f(A[t * M * K + i * K + k]! * B[t * K * N + k * N + j]!));
      res[(t * M + i) * N + j] = acc;
    }
  }
  return tensorOf(out.shape, res);
};

/** cumsum, cumprod and logcumsumexp accumulated in float32 (cummax and cummin are exact: the reference's). */
const scan: Kernel = (prim, inputs, out) => {
  const { op, axis, reverse, inclusive } = prim.params() as { op: string; axis: number; reverse: boolean; inclusive: boolean };
  if (op !== "sum" && op !== "prod" && op !== "logaddexp") return cpu.kernels.scan!(prim, inputs, out);
  const x = inputs[0]!;
  const n = x.shape[axis]!;
  const inner = x.shape.slice(axis + 1).reduce((p, q) => p * q, 1);
  const xs = values(x);
  const res = new Float32Array(xs.length);
  const start = op === "sum" ? 0 : op === "prod" ? 1 : -Infinity;
  const step = (acc: number, v: number) =>
    op === "sum" ? f(acc + v) : op === "prod" ? f(acc * v) : Math.max(acc, v) === -Infinity ? -Infinity : f(Math.max(acc, v) + f(Math.log1p(f(Math.exp(f(-Math.abs(f(acc - v))))))));
  for (let base = 0; base < xs.length; base += n * inner) {
    for (let j = 0; j < inner; j++) {
      let acc = start;
      for (let s = 0; s < n; s++) {
        const i = base + (reverse ? n - 1 - s : s) * inner + j;
        if (!inclusive) res[i] = acc;
        acc = step(acc, xs[i]!);
        if (inclusive) res[i] = acc;
      }
    }
  }
  return tensorOf(out.shape, res);
};

/** An elementwise float32 kernel: each input read through its strides at the output's index. */
function elementwise(fn: (...xs: number[]) => number): Kernel {
  return (_prim, inputs, out) => {
    const xs = inputs.map((t) => values(t, out.shape));
    return tensorOf(out.shape, xs[0]!.map((_, i) => fn(...xs.map((v) => v[i]!))));
  };
}

// ---- the backend ----

/** Ops whose float32 results accumulate: bounded by their condition, as sequential float32 sums are. */
const ACCUMULATING = new Set(["sum", "prod", "mean", "var", "std", "matmul", "logsumexp", "softmax", "cumsum", "cumprod", "logcumsumexp"]);

const float32Backend: Backend = {
  name: "cpu-f32",
  displayName: "cpu-f32 (float32 arithmetic, an example backend)",
  capabilities: cpu.capabilities,
  kernels: {
    ...cpu.kernels,
    sum: float32Only("sum", reduce),
    prod: float32Only("prod", reduce),
    logsumexp: float32Only("logsumexp", logsumexp),
    softmax: float32Only("softmax", softmax),
    matmul: float32Only("matmul", matmul),
    scan: float32Only("scan", scan),
    sigmoid: float32Only("sigmoid", elementwise((x) => f(1 / f(1 + f(Math.exp(-x)))))),
    logaddexp: float32Only("logaddexp", elementwise((a, b) => {
      const m = Math.max(a, b);
      return m === -Infinity || Number.isNaN(m) ? m : f(m + f(Math.log1p(f(Math.exp(f(-Math.abs(f(a - b))))))));
    })),
  },
  ...(cpu.multiKernels ? { multiKernels: cpu.multiKernels } : {}),
  contract(op: string): Contract {
    if (ACCUMULATING.has(op)) return { ulps: 0, abs: 0, domain: [-1e30, 1e30], special: false, condition: { c: 2, u: 2 ** -24 }, source: "float32 accumulation in element order" };
    if (op === "sigmoid" || op === "logaddexp") return { ulps: 4, abs: 2 ** -24, domain: [-80, 80], special: false, source: "three float32 steps, each rounded" };
    return { ulps: 0, abs: 0, domain: [-Infinity, Infinity], special: true, source: "the cpu reference's kernel" };
  },
  // buffers are the cpu backend's (and counted there); a cpu tensor is used in place
  allocate: (nbytes: number): BackendBuffer => cpu.allocate(nbytes),
  release: (buffer) => cpu.release(buffer),
  share: (t) => (t.buffer.backend === cpu ? (t.buffer.refs++, t) : undefined),
  write: (buffer, src) => cpu.write(buffer, src),
  read: (t) => cpu.read(t),
  readSync: (t) => cpu.readSync!(t),
  hostBytes: (buffer) => cpu.hostBytes!(buffer),
  synchronize: () => cpu.synchronize(),
  memory: () => ({ active: 0, peak: 0, cache: 0 }),
  resetPeakMemory: () => {},
  setCacheLimit: () => 0,
  clearCache: () => {},
};

mx.registerBackend(float32Backend);

/** The example's device: `mx.sum(x, { stream: float32Device })`. */
export const float32Device = new mx.Device("cpu", "cpu-f32");
