// The Metal backend beyond the op tests: its name in reports, synchronous
// reads, unified memory (no bytes move between cpu and metal), and errors
// from the device layer (MSL compile errors at their line, divergent
// barriers, kernel faults, failed allocations) as JS exceptions.

import { describe, expect, it } from "vitest";
import * as mx from "../index.js";
import { findBackend, unavailableBackends } from "../backends/backend.js";
import type { MetalBackend } from "../backends/metal/backend.js";
import { elementwiseLibrary } from "../backends/metal/elementwise.js";

const metal = findBackend("metal") as MetalBackend | undefined;
const onMetal = { stream: mx.metal };

describe.skipIf(!metal)("metal backend", () => {
  it("says in its name when it is the emulator", () => {
    if (process.platform === "darwin") return;
    expect(metal!.displayName).toBe("metal (emulated)");
    expect(metal!.device.emulated).toBe(true);
  });

  it("reads results synchronously (dataSync)", () => {
    const x = mx.exp(mx.array([0, 1, 2], mx.float32, onMetal), onMetal);
    expect(Array.from(x.dataSync() as Float32Array)).toEqual([1, Math.fround(Math.E), Math.fround(Math.exp(2))]);
  });

  it("shares memory with the cpu: no bytes move either way", async () => {
    const host = mx.array([1, 2, 3, 4], mx.float32, { stream: mx.cpu });
    await mx.eval(host);
    const before = { ...metal!.transfers };
    const onDevice = mx.multiply(host, 2, onMetal); // metal reads the cpu array in place
    const back = mx.add(onDevice, 1, { stream: mx.cpu }); // the cpu reads the metal result in place
    await mx.eval(back);
    expect(metal!.transfers.copies).toBe(before.copies + 1); // the scalar 2 written to the device, nothing else
    expect(metal!.transfers.shared).toBe(before.shared + 1);
    expect(await back.tolist()).toEqual([3, 5, 7, 9]);
  });

  it("reports an MSL compile error with the file and line", () => {
    const src = "#include <metal_stdlib>\nusing namespace metal;\nkernel void k(device float* o [[buffer(0)]], uint i [[thread_position_in_grid]]) {\n  o[i] = not_declared;\n}\n";
    expect(() => metal!.device.newLibrary("broken.metal", src)).toThrow(/compiling MSL library 'broken.metal' failed:[\s\S]*broken.metal:4:\d+: error: use of undeclared identifier 'not_declared'/);
  });

  it("names the library and the kernels it has when a kernel is missing", () => {
    expect(() => metal!.pipeline(elementwiseLibrary(mx.float32), "unary_nope")).toThrow(/library 'elementwise-float32.metal' has no kernel 'unary_nope' \(it has: .*unary_exp/);
  });

  it("refuses an allocation it cannot make with an error", () => {
    expect(() => metal!.device.newBuffer(2 ** 48)).toThrow(/cannot allocate/);
  });

  describe.skipIf(!metal?.device.emulated)("the MSL execution layer", () => {
    const lib = () =>
      metal!.device.newLibrary(
        "faults.metal",
        `#include <metal_stdlib>
using namespace metal;
kernel void early_return(device float* out [[buffer(0)]], uint t [[thread_position_in_grid]]) {
  if (t >= 4) return;
  threadgroup_barrier(mem_flags::mem_threadgroup);
  out[t] = 1.0f;
}
kernel void wild_write(device float* out [[buffer(0)]], uint t [[thread_position_in_grid]]) {
  out[(1ul << 44) + t] = 1.0f;
}
kernel void int_divide(device int* out [[buffer(0)]], device const int* d [[buffer(1)]], uint t [[thread_position_in_grid]]) {
  out[t] = 7 / d[t];
}
kernel void endless(device uint* out [[buffer(0)]], uint t [[thread_position_in_grid]]) {
  while (out[0] != 12345u) out[t + 1] += 1u;
}
kernel void endless_with_barriers(device uint* out [[buffer(0)]], uint t [[thread_position_in_grid]]) {
  while (out[0] != 12345u) threadgroup_barrier(mem_flags::mem_device);
}
`,
      );

    function run(kernel: string, buffers: ArrayBuffer[], grid: number, group: number): void {
      const d = metal!.device;
      d.encode(d.newPipeline(lib(), kernel), buffers.map((buffer, index) => ({ index, buffer })), [grid, 1, 1], [group, 1, 1]);
      d.commit();
    }

    it("reports a barrier that only part of a threadgroup reaches, with its line", () => {
      expect(() => run("early_return", [metal!.device.newBuffer(64)], 8, 8)).toThrow(/kernel 'early_return': divergent threadgroup_barrier at MSL line 5: 4 of 8 threads/);
    });

    it("turns a kernel's invalid memory access into an error and keeps running", async () => {
      expect(() => run("wild_write", [metal!.device.newBuffer(64)], 4, 4)).toThrow(/kernel 'wild_write' faulted: invalid memory access \(SIGSEGV\)/);
      expect(await mx.add(mx.array([1, 2], mx.float32, onMetal), 1, onMetal).tolist()).toEqual([2, 3]);
    });

    it("stops a kernel that does not finish, with an error", () => {
      metal!.device.setKernelTimeout(300);
      try {
        expect(() => run("endless", [metal!.device.newBuffer(64)], 4, 4)).toThrow(/kernel 'endless' did not finish within 300 ms; the emulator stopped it/);
        expect(() => run("endless_with_barriers", [metal!.device.newBuffer(64)], 4, 4)).toThrow(/kernel 'endless_with_barriers' did not finish within 300 ms/);
      } finally {
        metal!.device.setKernelTimeout(60_000);
      }
    });

    it("turns an integer division by zero into an error", () => {
      const divisors = metal!.device.newBuffer(16);
      new Int32Array(divisors).set([1, 0, 1, 1]);
      expect(() => run("int_divide", [metal!.device.newBuffer(16), divisors], 4, 4)).toThrow(/kernel 'int_divide' faulted: arithmetic fault \(SIGFPE/);
    });
  });
});

describe.skipIf(!!metal)("metal backend (unavailable here)", () => {
  it("says why and how to fix it", () => {
    expect(unavailableBackends().get("metal")).toMatch(/run: |disabled by MLX_TS_METAL=0|needs macOS/);
  });
});
