// A differential check of the MSL execution layer itself: WGSL kernels of the
// webgpu backend, translated to MSL by naga (npm naga-wasm), run on the
// emulator and must match the webgpu backend (lavapipe on CI) bit for bit.
// Kernels with exact semantics only (integer Threefry, correctly rounded f32
// arithmetic, f16 packing), so any difference is the emulator's.

import { describe, expect, it } from "vitest";
import { translate } from "naga-wasm";
import * as mx from "../index.js";
import { findBackend, type Tensor } from "../backends/backend.js";
import type { MetalBackend } from "../backends/metal/backend.js";
import { kernelSource } from "../backends/webgpu/shaders.js";
import { elementwiseHelpers, elementwiseSlots } from "../backends/webgpu/elementwise.js";
import { BINARY_WGSL, wgslExprFor } from "../backends/webgpu/codegen.js";
import { elementwiseLayout } from "../backends/strides.js";
import { rowMajorStrides } from "../src/shape.js";

const metal = findBackend("metal") as MetalBackend | undefined;
const webgpu = findBackend("webgpu");

/** naga's MSL for `wgsl`, each [[user(fakeN)]] buffer renumbered to [[buffer(k)]] with k its WGSL binding (naga's buffer sizes after them). */
function nagaMsl(wgsl: string): { msl: string; sizesIndex: number } {
  const bindings = new Map<string, number>();
  for (const m of wgsl.matchAll(/@binding\((\d+)\)\s*var(?:<[^>]*>)?\s+(\w+)/g)) bindings.set(m[2]!, Number(m[1]));
  const sizesIndex = Math.max(...bindings.values()) + 1;
  const raw = translate({ from: "wgsl", to: "msl", source: wgsl, options: {} });
  const msl = raw.replace(/(\w+)\s*\[\[user\(fake\d+\)\]\]/g, (_, name: string) => {
    // naga appends "_" to names that end in a digit
    const k = name === "_buffer_sizes" ? sizesIndex : (bindings.get(name) ?? bindings.get(name.replace(/_$/, "")));
    if (k === undefined) throw new Error(`naga parameter ${name} has no WGSL binding`);
    return `${name} [[buffer(${k})]]`;
  });
  return { msl, sizesIndex };
}

/** Runs naga's translation of `wgsl` on the emulator over `words` (one Uint32Array per binding) in workgroups of 256; returns binding 0. */
function runOnEmulator(label: string, wgsl: string, words: Uint32Array[], workgroups: number): Uint32Array {
  const { msl, sizesIndex } = nagaMsl(wgsl);
  const d = metal!.device;
  const buffers = words.map((w) => {
    const b = d.newBuffer(Math.max(4, w.byteLength));
    new Uint32Array(b).set(w);
    return b;
  });
  const sizes = Uint32Array.from(words, (w) => w.byteLength);
  d.encode(
    d.newPipeline(d.newLibrary(label, msl), "main_"),
    [...buffers.map((buffer, index) => ({ index, buffer })), { index: sizesIndex, bytes: sizes }],
    [workgroups * 256, 1, 1],
    [256, 1, 1],
  );
  d.commit();
  return new Uint32Array(buffers[0]!.slice(0, words[0]!.byteLength));
}

function contiguous(shape: number[]): Tensor {
  return { shape, strides: rowMajorStrides(shape), offset: 0 } as unknown as Tensor;
}

describe.skipIf(!metal?.device.emulated || !webgpu)("the MSL execution layer against webgpu (naga-translated WGSL)", () => {
  it("Threefry random bits (wgsl/random.wgsl)", async () => {
    const key = mx.random.key(20261125);
    const n = 1001;
    const fromGpu = new Uint32Array(((await mx.random.bits([n], { key, stream: mx.webgpu }).data()) as Uint32Array).slice().buffer);
    const [k0, k1] = (await key.data()) as Uint32Array;
    const half = Math.floor(n / 2), odd = n % 2;
    // one key of whole words (backends/webgpu/generators.ts), params: [keys, words, half, odd, key bytes, output words, key offset, pair stride, batch ndim]
    const params = Uint32Array.of(1, n, half, odd, 4 * n, n, 0, 1, 0);
    const emulated = runOnEmulator("random.metal", kernelSource("random", { LAYOUT: 0 }, []), [new Uint32Array(n), params, Uint32Array.of(k0!, k1!)], Math.ceil((half + odd) / 256));
    expect(fromGpu.some((w) => w !== 0)).toBe(true);
    expect(Array.from(emulated)).toEqual(Array.from(fromGpu));
  });

  it.each([
    ["add", mx.float32],
    ["multiply", mx.float32],
    ["subtract", mx.float16],
    ["multiply", mx.float16],
  ] as const)("elementwise %s %s (wgsl/elementwise.wgsl, linear variant)", async (op, dtype) => {
    const n = 3000;
    // normal magnitudes: WGSL allows flushing subnormals, which the emulator does not
    const gen = (seed: number) => mx.multiply(mx.add(mx.random.uniform(0.5, 2, [n], { key: mx.random.key(seed) }), 0), mx.where(mx.greater(mx.random.uniform(0, 1, [n], { key: mx.random.key(seed + 1) }), 0.5), 1, -1));
    const a = mx.astype(gen(1), dtype), b = mx.astype(gen(3), dtype);
    const got = mx[op](a, b, { stream: mx.webgpu });
    const bytes = (x: mx.MxArray) => x.data().then((v) => new Uint32Array((v as ArrayBufferView).buffer.slice(0, Math.ceil((n * dtype.size) / 4) * 4)));
    const [wa, wb, fromGpu] = await Promise.all([bytes(a), bytes(b), bytes(got)]);
    const params = Uint32Array.from(elementwiseLayout([contiguous([n]), contiguous([n])], [n]), (w) => w >>> 0);
    const wgsl = kernelSource("elementwise", { UNROLL_WORDS: "true", ...elementwiseSlots([dtype, dtype], dtype, wgslExprFor(BINARY_WGSL[op], dtype)!, false, "linear") }, elementwiseHelpers([dtype]));
    const words = Math.ceil((n * dtype.size) / 4);
    const emulated = runOnEmulator(`elementwise-${op}-${dtype.name}.metal`, wgsl, [new Uint32Array(words), params, wa, wb], Math.ceil(words / 1024));
    expect(fromGpu.some((w) => w !== 0)).toBe(true);
    expect(Array.from(emulated)).toEqual(Array.from(fromGpu));
  });
});
