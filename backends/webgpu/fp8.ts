// WebGPU kernels of the fp8 conversions (toFp8, fromFp8): the elementwise map
// of wgsl/elementwise.wgsl (strided inputs, packed 8- and 16-bit words) with
// the e4m3 encoder and decoder of wgsl/quantized_formats.wgsl as its expression.

import type { Kernel, OutputSpec, Tensor } from "../backend.js";
import { elementwiseLayout } from "../strides.js";
import type { WebGpuBackend } from "./backend.js";
import { elementsPerWord } from "./codegen.js";
import { ELEMENTWISE_WORDS_PER_GROUP, elementwiseHelpers, elementwiseSlots, indexModeOf, wordReadsKey, wordReadsOf } from "./elementwise.js";

/** Runs `expr` of the input `a` (float inputs as f32, codes as u32) over every element into `out`. */
function convert(gpu: WebGpuBackend, op: string, x: Tensor, out: OutputSpec, expr: string): Tensor {
  const t = gpu.allocOutput(out);
  const n = out.shape.reduce((a, b) => a * b, 1);
  if (n === 0) return t;
  const params = elementwiseLayout([x], out.shape);
  const mode = indexModeOf(params);
  const words = wordReadsOf(params, [x.dtype], out.dtype);
  gpu.run(
    {
      op,
      file: "elementwise",
      helpers: elementwiseHelpers([], ["quantized_formats"]),
      key: `${op}|${x.dtype.name}|${out.dtype.name}|${mode}|${wordReadsKey(words)}`,
      slots: () => elementwiseSlots([x.dtype], out.dtype, expr, false, mode, words),
    },
    gpu.gpuBuffer(t),
    params,
    [gpu.gpuBuffer(x)],
    Math.ceil(Math.ceil(n / elementsPerWord(out.dtype)) / ELEMENTWISE_WORDS_PER_GROUP),
  );
  return t;
}

export function fp8Kernels(gpu: WebGpuBackend): Record<string, Kernel> {
  return {
    toFp8: (_prim, [x], out) => convert(gpu, "toFp8", x!, out, "e4m3_encode(a)"),
    fromFp8: (_prim, [x], out) => convert(gpu, "fromFp8", x!, out, "e4m3_decode(a)"),
  };
}
