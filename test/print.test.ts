// Printing on every backend: mx.print reads and prints MLX's format like
// console.log; toString and console.log(x) agree; on a backend without
// synchronous reads (webgpu) toString says what to call until a read has kept
// a host copy, which is bounded, dropped with the array and not device memory.

import { format, inspect } from "node:util";
import { afterEach, describe, expect, it, vi } from "vitest";
import * as mx from "../index.js";
import { getBackend } from "../backends/backend.js";
import { BACKENDS } from "./helpers/backends.js";
import { collectGarbage } from "./helpers/gc.js";

afterEach(() => {
  vi.restoreAllMocks();
});

/** What console.log printed during `fn`, one string per call. */
async function printed(fn: () => Promise<void>): Promise<string[]> {
  const lines: string[] = [];
  vi.spyOn(console, "log").mockImplementation((...args: unknown[]) => void lines.push(format(...args)));
  await fn();
  vi.restoreAllMocks();
  return lines;
}

describe.each(BACKENDS)("printing on $name", ({ device }) => {
  const o = { stream: device };

  it("mx.print prints arrays in MLX's format among other values, like console.log", async () => {
    const x = mx.array([[1, 2], [3, 4]], mx.float32, o);
    const lazy = mx.multiply(mx.array([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], mx.int32, o), 2, o);
    expect(await printed(() => mx.print("x =", x, "and", lazy, { n: 1 }))).toEqual([
      "x = array([[1, 2],\n       [3, 4]], dtype=float32) and array([0, 2, 4, ..., 14, 16, 18], dtype=int32) { n: 1 }",
    ]);
    expect(await printed(() => mx.print(mx.array(true, undefined, o)))).toEqual(["array(true, dtype=bool)"]);
    const gone = mx.array([1], mx.float32, o);
    gone.dispose();
    expect(await printed(() => mx.print(gone))).toEqual(["array(<disposed>, shape=(1,), dtype=float32)"]);
  });

  it("after a read, toString, console.log and util.inspect show the values", async () => {
    const x = mx.add(mx.array([1.5, 2, 3], mx.float32, o), 1, o);
    await x.tolist();
    expect(x.toString()).toBe("array([2.5, 3, 4], dtype=float32)");
    expect(format(x)).toBe(x.toString());
    expect(inspect({ x })).toBe(`{ x: ${x.toString()} }`);
    const y = mx.sum(x, o);
    expect(await y.toNumber()).toBe(9.5);
    expect(String(y)).toBe("array(9.5, dtype=float32)");
  });
});

const asyncReads = BACKENDS.filter(({ device }) => !getBackend(device.backend).readSync);

describe.each(asyncReads)("arrays on $name, a backend without synchronous reads", ({ device }) => {
  const o = { stream: device };
  const name = device.backend;

  it("toString says what to call until a read, then prints the values; dataSync works from the host copy", async () => {
    const x = mx.multiply(mx.array([[1, 2, 3], [4, 5, 6]], mx.float32, o), 2, o);
    const hint = `array(<on ${name}; await mx.print(x) or await x.tolist() to read it>, shape=(2, 3), dtype=float32)`;
    expect(x.toString()).toBe(hint);
    await mx.eval(x);
    expect(x.toString()).toBe(hint);
    expect(format(x)).toBe(hint);
    expect(() => x.dataSync()).toThrow(/^\[dataSync\] a synchronous read is not possible on backend '\w+': its reads are asynchronous; use 'await x\.data\(\)'$/);
    expect(await printed(() => mx.print(x))).toEqual(["array([[2, 4, 6],\n       [8, 10, 12]], dtype=float32)"]);
    expect(x.toString()).toBe("array([[2, 4, 6],\n       [8, 10, 12]], dtype=float32)");
    expect([...x.dataSync()]).toEqual([2, 4, 6, 8, 10, 12]);
    // data() hands out a copy: changing it leaves the array's values alone
    const words = await x.data();
    words[0] = 99;
    expect(await x.tolist()).toEqual([[2, 4, 6], [8, 10, 12]]);
    const one = mx.array([7], mx.int32, o);
    expect(String(one)).toMatch(/^array\(<on /);
    expect(await one.item()).toBe(7);
    expect(one.toNumberSync()).toBe(7);
    expect(String(one)).toBe("array([7], dtype=int32)");
  });

  it("an array computed on the cpu from an input on it says so", () => {
    const x = mx.array([1, 2], mx.float32, o);
    const y = mx.add(x, 1, { stream: mx.cpu });
    expect(y.toString()).toBe(`array(<an input on ${name}; await mx.print(x) or await x.tolist() to read it>, shape=(2,), dtype=float32)`);
  });

  it("keeps no host copy of a large array, counts none as device memory, and drops it on dispose", async () => {
    const big = mx.zeros([20000], mx.float32, o); // 80 kB: above the bound
    await mx.eval(big);
    await big.data();
    expect(big.toString()).toMatch(/^array\(<on .*>, shape=\(20000,\), dtype=float32\)$/);
    const small = mx.ones([16], mx.float32, o);
    await mx.eval(small);
    await collectGarbage(); // earlier tests' arrays are freed now, not during the measured read
    const before = mx.getActiveMemory();
    await small.data();
    expect(mx.getActiveMemory()).toBe(before);
    expect(small.toString()).toMatch(/^array\(\[1, 1, 1, \.\.\., 1, 1, 1\], dtype=float32\)$/);
    small.dispose();
    expect(small.toString()).toBe("array(<disposed>, shape=(16,), dtype=float32)");
    expect(() => small.dataSync()).toThrow();
  });
});
