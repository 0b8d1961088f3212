// Releasing memory never loses data the program holds (issue 12): an
// intermediate eval released keeps a recipe whose inputs stay computable when
// the program or tidy disposes them, the collector's threshold comes down after
// a phase of high memory, and a tidy given an async function disposes what it
// made and leaves no unhandled rejection.

import { describe, expect, it } from "vitest";
import * as mx from "../index.js";
import { getBackend } from "../backends/backend.js";
import { BACKENDS, expectClose } from "./helpers/backends.js";

const MiB = 2 ** 20;

describe.each(BACKENDS)("released intermediates on $name", ({ device }) => {
  const o = { stream: device };
  const backend = getBackend(device.backend);

  it("an array tidy returned stays readable after eval released it (the recipe's input was tidy's)", async () => {
    const w = mx.array([0.1, 0.2, 0.3], mx.float32, o);
    const [a, b] = mx.tidy(() => {
      const x = mx.exp(w, o);
      const a = mx.sin(x, o);
      return [a, mx.cos(a, o)];
    });
    await mx.eval(b);
    const want = [0.1, 0.2, 0.3].map((v) => Math.sin(Math.exp(v)));
    await expectClose(a, want, 1e-5);
    await expectClose(b, want.map(Math.cos), 1e-5);
  });

  it("an intermediate stays readable after the program disposed its input; the input is gone for the program", async () => {
    const x = mx.array([1, 2, 3], mx.float32, o);
    const a = mx.exp(x, o);
    const b = mx.multiply(a, 2, o);
    await mx.eval(b);
    expect(a.isEvaluated).toBe(false); // released once b ran
    x.dispose();
    expect(x.isDisposed).toBe(true);
    expect(() => x.tensor()).toThrow("disposed");
    await expect(mx.eval(x)).rejects.toThrow("disposed");
    await expectClose(a, [1, 2, 3].map(Math.exp), 1e-6);
  });

  it("a chain of released intermediates is recomputed through inputs disposed along it", async () => {
    const x = mx.array([1, 2, 3], mx.float32, o);
    const a = mx.add(x, 1, o);
    const b = mx.multiply(a, 3, o);
    const c = mx.sum(b, o);
    await mx.eval(c);
    a.dispose(); // released, and read by b's recipe
    x.dispose();
    await expectClose(b, [6, 9, 12], 1e-6);
    expect(await c.item()).toBe(27);
  });

  it("a disposed input a recipe reads is freed once its last reader lets go", async () => {
    const x = mx.add(mx.zeros([MiB / 4], mx.float32, o), 1, o);
    await mx.eval(x);
    const a = mx.exp(x, o);
    const b = mx.sum(a, o);
    await mx.eval(b);
    const held = backend.memory().active;
    x.dispose(); // a's recipe reads it: its buffer stays
    expect(backend.memory().active).toBe(held);
    a.dispose();
    expect(held - backend.memory().active).toBeGreaterThanOrEqual(MiB);
  });

  it("after a phase of high memory, a loop that drops its results is collected at its own scale", async () => {
    const n = MiB; // 4 MiB of float32
    const held: mx.MxArray[] = [];
    for (let i = 0; i < 16; i++) {
      const x = mx.add(mx.zeros([n], mx.float32, o), i, o);
      await mx.eval(x);
      held.push(x);
    }
    for (const x of held.splice(0)) x.dispose();
    mx.clearCache();
    const base = backend.memory().active;
    let most = 0;
    for (let i = 0; i < 30; i++) {
      const x = mx.add(mx.zeros([n], mx.float32, o), i, o); // dropped, never disposed
      await mx.eval(x);
      most = Math.max(most, backend.memory().active - base);
    }
    expect(most / (4 * n)).toBeLessThanOrEqual(4); // it grew to 30 results (the threshold stayed at the phase's peak)
  });

  it("tidy given an async function throws, disposes what it made and leaves no unhandled rejection", async () => {
    const x = mx.ones([1024], mx.float32, o);
    await mx.eval(x);
    const made: mx.MxArray[] = [];
    const before = backend.memory().active;
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => unhandled.push(e);
    process.on("unhandledRejection", onUnhandled);
    try {
      expect(() =>
        mx.tidy((async () => {
          const y = mx.add(x, 1, o);
          made.push(y);
          await mx.eval(y); // y was disposed when tidy threw: this rejects
          throw new Error("step failed");
        }) as unknown as () => mx.MxArray),
      ).toThrow("fn must be synchronous");
      expect(made[0]!.isDisposed).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 50));
    } finally {
      process.off("unhandledRejection", onUnhandled);
    }
    expect(unhandled).toEqual([]);
    expect(backend.memory().active).toBeLessThanOrEqual(before);
  });
});
