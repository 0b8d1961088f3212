// The CPU reference backend: the executable definition of every primitive's
// semantics (float64 math rounded once, exact integer arithmetic). Buffers
// are pooled ArrayBuffers; reads are synchronous. Registers itself as "cpu".

import { registerBackend, type Backend, type BackendBuffer, type HostBytes, type Kernel, type MultiKernel, type Tensor } from "../backend.js";
import { BufferPool, PooledBackend } from "../pool.js";
import { ALL_DTYPES, complex64, float32 } from "../../src/dtype.js";
import { rowMajorStrides } from "../../src/shape.js";
import { storageCtor, type TypedArray } from "../../src/storage.js";
import { complexBinary, complexCast, complexUnary } from "./complex.js";
import { astypeKernel, binaryKernel, unaryKernel, whereKernel } from "./elementwise.js";
import { arangeKernel, randomBitsKernel } from "./generators.js";
import { gatherAxisKernel, scatterAxisKernel, sliceUpdateKernel } from "./indexing.js";
import { derivedMultiKernels, familyKernels, numberOfElementsKernel, takeKernel } from "../kernel-table.js";
import { asWords, concatenateKernel, contiguousCopy, padKernel } from "./layout.js";
import { matmulKernel } from "./matmul.js";
import { convKernel } from "./conv.js";
import { fftKernel } from "./fft.js";
import { quantizeKernel, quantizedKernels } from "./quantized.js";
import { fp8Kernels } from "./fp8.js";
import { logsumexpKernel, reduceKernel, softmaxKernel } from "./reduce.js";
import { sortKernels } from "./sort.js";
import { stridedKernels } from "../strided.js";
import { dtypeViewKernel } from "../dtype-view.js";
import { scanKernel } from "./scan.js";
import { fastKernels } from "./fast.js";
import { attentionKernel } from "./fast-attention.js";
import { linalgKernels, linalgMultiKernels } from "./linalg.js";
import { CpuBlock, CpuBuffer, setScratchPool, withScratch } from "./tensor.js";
import type { Primitive } from "../../src/primitive.js";
import type { FusedGroup } from "../../src/compile/group.js";
import { cpuFuse } from "./fuse.js";
import { guardFuse, guardKernels, guardMultiKernels } from "../huge-work.js";
import { broadcastView, isRowMajor } from "../strides.js";

/** Routes complex64 inputs to the complex kernels, the rest to `real`. */
function withComplex(real: Kernel, complex: (op: string) => ((b: Backend, ...args: never[]) => Tensor) | undefined, backend: Backend): Kernel {
  return (prim, inputs, out) => {
    if (inputs[0]?.dtype !== complex64) return real(prim, inputs, out);
    const k = complex(prim.name);
    if (!k) throw new Error(`[${prim.name}] is not defined for complex64 on the CPU backend`);
    return (k as (b: Backend, ...t: unknown[]) => Tensor)(backend, ...inputs, out);
  };
}

/** `k` with the scratch it takes counted in the pool while it runs (tensor.ts's scratch). */
function countingScratch<K extends Kernel | MultiKernel>(k: K): K {
  return ((prim: Primitive, inputs: readonly Tensor[], out: never) => withScratch(() => (k as (p: Primitive, i: readonly Tensor[], o: never) => unknown)(prim, inputs, out))) as K;
}

function countingFusedScratch(fuse: (group: FusedGroup) => MultiKernel | undefined): (group: FusedGroup) => MultiKernel | undefined {
  return (group) => {
    const k = fuse(group);
    return k && countingScratch(k);
  };
}

function mapValues<V>(table: Readonly<Record<string, V>>, f: (v: V) => V): Record<string, V> {
  return Object.fromEntries(Object.entries(table).map(([name, v]) => [name, f(v)]));
}

/** Kernels index buffers with 32-bit integers. */
const MAX_BUFFER_BYTES = 2 ** 31 - 1;

class CpuBackend extends PooledBackend<CpuBlock> implements Backend {
  readonly name = "cpu" as const;
  readonly displayName = "cpu";
  readonly capabilities = { dtypes: new Set(ALL_DTYPES), unifiedMemory: true, syncRead: true };
  readonly kernels: Record<string, Kernel>;
  readonly multiKernels: Record<string, MultiKernel>;
  readonly fuse = guardFuse(countingFusedScratch(cpuFuse(this)));

  constructor() {
    super(new BufferPool<CpuBlock>((size) => new CpuBlock(size), { name: "cpu" }));
    const unary = withComplex(unaryKernel(this), complexUnary, this);
    const binary = withComplex(binaryKernel(this), complexBinary, this);
    const astype = astypeKernel(this);
    const where = whereKernel(this);
    const reduce = reduceKernel(this);
    this.kernels = {
      ...familyKernels({ unary, binary, reduce, copy: (t) => contiguousCopy(this, t) }),
      astype: (prim, inputs, out) =>
        inputs[0]!.dtype === complex64 || out.dtype === complex64 ? complexCast(this, inputs[0]!, out) : astype(prim, inputs, out),
      where: (prim, [c, x, y], out) => {
        if (out.dtype !== complex64) return where(prim, [c!, x!, y!], out);
        const [cb, xb, yb] = [c!, x!, y!].map((t) => broadcastView(t, out.shape)) as [Tensor, Tensor, Tensor];
        const pairCond = { ...cb, shape: [...cb.shape, 2], strides: [...cb.strides, 0] };
        const r = where(prim, [pairCond, asWords(xb), asWords(yb)], { shape: [...out.shape, 2], dtype: float32 });
        return { ...r, dtype: complex64, shape: out.shape, strides: rowMajorStrides(out.shape) };
      },
      logsumexp: logsumexpKernel(this),
      softmax: softmaxKernel(this),
      concatenate: concatenateKernel(this),
      pad: padKernel(this),
      matmul: matmulKernel(this),
      conv: convKernel(this),
      fft: fftKernel(this),
      arange: arangeKernel(this),
      randomBits: randomBitsKernel(this),
      gatherAxis: gatherAxisKernel(this), take: takeKernel(gatherAxisKernel(this)), numberOfElements: numberOfElementsKernel(arangeKernel(this)), scatterAxis: scatterAxisKernel(this), sliceUpdate: sliceUpdateKernel(this),
      ...sortKernels(this),
      ...stridedKernels((t) => contiguousCopy(this, t)),
      view: dtypeViewKernel((t) => contiguousCopy(this, t)),
      scan: scanKernel(this),
      ...fastKernels(this),
      scaledDotProductAttention: attentionKernel(this),
      ...linalgKernels(this),
      ...quantizedKernels(this),
      ...fp8Kernels(this),
    };
    this.multiKernels = derivedMultiKernels(this.kernels);
    Object.assign(this.multiKernels, linalgMultiKernels(this));
    this.multiKernels.quantize = quantizeKernel(this);
    // every kernel checks its work and sees canonical views first (backends/huge-work.ts), its scratch counted in the pool
    setScratchPool(this.pool);
    this.kernels = guardKernels(mapValues(this.kernels, countingScratch));
    this.multiKernels = guardMultiKernels(mapValues(this.multiKernels, countingScratch));
  }

  allocate(nbytes: number): BackendBuffer {
    if (nbytes > MAX_BUFFER_BYTES) {
      throw new RangeError(`[cpu] cannot allocate ${nbytes} bytes: one CPU buffer holds at most ${MAX_BUFFER_BYTES} bytes (2 GiB)`);
    }
    return new CpuBuffer(this, nbytes, this.pool.acquire(nbytes));
  }

  override release(buffer: BackendBuffer): void {
    const b = buffer as CpuBuffer;
    if (!b.shared) return super.release(b);
    if (--b.refs === 0) b.shared.backend.release(b.shared);
  }

  hostBytes(buffer: BackendBuffer): HostBytes {
    const block = (buffer as CpuBuffer).block;
    return { bytes: block.bytes, byteOffset: block.byteOffset, byteLength: buffer.nbytes };
  }

  /** A tensor of a unified-memory backend (metal), read in place. */
  share(t: Tensor): Tensor | undefined {
    const host = t.buffer.backend.hostBytes?.(t.buffer);
    if (!host) return undefined;
    t.buffer.refs++;
    return { ...t, buffer: new CpuBuffer(this, host.byteLength, new CpuBlock(host.byteLength, host), t.buffer) };
  }

  write(buffer: BackendBuffer, src: ArrayBufferView): void {
    (buffer as CpuBuffer).block.raw(src.byteLength).set(new Uint8Array(src.buffer, src.byteOffset, src.byteLength));
  }

  readSync(t: Tensor): ArrayBufferView {
    const n = t.shape.reduce((s, d) => s * d, 1);
    const ctor = storageCtor(t.dtype);
    const k = t.dtype === complex64 ? 2 : 1;
    if (isRowMajor(t.shape, t.strides)) {
      const words = (t.buffer as CpuBuffer).words(t.dtype);
      return (words as TypedArray).slice(t.offset * k, (t.offset + n) * k);
    }
    const c = contiguousCopy(this, t);
    try {
      return new ctor((c.buffer as CpuBuffer).block.raw(n * t.dtype.size).slice().buffer);
    } finally {
      this.release(c.buffer);
    }
  }

  async read(t: Tensor): Promise<ArrayBufferView> {
    return this.readSync(t);
  }

  async synchronize(): Promise<void> {}
}

export const cpuBackend = new CpuBackend();
registerBackend(cpuBackend);
