// Allocation errors of ops on a metal stream name metal, not the cpu (a
// review reported `[add] [cpu] cannot allocate ...` for these two calls):
// an elementwise result past maxBufferLength, and diag's padded matrix.

import { describe, expect, it } from "vitest";
import * as mx from "../index.js";
import { findBackend } from "../backends/backend.js";
import type { MetalBackend } from "../backends/metal/backend.js";

const metal = findBackend("metal") as MetalBackend | undefined;
const m = { stream: mx.metal };

describe.skipIf(!metal)("metal allocation errors", () => {
  it.skipIf(!metal || metal.device.maxBufferLength >= 2 ** 32 + 2 ** 16)("add of a broadcast past maxBufferLength, its inputs on the cpu or on metal", async () => {
    const message = /^\[add\] \[metal\] cannot allocate 4295032832 bytes \(4\.00 GiB\): larger than this device's maxBufferLength/;
    const n = 2 ** 30 + 2 ** 14;
    await expect(mx.eval(mx.add(mx.broadcastTo(mx.array([1], mx.float32), [n]), mx.array([1], mx.float32), m))).rejects.toThrow(message);
    await expect(mx.eval(mx.add(mx.broadcastTo(mx.array([1], mx.float32, m), [n], m), mx.array([1], mx.float32, m), m))).rejects.toThrow(message);
  });

  it("diag with a huge offset: its pad step names metal", async () => {
    for (const x of [mx.array([1, 2], mx.float32), mx.array([1, 2], mx.float32, m)]) {
      await expect(mx.eval(mx.diag(x, 2 ** 30, m))).rejects.toThrow(/^\[diag\] its pad step, float32\(1073741826, 1073741826\): \[metal\] cannot allocate/);
    }
  });
});
