// Evaluation and memory: iterative eval of long chains, detaching evaluated
// nodes, dispose / using / tidy, buffer release of unreachable arrays, the
// pool statistics, and devices/streams.

import { describe, expect, it } from "vitest";
import { collectGarbage } from "./helpers/gc.js";
import * as mx from "../index.js";
import { BACKENDS } from "./helpers/backends.js";
import { getBackend } from "../backends/backend.js";


describe.each(BACKENDS)("eval on $name", ({ device }) => {
  const o = { stream: device };

  it("evaluates a 100 000-op chain without overflowing the stack", async () => {
    let x = mx.array([0], mx.int32, o);
    for (let i = 0; i < 100_000; i++) x = mx.add(x, 1, o);
    await mx.eval(x);
    expect(await x.tolist()).toEqual([100_000]);
  });

  it("detaches evaluated nodes", async () => {
    const a = mx.array([1, 2], mx.float32, o);
    const b = mx.exp(mx.add(a, 1, o), o);
    expect(b.primitive?.name).toBe("exp");
    await mx.eval({ result: [b] });
    expect(b.primitive).toBeNull();
    expect(b.inputs).toEqual([]);
    expect(b.isEvaluated).toBe(true);
  });

  it("frees a buffer at once on dispose and with `using`", async () => {
    await collectGarbage();
    mx.clearCache();
    const before = mx.getActiveMemory();
    {
      using a = mx.zeros([1024], mx.float32, o).add(1, o);
      await mx.eval(a);
      expect(mx.getActiveMemory()).toBeGreaterThan(before);
    }
    expect(mx.getActiveMemory()).toBeLessThanOrEqual(before + 256);
    const b = mx.ones([10], mx.float32, o);
    b.dispose();
    await expect(b.data()).rejects.toThrow(/was disposed/);
    expect(() => mx.add(b, 1, o)).toThrow(/\[add\] first input was disposed/);
  });

  it("tidy disposes what the result does not need and keeps its unevaluated inputs", async () => {
    const keep = mx.array([1], mx.float32, o);
    let scratch: mx.MxArray | undefined, inner: mx.MxArray | undefined;
    const out = mx.tidy(() => {
      scratch = mx.array([5], mx.float32, o);
      inner = mx.add(keep, 1, o);
      return { y: mx.multiply(inner, 2, o) };
    });
    expect(keep.isDisposed).toBe(false);
    expect(scratch!.isDisposed).toBe(true);
    expect(inner!.isDisposed).toBe(false);
    expect(await out.y.tolist()).toEqual([4]);
    // unreachable from user code after tidy: released once its last user ran
    expect(inner!.isDisposed).toBe(true);
  });

  it("tidy's kept intermediates free their buffers during eval, not at collection", async () => {
    await collectGarbage(); // earlier tests' garbage, which a collection during this test would free
    mx.clearCache();
    const x = mx.zeros([1 << 16], mx.float32, o);
    await mx.eval(x);
    const before = mx.getActiveMemory();
    mx.resetPeakMemory();
    const shared = mx.tidy(() => {
      let y = x;
      for (let i = 0; i < 40; i++) y = mx.add(mx.multiply(y, 0.5, o), 1, o);
      const t = mx.exp(y, o);
      // two results share t: it must survive until both have run
      return [mx.add(t, 1, o), mx.subtract(t, 1, o)];
    });
    await mx.eval(shared[0]!);
    await mx.eval(shared[1]!);
    // 80 intermediates of 256 KiB each were made; at most a handful were alive at once
    expect(mx.getPeakMemory() - before).toBeLessThan(8 * 4 * (1 << 16));
    // the two results, plus the library's cached scalar constants
    expect(mx.getActiveMemory() - before).toBeGreaterThanOrEqual(2 * 4 * (1 << 16));
    expect(mx.getActiveMemory() - before).toBeLessThan(2 * 4 * (1 << 16) + 1024);
    const [p, m] = await Promise.all(shared.map((a) => a.data()));
    expect(Number(p![0]!) - Number(m![0]!)).toBeCloseTo(2, 5);
  });

  it.skipIf(!getBackend(device.backend).capabilities.syncRead)("tidy disposes evaluated intermediates (synchronous reads)", async () => {
    const keep = mx.array([1], mx.float32, o);
    let inner: mx.MxArray | undefined;
    const out = mx.tidy(() => {
      inner = mx.add(keep, 1, o);
      mx.eval(inner);
      const evaluated = mx.multiply(inner, 2, o);
      evaluated.dataSync();
      return { y: mx.add(evaluated, 1, o) };
    });
    expect(keep.isDisposed).toBe(false);
    expect(inner!.isDisposed).toBe(true);
    expect(await out.y.tolist()).toEqual([5]);
  });

  it("releases buffers of unreachable arrays (10 000 steps, no dispose)", async () => {
    await collectGarbage();
    mx.clearCache();
    const start = mx.getActiveMemory();
    let w = mx.zeros([256], mx.float32, o);
    await mx.eval(w);
    for (let step = 0; step < 10_000; step++) {
      w = mx.add(mx.multiply(w, 0.5, o), 1, o);
      if (step % 100 === 0) await mx.eval(w);
    }
    await mx.eval(w);
    await collectGarbage();
    // one live array of 1 KiB plus slack for arrays the collector has not reached yet
    expect(mx.getActiveMemory() - start).toBeLessThan(64 * 1024);
    expect(mx.getPeakMemory()).toBeGreaterThan(0);
  });

  it("keeps pool statistics and honours the cache limit", async () => {
    mx.clearCache();
    expect(mx.getCacheMemory()).toBe(0);
    const a = mx.zeros([4096], mx.float32, o).add(1, o);
    await mx.eval(a);
    a.dispose();
    expect(mx.getCacheMemory()).toBeGreaterThanOrEqual(4096 * 4);
    const prev = mx.setCacheLimit(0);
    expect(mx.getCacheMemory()).toBe(0);
    mx.setCacheLimit(prev);
    expect(() => mx.setCacheLimit(-1)).toThrow(/non-negative/);
  });
});

describe("devices and streams", () => {
  it("has MLX's device API", () => {
    expect(mx.defaultDevice().backend).toBe("cpu");
    expect(String(mx.cpu)).toBe("Device(cpu, 0)");
    const s = mx.newStream(mx.cpu);
    expect(mx.add(mx.array([1], undefined, { stream: s }), 1, { stream: s }).stream).toBe(s);
    mx.setDefaultDevice(mx.cpu);
    expect(() => mx.setDefaultDevice("cpu" as never)).toThrow(/expects a Device/);
  });

  it("names a backend that is not available", () => {
    const missing = (["webgpu", "metal"] as const).find((n) => !mx.registeredBackends().some((b) => b.name === n));
    if (missing) expect(() => mx.setDefaultDevice(missing === "webgpu" ? mx.webgpu : mx.metal)).toThrow(new RegExp(`backend '${missing}' is not available`));
  });
});
