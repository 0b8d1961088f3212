// WebGPU gatherAxis, scatterAxis and sliceUpdate through wgsl/indexing.wgsl:
// one invocation per output word, each output element computing what it
// holds (a scatter scans its column's updates in order: deterministic,
// without atomics or sorting). Index values are wrapped and clamped in the kernel.

import type { Kernel, OutputSpec, Tensor } from "../backend.js";
import type { DType } from "../../src/dtype.js";
import type { GatherAxis, ScatterAxis, SliceUpdate } from "../../src/primitives/indexing.js";
import { rowMajorStrides } from "../../src/shape.js";
import { elementwiseLayout } from "../strides.js";
import type { WebGpuBackend } from "./backend.js";
import { perWordDispatch } from "./gather.js";
import { BINARY_WGSL, computeType, wgslExprFor } from "./codegen.js";

function run(gpu: WebGpuBackend, op: string, inputs: readonly Tensor[], out: OutputSpec, params: number[], source: string): Tensor {
  return perWordDispatch(gpu, "indexing", ["dtypes", "math"], op, inputs, out, params, source);
}

/** The WGSL call that normalizes an index value of dtype `d` on an axis of `n` (an expression) elements. */
function norm(d: DType, v: string, n: string): string {
  return computeType(d) === "i32" ? `norm_i(${v}, ${n})` : `norm_u(${v}, ${n})`;
}

/** `t` read over `shape` with stride 0 along `axis` (each position's base). */
function axisBase(t: Tensor, shape: readonly number[], axis: number): Tensor {
  return { ...t, shape, strides: t.strides.map((s, d) => (d === axis ? 0 : s)) };
}

/** The layout operand 0: the contiguous output. */
function outView(t: Tensor, shape: readonly number[]): Tensor {
  return { ...t, shape, strides: rowMajorStrides(shape), offset: 0 };
}

export function gatherAxisKernel(gpu: WebGpuBackend): Kernel {
  return (prim, [a, idx], out) => {
    const axis = (prim as GatherAxis).axis;
    const layout = elementwiseLayout([outView(a!, out.shape), axisBase(a!, out.shape, axis), idx!], out.shape);
    const params = [a!.shape[axis]!, a!.strides[axis]!, 0, 0, ...layout];
    const source = `let j = ${norm(idx!.dtype, "load_1(u32(offset_of(2u, e)))", "params[0]")};
  return pack_${out.dtype.name}(load_0(u32(offset_of(1u, e) + i32(j) * bitcast<i32>(params[1]))));`;
    return run(gpu, "gatherAxis", [a!, idx!], out, params, source);
  };
}

export function scatterAxisKernel(gpu: WebGpuBackend): Kernel {
  return (prim, [a, idx, upd], out) => {
    const { axis, mode } = prim as ScatterAxis;
    const shape = out.shape;
    // operand 4 counts the position along the axis: its offset is the element's index there
    const position = { ...a!, offset: 0, strides: shape.map((_, d) => (d === axis ? 1 : 0)) };
    const layout = elementwiseLayout([outView(a!, shape), a!, axisBase(idx!, shape, axis), axisBase(upd!, shape, axis), position], shape);
    const params = [idx!.shape[axis]!, idx!.strides[axis]!, upd!.strides[axis]!, shape[axis]!, ...layout];
    const fold = mode === "set" ? "b" : wgslExprFor(BINARY_WGSL[mode], out.dtype);
    if (!fold) throw new Error(`[scatterAxis] mode ${mode} is not defined for ${out.dtype.name} on the WebGPU backend`);
    const ct = computeType(out.dtype);
    const source = `var a = load_0(u32(offset_of(1u, e)));
  let t = u32(offset_of(4u, e));
  let ib = offset_of(2u, e);
  let ub = offset_of(3u, e);
  let istride = bitcast<i32>(params[1]);
  let ustride = bitcast<i32>(params[2]);
  for (var k = 0u; k < params[0]; k++) {
    if (${norm(idx!.dtype, "load_1(u32(ib + i32(k) * istride))", "params[3]")} == t) {
      let b: ${ct} = load_2(u32(ub + i32(k) * ustride));
      a = ${fold};
    }
  }
  return pack_${out.dtype.name}(a);`;
    return run(gpu, "scatterAxis", [a!, idx!, upd!], out, params, source);
  };
}

export function sliceUpdateKernel(gpu: WebGpuBackend): Kernel {
  return (prim, [a, u], out) => {
    const { start, step } = prim as SliceUpdate;
    const shape = out.shape, nd = shape.length;
    const n = shape.reduce((p, d) => p * d, 1);
    // an uncollapsed layout (the region test needs every dim), then start, step and count per dim
    const params = [0, 0, 0, 0, n, nd, ...shape, 0, ...rowMajorStrides(shape), a!.offset, ...a!.strides, u!.offset, ...u!.strides, ...start, ...step, ...u!.shape];
    const source = `let x = block(3u);
  var inside = true;
  var off = bitcast<i32>(params[block(2u)]);
  for (var d = 0u; d < nd(); d++) {
    let q = i32(idx[d]) - bitcast<i32>(params[x + d]);
    let k = bitcast<i32>(params[x + nd() + d]);
    if (q % k != 0 || q / k < 0 || q / k >= i32(params[x + 2u * nd() + d])) { inside = false; }
    off += (q / k) * bitcast<i32>(params[block(2u) + 1u + d]);
  }
  if (inside) { return pack_${out.dtype.name}(load_1(u32(off))); }
  return pack_${out.dtype.name}(load_0(u32(offset_of(1u, e))));`;
    return run(gpu, "sliceUpdate", [a!, u!], out, params, source);
  };
}
