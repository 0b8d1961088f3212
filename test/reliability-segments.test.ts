// Reductions over many short segments (issue 12: 8.4M outputs of 4 elements
// took 213 s on webgpu and ran into metal's 60 s watchdog, a workgroup per
// output): segments of at most 64 elements get a kernel with one thread per
// output on both GPU backends, chosen by segment length; every reduction, the
// arg-reductions' NaN rules included, agrees with the reference on both
// shapes. (The timing lives in bench/, not in a test.)

import { describe, expect, it } from "vitest";
import * as mx from "../index.js";
import { findBackend } from "../backends/backend.js";
import type { MetalBackend } from "../backends/metal/backend.js";
import type { WebGpuBackend } from "../backends/webgpu/backend.js";
import { BACKENDS, expectClose, expectSameValues, values } from "./helpers/backends.js";

const OPS = ["sum", "prod", "max", "min", "all", "any", "argmax", "argmin"] as const;

/** rows x R float32 values with NaN, ties and -0, viewed transposed when `transposed` (strided segments). */
function input(rows: number, R: number, transposed: boolean, o: mx.OpOptions): mx.MxArray {
  const v = Array.from({ length: rows * R }, (_, i) => (i % 7 === 3 && i % 3 === 0 ? NaN : i % 5 === 0 ? -0 : ((i * 37) % 11) - 5) / 4);
  const x = mx.array(v, mx.float32, o).reshape(transposed ? [R, rows] : [rows, R]);
  return transposed ? mx.transpose(x, [1, 0], o) : x;
}

describe.each(BACKENDS.filter((b) => b.device.backend !== "cpu"))("reductions over short and long segments on $name", ({ device }) => {
  const o = { stream: device };
  const cpu = { stream: mx.cpu };

  for (const R of [1, 4, 64, 65]) {
    it(`agree with the reference for segments of ${R} (NaN first for arg-reductions)`, async () => {
      for (const transposed of [false, true]) {
        for (const op of OPS) {
          const f = mx[op] as (x: mx.MxArray, o: mx.AxisOptions) => mx.MxArray;
          const got = f(input(37, R, transposed, o), { axis: 1, ...o });
          const want = await values(f(input(37, R, transposed, cpu), { axis: 1, ...cpu }));
          // float32 sums and products in another order: close; the rest exactly
          if (op === "sum" || op === "prod") await expectClose(got, want, 1e-5, 1e-6);
          else expectSameValues(await values(got), want, `${op} R=${R} transposed=${transposed}`);
        }
      }
    });
  }
});

/** The kernels `backend` ran for `fn` (metal: kernel names; webgpu: kernel files). */
async function kernelsRun(device: mx.Device, fn: () => mx.MxArray): Promise<string[]> {
  const seen: string[] = [];
  if (device.backend === "metal") {
    const metal = findBackend("metal") as MetalBackend;
    const run = metal.run;
    metal.run = (op, key, kernel, ...rest) => (seen.push(kernel), run.call(metal, op, key, kernel, ...rest));
    try {
      await mx.eval(fn());
    } finally {
      metal.run = run;
    }
  } else {
    const gpu = findBackend("webgpu") as WebGpuBackend;
    const run = gpu.run;
    gpu.run = (kernel, ...rest) => (seen.push(kernel.file), run.call(gpu, kernel, ...rest));
    try {
      await mx.eval(fn());
    } finally {
      gpu.run = run;
    }
  }
  return seen;
}

describe.each(BACKENDS.filter((b) => b.device.backend !== "cpu"))("the reduction kernel chosen by segment length on $name", ({ device }) => {
  const o = { stream: device };
  const short = device.backend === "metal" ? "segments_sum" : "segments";
  const long = device.backend === "metal" ? "reduce_sum" : "reduce";

  it("gives segments of up to 64 elements a thread per output, longer ones a threadgroup", async () => {
    const x = (R: number) => mx.reshape(mx.arange(4096 * R, { dtype: mx.float32, ...o }), [4096, R], o);
    expect(await kernelsRun(device, () => mx.sum(x(4), { axis: 1, ...o }))).toContain(short);
    expect(await kernelsRun(device, () => mx.sum(x(64), { axis: 1, ...o }))).toContain(short);
    const longer = await kernelsRun(device, () => mx.sum(x(65), { axis: 1, ...o }));
    expect(longer).toContain(long);
    expect(longer).not.toContain(short);
  });
});
