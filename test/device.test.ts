// Devices and where ops run: mx.gpu and mx.isAvailable, the placement rule
// (the default device, except that inputs living together on a device whose
// memory the default does not share keep the op there), explicit streams
// checked up front, and the one-time warning when an op reads data back.

import { describe, expect, it, vi } from "vitest";
import * as mx from "../index.js";

const has = (name: "webgpu" | "metal") => mx.registeredBackends().some((b) => b.name === name);

describe("mx.gpu and mx.isAvailable", () => {
  it("cpu is always available; every registered backend is", () => {
    expect(mx.isAvailable(mx.cpu)).toBe(true);
    expect(mx.isAvailable(mx.webgpu)).toBe(has("webgpu"));
    expect(mx.isAvailable(mx.metal)).toBe(has("metal"));
  });

  it("mx.gpu is a gpu device on the best GPU backend present (a real Metal, else webgpu, else emulated Metal)", () => {
    expect(mx.gpu.type).toBe("gpu");
    const metal = mx.registeredBackends().find((b) => b.name === "metal");
    const want = metal && !metal.capabilities.emulated ? "metal" : has("webgpu") ? "webgpu" : metal ? "metal" : "webgpu";
    expect(mx.gpu.backend).toBe(want);
    expect(mx.isAvailable(mx.gpu)).toBe(has("webgpu") || has("metal"));
  });

  it.skipIf(!has("webgpu") && !has("metal"))("ops run on mx.gpu", async () => {
    const y = mx.add(mx.array([1, 2], mx.float32), 1, { stream: mx.gpu });
    expect(y.stream.device.backend).toBe(mx.gpu.backend);
    expect(await y.tolist()).toEqual([2, 3]);
  });

  it("isAvailable refuses what is not a device", () => {
    expect(() => mx.isAvailable("gpu" as unknown as mx.Device)).toThrow(/isAvailable.*Device/);
  });
});

describe("explicit streams", () => {
  it("a string or a plain object is an error naming what was passed, not the default", () => {
    expect(() => mx.add(1, 2, { stream: "gpu" as unknown as mx.Device })).toThrow(/stream must be a Device or a Stream.*the string 'gpu'/);
    expect(() => mx.sum(mx.ones([2]), { stream: {} as unknown as mx.Device })).toThrow(/an object \(Object\)/);
  });

  it.skipIf(has("metal"))("a device whose backend is not available fails at the op, with the reason", () => {
    expect(() => mx.add(mx.ones([2]), 1, { stream: mx.metal })).toThrow(/backend 'metal' is not available/);
  });
});

describe.skipIf(!has("webgpu"))("placement without a stream (default device cpu)", () => {
  it("an op whose inputs all live on webgpu runs on webgpu; scalars follow", async () => {
    const x = mx.array([1, 2, 3], mx.float32, { stream: mx.webgpu });
    const y = mx.multiply(mx.add(x, 1), 2);
    expect(y.stream.device.backend).toBe("webgpu");
    const s = mx.sum(y);
    expect(s.stream.device.backend).toBe("webgpu");
    expect(await s.item()).toBe(18);
    expect(mx.reshape(x, [3, 1]).stream.device.backend).toBe("webgpu");
    expect(mx.matmul(mx.reshape(x, [1, 3]), mx.reshape(x, [3, 1])).stream.device.backend).toBe("webgpu");
    expect(mx.where(mx.greater(x, 1), x, 0).stream.device.backend).toBe("webgpu");
  });

  it("inputs on different devices run on the default device and warn once about the read-back", async () => {
    const onGpu = mx.array([1, 2], mx.float32, { stream: mx.webgpu });
    const onCpu = mx.array([10, 20], mx.float32);
    const warn = vi.spyOn(process, "emitWarning").mockImplementation(() => undefined);
    try {
      const y = mx.add(onGpu, onCpu);
      expect(y.stream.device.backend).toBe("cpu");
      expect(await y.tolist()).toEqual([11, 22]);
      expect(await mx.add(onGpu, mx.array([1, 1], mx.float32)).tolist()).toEqual([2, 3]);
      const calls = warn.mock.calls.filter((c) => String(c[0]).includes("reads an input back from webgpu to run on cpu"));
      expect(calls.length).toBe(1);
      expect(String(calls[0]![0])).toMatch(/^\[add\]/);
    } finally {
      warn.mockRestore();
    }
  });
});

describe.skipIf(!has("metal"))("placement between devices that share memory (cpu and metal)", () => {
  it("follows MLX: the default device", () => {
    const x = mx.array([1, 2], mx.float32, { stream: mx.metal });
    expect(mx.add(x, 1).stream.device.backend).toBe("cpu");
  });
});
