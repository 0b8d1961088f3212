// Errors name the op the user called, never a step it is built from: a
// composite op (mx.eye is arange, equal and astype) runs as that op
// (asOp, src/ops/strict-options.ts), so an error raised while building it
// is relabelled and the nodes it builds remember it (MxArray.builtBy): an
// error while they are evaluated starts `[eye] its equal step, ...`; the
// steps of a derivative are named by the transform (`[grad] its broadcast
// step`). And a
// null-prototype or other odd object where an argument goes is refused by
// the op's own argument error, never a bare TypeError from coercing it.

import { afterEach, describe, expect, it } from "vitest";
import * as mx from "../index.js";
import { cpuBackend } from "../backends/cpu/index.js";
import type { Backend, Kernel } from "../backends/backend.js";
import { ERROR_ENTRIES, type ErrorEntry } from "../conformance/error-inputs.js";
import { runProbe, type ProbeCall } from "../conformance/error-inputs-driver.js";
import { treeFlatten } from "../src/transforms/tree.js";
import { withDefaultDevice } from "./helpers/backends.js";

withDefaultDevice(mx.cpu);

/** A view of `n` elements (no memory), so an op's step over it asks for more than a buffer holds. */
const big = (n: number, dtype = mx.float32) => mx.broadcastTo(mx.zeros([1], dtype), [n]);
const MiB = 2 ** 20;

/** The message `f` (building and reading an array) throws. */
function failure(f: () => mx.MxArray | mx.MxArray[]): string {
  try {
    for (const a of [f()].flat()) a.dataSync();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error("it did not throw");
}

describe("a step of a composite op that fails while it runs is named by the op called", () => {
  // each was reported with the step's name ([equal], [greaterEqual], [randomBits], [pad], [multiply], [concatenate], [sum], [sliceUpdate])
  const cases: [string, () => mx.MxArray | mx.MxArray[], RegExp][] = [
    ["eye", () => mx.eye(MiB), /^\[eye\] its equal step, bool\(1048576, 1048576\): \[cpu\] cannot allocate/],
    ["identity", () => mx.identity(MiB), /^\[identity\] its equal step, bool\(1048576, 1048576\): \[cpu\] cannot allocate/],
    ["tri", () => mx.tri(MiB), /^\[tri\] its greaterEqual step, bool\(1048576, 1048576\): \[cpu\] cannot allocate/],
    ["random.normal", () => mx.random.normal([2 ** 31 - 1, 4]), /^\[random\.normal\] its randomBits step, uint32\(2147483647, 4\): \[cpu\] cannot allocate/],
    ["random.uniform", () => mx.random.uniform(0, 1, [2 ** 31 - 1, 4]), /^\[random\.uniform\] its randomBits step, .*cannot allocate/],
    ["random.bernoulli", () => mx.random.bernoulli(0.5, [2 ** 31 - 1, 4]), /^\[random\.bernoulli\] its randomBits step, .*cannot allocate/],
    ["fft.fft", () => mx.fft.fft(mx.zeros([4]), 2 ** 31 - 1), /^\[fft\.fft\] its pad step, float32\(2147483647,\): \[cpu\] cannot allocate/],
    ["fft.rfft", () => mx.fft.rfft(mx.zeros([4]), 2 ** 31 - 1), /^\[fft\.rfft\] its pad step, .*cannot allocate/],
    ["fft.fftn", () => mx.fft.fftn(mx.zeros([4]), [2 ** 31 - 1]), /^\[fft\.fftn\] its pad step, .*cannot allocate/],
    ["outer", () => mx.outer(big(MiB), big(MiB)), /^\[outer\] its multiply step, float32\(1048576, 1048576\): \[cpu\] cannot allocate/],
    ["kron", () => mx.kron(mx.reshape(big(2 ** 16), [2 ** 16, 1]), mx.reshape(big(2 ** 16), [1, 2 ** 16])), /^\[kron\] its multiply step, .*cannot allocate/],
    ["einsum", () => mx.einsum("i,j->ij", big(MiB), big(MiB)), /^\[einsum\] its multiply step, .*cannot allocate/],
    ["stack", () => mx.stack([big(2 ** 31 - 1), big(2 ** 31 - 1)]), /^\[stack\] its concatenate step, float32\(2, 2147483647\): \[cpu\] cannot allocate/],
    ["x.at(...).set", () => big(2 ** 31 - 1).at(0).set(1), /^\[at\.set\] its sliceUpdate step, float32\(2147483647,\): \[cpu\] cannot allocate/],
    ["x.at(...).add", () => big(2 ** 31 - 1).at(mx.array([0])).add(1), /^\[at\.add\] its \w+ step, .*cannot allocate/],
    ["clip", () => mx.clip(big(2 ** 31 - 1), 0, 1), /^\[clip\] its (maximum|minimum) step, .*cannot allocate/],
    ["exp of an integer array", () => mx.exp(big(2 ** 31 - 1, mx.int32)), /^\[exp\] its astype step, float32\(2147483647,\): \[cpu\] cannot allocate/],
    ["linspace", () => mx.linspace(0, 1, 2 ** 31 - 1), /^\[linspace\] its \w+ step, .*cannot allocate/],
    ["tile", () => mx.tile(mx.array([[1, 2]]), [2 ** 15, 2 ** 15]), /^\[tile\] its reshape step, int32\(32768, 65536\): \[cpu\] cannot allocate/],
    ["repeat", () => mx.repeat(mx.array([1, 2]), 2 ** 29), /^\[repeat\] its reshape step, .*cannot allocate/],
    ["pad", () => mx.pad(big(2 ** 31 - 3), 1, "edge"), /^\[pad\] its concatenate step, .*cannot allocate/],
  ];
  for (const [name, f, pattern] of cases) {
    it(name, () => expect(failure(f)).toMatch(pattern));
  }

  it("keeps a single op's own name, the step left out", () => {
    const row = mx.reshape(big(2 ** 30), [1, 2 ** 30]);
    expect(failure(() => mx.concatenate([row, row]))).toMatch(/^\[concatenate\] \[cpu\] cannot allocate/);
    expect(failure(() => mx.multiply(mx.reshape(big(MiB), [MiB, 1]), big(MiB)))).toMatch(/^\[multiply\] \[cpu\] cannot allocate/);
  });
});

/**
 * A backend of its own on the cpu's kernels, which a test may make lack a dtype
 * or a kernel, refuse buffers over a limit or refuse every allocation;
 * afterwards it is the cpu again (backends stay registered, and checkNumerics runs on each).
 */
const lacking = { dtypes: new Set(cpuBackend.capabilities.dtypes), kernels: {} as Record<string, Kernel>, refuse: false, limit: Infinity };
/** The cpu's kernels, its reductions refusing a result of more than `lacking.limit` bytes (as a device out of memory would, before they read anything). */
function limitedKernels(): Record<string, Kernel> {
  const out: Record<string, Kernel> = {};
  for (const [name, k] of Object.entries(cpuBackend.kernels)) {
    if (!k) continue;
    if (name !== "sum" && name !== "logsumexp" && name !== "softmax") {
      out[name] = k;
      continue;
    }
    out[name] = (p, inputs, spec) => {
      const bytes = spec.shape.reduce((n, d) => n * d, 1) * spec.dtype.size;
      if (bytes > lacking.limit) throw new RangeError(`[op-names] cannot allocate ${bytes} bytes: more than the test's limit`);
      return k(p, inputs, spec);
    };
  }
  return out;
}
Object.assign(lacking.kernels, limitedKernels());
const standIn: Backend = {
  name: "op-names",
  displayName: "op-names (test)",
  capabilities: { ...cpuBackend.capabilities, dtypes: lacking.dtypes },
  kernels: lacking.kernels,
  allocate: (n) => {
    if (lacking.refuse) throw new RangeError("[op-names] cannot allocate: device full");
    if (n > lacking.limit) throw new RangeError(`[op-names] cannot allocate ${n} bytes: more than the test's limit`);
    return cpuBackend.allocate(n);
  },
  release: (b) => cpuBackend.release(b),
  write: (b, s) => cpuBackend.write(b, s),
  read: (t) => cpuBackend.read(t),
  readSync: (t) => cpuBackend.readSync!(t),
  share: (t) => t, // its buffers are the cpu's: read in place, never copied over
  synchronize: () => cpuBackend.synchronize(),
  memory: () => cpuBackend.memory(),
  resetPeakMemory: () => cpuBackend.resetPeakMemory(),
  setCacheLimit: (n) => cpuBackend.setCacheLimit(n),
  clearCache: () => cpuBackend.clearCache(),
};
mx.registerBackend(standIn);
afterEach(() => {
  for (const d of cpuBackend.capabilities.dtypes) lacking.dtypes.add(d);
  Object.assign(lacking.kernels, limitedKernels());
  lacking.refuse = false;
  lacking.limit = Infinity;
});
const onStandIn = { stream: new mx.Device("gpu", "op-names") };

describe("a backend that lacks a dtype, a kernel or the memory a step needs", () => {
  it("names the op called and the step a buffer is refused for", () => {
    lacking.limit = 64 * 1024;
    const x = mx.broadcastTo(mx.zeros([1, 1], mx.float32, onStandIn), [2 ** 16, 4], onStandIn);
    expect(failure(() => mx.mean(x, 1, onStandIn))).toMatch(/^\[mean\] its sum step, float32\(65536,\): \[op-names\] cannot allocate 262144 bytes/);
    expect(failure(() => mx.var(x, 1, onStandIn))).toMatch(/^\[var\] its sum step, float32\(65536, 1\): \[op-names\] cannot allocate/);
    expect(failure(() => mx.std(x, 1, onStandIn))).toMatch(/^\[std\] its sum step, .*\[op-names\] cannot allocate/);
    expect(failure(() => mx.logsumexp(x, 1, onStandIn))).toMatch(/^\[logsumexp\] .*\[op-names\] cannot allocate/);
    expect(failure(() => mx.sum(x, 1, onStandIn))).toMatch(/^\[sum\] \[op-names\] cannot allocate 262144 bytes/);
  });

  it("names the outermost op the user called: nn.softmax, not the mx.softmax it is built on", () => {
    lacking.limit = 64 * 1024;
    const x = mx.broadcastTo(mx.zeros([1, 1], mx.float32, onStandIn), [2 ** 16, 4], onStandIn);
    expect(failure(() => mx.stream(onStandIn.stream, () => mx.nn.softmax(x)))).toMatch(/^\[nn\.softmax\] its softmax step, float32\(65536, 4\): \[op-names\] cannot allocate/);
    expect(failure(() => mx.softmax(x, -1, onStandIn))).toMatch(/^\[softmax\] \[op-names\] cannot allocate/);
  });

  it("names the op called, the step and the dtype", () => {
    lacking.dtypes.delete(mx.float64);
    const o = { dtype: mx.float64, ...onStandIn };
    const dtype = /its \w+ step: dtype float64 is not supported on backend 'op-names \(test\)'/;
    expect(failure(() => mx.eye(3, o))).toMatch(new RegExp(`^\\[eye\\] ${dtype.source}`));
    expect(failure(() => mx.tri(3, o))).toMatch(new RegExp(`^\\[tri\\] ${dtype.source}`));
    expect(failure(() => mx.random.normal([2], o))).toMatch(new RegExp(`^\\[random\\.normal\\] ${dtype.source}`));
    expect(failure(() => mx.linspace(0, 1, 3, o))).toMatch(new RegExp(`^\\[linspace\\] ${dtype.source}`));
  });

  it("names the op called and the step a kernel is missing for", () => {
    delete lacking.kernels.equal;
    delete lacking.kernels.greaterEqual;
    expect(failure(() => mx.eye(3, onStandIn))).toMatch(/^\[eye\] its equal step is not implemented on backend 'op-names \(test\)'/);
    expect(failure(() => mx.tri(3, onStandIn))).toMatch(/^\[tri\] its greaterEqual step is not implemented on backend/);
    expect(failure(() => mx.equal(mx.zeros([2], mx.float32, onStandIn), 0, onStandIn))).toMatch(/^\[equal\] is not implemented on backend/);
  });
});

describe("the steps grad, vjp, jvp and the Jacobians build are named by the transform called", () => {
  // they were named by the op a rule is built from ([multiply], [broadcastTo], [onesLike])
  const B = 2 ** 31 - 1;
  /** x broadcast to B rows and doubled: its derivative's steps are as large (32 GiB of float32). */
  const wide = (x: mx.MxArray) => mx.multiply(mx.broadcastTo(x, [B, 4]), 2);

  it("a step that fails while it is evaluated", () => {
    const x = mx.zeros([4]);
    const alloc = (t: string) => new RegExp(`^\\[${t}\\] its multiply step, float32\\(2147483647, 4\\): \\[cpu\\] cannot allocate`);
    expect(failure(() => mx.grad((v: mx.MxArray) => mx.sum(wide(v)))(x))).toMatch(alloc("grad"));
    expect(failure(() => mx.valueAndGrad((v: mx.MxArray) => mx.sum(wide(v)))(x)[1])).toMatch(alloc("valueAndGrad"));
    expect(failure(() => mx.vjp((v: mx.MxArray) => mx.sum(wide(v)), [x], [mx.array(1)])[1])).toMatch(alloc("vjp"));
    expect(failure(() => mx.jvp(wide, [x], [mx.ones([4])])[1])).toMatch(alloc("jvp"));
    // the function's own ops are still named by themselves
    expect(failure(() => mx.grad((v: mx.MxArray) => mx.sum(mx.exp(wide(v))))(x))).toMatch(/^\[multiply\] \[cpu\] cannot allocate/);
  });

  it("a step the backend lacks a kernel for", () => {
    delete lacking.kernels.broadcast;
    const x = mx.zeros([3], mx.float32, onStandIn);
    expect(failure(() => mx.stream(onStandIn.stream, () => mx.grad((v: mx.MxArray) => mx.sum(v))(x)))).toMatch(/^\[grad\] its broadcast step is not implemented on backend 'op-names \(test\)'/);
  });

  it("every node of a derivative is the transform's or the function's own", () => {
    const labels = (outs: mx.MxArray[], before: number) => {
      const seen = new Set<mx.MxArray>(), found = new Set<string>();
      const stack = [...outs];
      while (stack.length) {
        const a = stack.pop()!;
        if (seen.has(a) || a.id <= before || !a.primitive) continue;
        seen.add(a);
        found.add(a.builtBy ?? a.primitive.errorName);
        stack.push(...a.inputs);
      }
      return [...found].sort();
    };
    const x = mx.array([1, 2, 3], mx.float32), ones = mx.ones([3]);
    const f = (v: mx.MxArray) => mx.mean(mx.exp(mx.multiply(v, 2)));
    let before = mx.array(0).id;
    expect(labels([mx.grad(f)(x)], before)).toEqual(["exp", "grad", "multiply"]);
    before = mx.array(0).id;
    expect(labels(mx.vjp((v: mx.MxArray) => mx.exp(v), [x], [ones])[1], before)).toEqual(["exp", "vjp"]);
    before = mx.array(0).id;
    expect(labels(mx.jvp((v: mx.MxArray) => mx.sum(mx.sin(v)), [x], [ones])[1], before)).toEqual(["jvp"]);
    // the Jacobians' derivative steps are theirs, not the vjp's or jvp's they are built on (they were "vjp" and "jvp")
    const g = (v: mx.MxArray) => mx.sum(mx.exp(mx.multiply(v, v)));
    for (const [name, jac] of [["jacrev", mx.jacrev(g)], ["jacfwd", mx.jacfwd(g)], ["hessian", mx.hessian(g)]] as const) {
      before = mx.array(0).id;
      const found = labels([jac(x)], before);
      expect(found, name).toContain(name);
      expect(found.filter((l) => l === "vjp" || l === "jvp" || (l !== name && /^(jacrev|jacfwd|hessian)$/.test(l))), name).toEqual([]);
    }
  });

  it("an error raised while the transform builds its own steps names it; one a rule raises names the op whose derivative failed", () => {
    // the backward pass uploads its seed, a bfloat16 1 (no op here made one before), and the device refuses it (was "[onesLike] ...")
    const x = mx.astype(mx.zeros([3], mx.float32, onStandIn), mx.bfloat16, onStandIn);
    const f = (v: mx.MxArray) => {
      const y = mx.sum(v, undefined, onStandIn);
      lacking.refuse = true;
      return y;
    };
    expect(() => mx.stream(onStandIn.stream, () => mx.grad(f)(x))).toThrow(/^\[grad\] \[op-names\] cannot allocate: device full/);
    lacking.refuse = false;
    expect(() => mx.grad((v: mx.MxArray) => mx.sum(mx.view(v, mx.float16)))(mx.zeros([2]))).toThrow(/^\[view\] has no vjp/);
    // a custom function's rule is the user's code: its ops keep their names, and so does customFunction's check of what it returns
    const bad = mx.customFunction((v: mx.MxArray) => mx.square(v), { vjp: (_p, [ct]) => [mx.add(ct!, mx.zeros([5]))] });
    expect(() => mx.grad((v: mx.MxArray) => mx.sum(bad(v)))(mx.zeros([3]))).toThrow(/^\[add\] shapes \(3,\) and \(5,\) cannot be broadcast/);
    const empty = mx.customFunction((v: mx.MxArray) => mx.square(v), { vjp: () => [] });
    expect(() => mx.grad((v: mx.MxArray) => mx.sum(empty(v)))(mx.zeros([3]))).toThrow(/^\[customFunction\] the vjp rule must return a list of 1 cotangent/);
  });
});

describe("a composite's own argument errors", () => {
  it("x.at(...).set and its siblings name themselves and the update", () => {
    const x = mx.zeros([2]);
    expect(() => x.at(0).set(mx.zeros([3]))).toThrow(/^\[at\.set\] cannot broadcast the update of shape \(3,\) to \(\)/);
    expect(() => x.at("0:2").add(mx.zeros([3]))).toThrow(/^\[at\.add\] cannot broadcast the update of shape \(3,\) to \(2,\)/);
    expect(() => x.at(mx.array([0])).maximum("a" as never)).toThrow(/^\[at\.maximum\] value must be an mx array or a JS number/);
    expect(() => x.at(1.5).set(1)).toThrow(/^\[at\.set\] index 0 must be an integer, got 1\.5/);
    expect(() => mx.indexUpdate(x, [0], mx.zeros([3]))).toThrow(/^\[indexUpdate\] cannot broadcast the update/);
  });

  it("an inner op's error carries the outer op's name, a backend's label kept", () => {
    // the constants a composite uploads while it is built fail
    lacking.refuse = true;
    expect(() => mx.full([2], 12345.5, onStandIn)).toThrow(/^\[full\] \[op-names\] cannot allocate: device full/);
    expect(() => mx.linspace(0, 12345.5, 3, onStandIn)).toThrow(/^\[linspace\] \[op-names\] cannot allocate: device full/);
  });
});

describe("every node a public op builds carries that op's name", () => {
  // transforms, tidy and stream run the user's function: its ops name themselves
  const USER_CODE = /^(grad|valueAndGrad|vjp|jvp|vmap|checkpoint|customFunction|jacrev|jacfwd|hessian|tidy|stream|compile|exportFunction|importFunction|nn\.valueAndGrad|nn\.checkpoint)$/;

  function labelsOf(entry: ErrorEntry): Set<string> {
    const [head, tail] = entry.name.split(".") as [string, string | undefined];
    const root = (mx as unknown as Record<string, unknown>)[head] as Record<string, unknown>;
    const f = (tail === undefined ? root : root[tail]) as (...a: unknown[]) => unknown;
    const args = entry.valid();
    const before = mx.array(0).id;
    let result: unknown;
    try {
      result = entry.call ? entry.call(f, args) : f(...args);
    } finally {
      entry.restore?.();
    }
    const labels = new Set<string>();
    if (result instanceof Promise) return labels;
    const seen = new Set<mx.MxArray>();
    const stack = treeFlatten(result as never).leaves.filter((x): x is mx.MxArray => x instanceof mx.MxArray);
    while (stack.length) {
      const a = stack.pop()!;
      if (seen.has(a) || a.id <= before || !a.primitive) continue;
      seen.add(a);
      labels.add(a.builtBy ?? a.primitive.errorName);
      stack.push(...a.inputs);
    }
    return labels;
  }

  it("for the valid call of each entry of the error-input table", () => {
    const wrong: string[] = [];
    for (const entry of ERROR_ENTRIES) {
      if (USER_CODE.test(entry.name)) continue;
      const op = entry.reportedAs ?? entry.name;
      const others = [...labelsOf(entry)].filter((l) => l !== op);
      if (others.length) wrong.push(`${entry.name}: ${others.join(", ")}`);
    }
    expect(wrong).toEqual([]);
  });
});

describe("a null-prototype or other odd object where an argument goes", () => {
  const x = mx.array([3, 1, 2], mx.float32);
  const bare = () => Object.create(null) as never;

  it("topk, partition and asStrided refuse it by the argument's name (the reported cases)", () => {
    expect(() => mx.topk(x, bare())).toThrow(TypeError);
    expect(() => mx.topk(x, bare())).toThrow(/^\[topk\] k must be an integer from 0 to 3 \(the axis length\), got an object \(no class\)/);
    expect(() => mx.topk(x, 1, { axis: bare() })).toThrow(/^\[topk\] axis must be an integer or null, got an object \(no class\)/);
    expect(() => mx.topk(x, 1, [bare()] as never)).toThrow(/^\[topk\] axis must be an integer or null, got a JS array \[\{\.\.\.\}\]/);
    expect(() => mx.partition(x, bare())).toThrow(/^\[partition\] kth must be an integer, got an object \(no class\)/);
    expect(() => mx.partition(x, 1, { axis: bare() })).toThrow(/^\[partition\] axis must be an integer or null, got an object \(no class\)/);
    expect(() => mx.argpartition(x, 1, { axis: bare() })).toThrow(/^\[argpartition\] axis must be an integer or null, got an object \(no class\)/);
    expect(() => mx.asStrided(x, bare())).toThrow(/^\[asStrided\] shape must be an array of non-negative integers, got an object \(no class\)/);
    expect(() => mx.asStrided(x, [1], bare())).toThrow(/^\[asStrided\] strides must be a list of integers, got an object \(no class\)/);
    expect(() => mx.asStrided(x, [1], [1], bare())).toThrow(TypeError);
    expect(() => mx.asStrided(x, [1], [1], bare())).toThrow(/^\[asStrided\] offset must be a non-negative integer, got an object \(no class\)/);
  });

  it("the other ops that coerced it refuse it by the argument's name", () => {
    expect(() => mx.sort(x, { axis: bare() })).toThrow(/^\[sort\] axis must be an integer or null, got an object \(no class\)/);
    expect(() => mx.argsort(x, [Symbol("s")] as never)).toThrow(/^\[argsort\] axis must be an integer or null, got a JS array \[Symbol\(s\)\]/);
    expect(() => mx.flip(x, { axis: bare() })).toThrow(/^\[flip\] axis must be an integer or a list of integers, got an object \(no class\)/);
    expect(() => mx.meshgrid([x], { indexing: bare() })).toThrow(/^\[meshgrid\] indexing must be "xy" or "ij", got an object \(no class\)/);
    expect(() => mx.contiguous(x, bare())).toThrow(/^\[contiguous\] allowColMajor must be a boolean, got an object \(no class\)/);
    expect(() => mx.random.categorical(mx.zeros([2, 3]), { numSamples: bare() })).toThrow(/^\[random\.categorical\] numSamples must be a non-negative integer, got an object \(no class\)/);
    expect(() => mx.finfo(bare())).toThrow(/^\[finfo\] dtype must be a floating-point or complex dtype, got an object \(no class\)/);
    expect(() => mx.iinfo(bare())).toThrow(/^\[iinfo\] dtype must be an integer dtype, got an object \(no class\)/);
    expect(() => mx.canCast(bare(), mx.float32)).toThrow(/^\[canCast\] from and to must be mx dtypes .*, got an object \(no class\) and float32/);
    expect(() => mx.isdtype(mx.float32, bare())).toThrow(/^\[isdtype\] kind must be a dtype or one of .*, got an object \(no class\)/);
    expect(() => mx.issubdtype(bare(), mx.float32)).toThrow(/^\[issubdtype\] first argument must be a dtype .*, got an object \(no class\)/);
    expect(() => mx.resultType(bare())).toThrow(/^\[resultType\] arguments must be arrays, dtypes or JS scalars, got an object \(no class\)/);
    expect(() => mx.deviceCount(bare())).toThrow(/^\[deviceCount\] type must be "cpu" or "gpu" \(or a Device\), got an object \(no class\)/);
    expect(() => mx.deviceInfo(bare())).toThrow(/^\[deviceInfo\] device must be a Device .*, got an object \(no class\)/);
    return expect(mx.synchronize(bare())).rejects.toThrow(/^\[synchronize\] stream must be a Stream or a Device, got an object \(no class\)/);
  });

  it("a key name that every object has is no kind or category", () => {
    expect(() => mx.isdtype(mx.float32, "toString" as never)).toThrow(/^\[isdtype\] kind must be a dtype or one of .*, got the string 'toString'/);
    expect(() => mx.issubdtype("__proto__" as never, mx.float32)).toThrow(/^\[issubdtype\] first argument must be a dtype .*, got the string '__proto__'/);
    expect(() => mx.issubdtype("constructor" as never, mx.float32)).toThrow(/^\[issubdtype\] first argument/);
  });

  it("an options object must be a plain object (or have no prototype)", () => {
    expect(mx.topk(x, 1, bare()).shape).toEqual([1]);
    expect(mx.sum(x, bare()).shape).toEqual([]);
    expect(() => mx.topk(x, 1, new Map() as never)).toThrow(/^\[topk\] options must be a plain object such as \{ axis, stream \}, got an object \(Map\)/);
    expect(() => mx.sum(x, new Date(0) as never)).toThrow(/^\[sum\] options must be a plain object .*, got an object \(Date: /);
    class Settings {
      axis = 0;
    }
    expect(() => mx.mean(x, new Settings() as never)).toThrow(/^\[mean\] options must be a plain object .*, got an object \(Settings\)/);
  });

  // every argument and every option field of every public function, with each odd value: returns, or
  // throws an Error that starts with the function's name and names the argument (the error-input rules)
  it("any argument of any public function", async () => {
    const odd: [string, () => unknown][] = [
      ["a null-prototype object", () => Object.create(null)],
      ["a list holding one", () => [Object.create(null)]],
      ["a list holding a symbol", () => [Symbol("s")]],
      ["an object that throws when coerced", () => ({ [Symbol.toPrimitive]: () => { throw new Error("coerced"); } })],
    ];
    const failed: string[] = [];
    for (const entry of ERROR_ENTRIES) {
      for (const [i, spec] of entry.args.entries()) {
        const where: [string, readonly string[], (v: unknown) => unknown[]][] = [[spec.names[0]!, spec.names, (v) => Object.assign(entry.valid(), { [i]: v })]];
        for (const field of Object.keys(spec.fields ?? {})) {
          where.push([`${spec.names[0]}.${field}`, [field, ...spec.names], (v) => { const a = entry.valid(); a[i] = { ...(a[i] as object), [field]: v }; return a; }]);
        }
        for (const [argument, names, make] of where) {
          for (const [label, value] of odd) {
            const call: ProbeCall = {
              entry, argument, value: label, args: () => make(value()), mustThrow: false, baseline: false,
              names: [...names, "inputs", "shapes", "options", "argument", "arguments"], quotes: ["object", "Symbol(", "JS array"],
            };
            const r = await runProbe(call);
            if (r.problem) failed.push(`${entry.name} ${argument} = ${label}: ${r.problem}`);
          }
        }
      }
    }
    expect(failed).toEqual([]);
  }, 600_000);
});
