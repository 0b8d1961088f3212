// The device and stream utilities of src/streams.ts on every backend:
// synchronize, asyncEval, deviceCount and deviceInfo.

import { describe, expect, it } from "vitest";
import * as mx from "../index.js";
import { BACKENDS } from "./helpers/backends.js";

describe.each(BACKENDS)("device utilities on $name", ({ device }) => {
  it("asyncEval returns before the result is needed and computes it", async () => {
    const y = mx.exp(mx.array([0, 1], mx.float32, { stream: device }), { stream: device });
    const done = mx.asyncEval({ y });
    expect(done).toBeInstanceOf(Promise);
    await done;
    expect(y.isEvaluated).toBe(true);
    await mx.synchronize(device);
    await mx.synchronize(mx.defaultStream(device));
  });

  it("deviceInfo describes the backend", () => {
    const info = mx.deviceInfo(device);
    expect(info.backend).toBe(device.backend);
    expect(info.type).toBe(device.type);
    expect(info.dtypes).toContain("float32");
    expect(info.dtypes.includes("float64")).toBe(device.backend === "cpu");
  });
});

describe("device counts and argument errors", () => {
  it("one cpu; one gpu when a GPU backend is available", () => {
    expect(mx.deviceCount("cpu")).toBe(1);
    expect(mx.deviceCount(mx.gpu)).toBe(mx.isAvailable(mx.gpu) ? 1 : 0);
    expect(() => mx.deviceCount("tpu" as never)).toThrow(/\[deviceCount\] type must be "cpu" or "gpu"/);
    expect(() => mx.deviceInfo("cpu" as never)).toThrow(/\[deviceInfo\] device must be a Device/);
    return expect(mx.synchronize("cpu" as never)).rejects.toThrow(/\[synchronize\] stream must be a Stream or a Device/);
  });
});
