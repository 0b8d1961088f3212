// A deliberately wrong outside backend for test/outside-backend.test.ts: the
// cpu reference with `exp` one float32 ulp high, so a conformance run that
// really executes an outside backend must fail it, naming it and the op.

import * as mx from "../../index.js";
import type { Backend, Kernel } from "../../index.js";

const cpu = mx.registeredBackends().find((b) => b.name === "cpu")!;

const expOneUlpHigh: Kernel = (prim, inputs, out) => {
  const t = cpu.kernels.exp!(prim, inputs, out);
  if (t.dtype !== mx.float32) return t;
  const host = cpu.hostBytes!(t.buffer);
  const words = new Uint32Array(host.bytes, host.byteOffset, host.byteLength / 4);
  for (let i = 0; i < words.length; i++) if (words[i]! !== 0 && words[i]! < 0x7f800000) words[i]! += 1;
  return t;
};

const offByOne: Backend = {
  ...cpu,
  name: "off-by-one",
  displayName: "off-by-one (test backend)",
  capabilities: cpu.capabilities,
  kernels: { ...cpu.kernels, exp: expOneUlpHigh },
  contract: () => ({ ulps: 0, abs: 0, domain: [-Infinity, Infinity], special: true, source: "claims the reference's results" }),
  allocate: (n) => cpu.allocate(n),
  release: (b) => cpu.release(b),
  share: (t) => (t.buffer.backend === cpu ? (t.buffer.refs++, t) : undefined),
  write: (b, src) => cpu.write(b, src),
  read: (t) => cpu.read(t),
  readSync: (t) => cpu.readSync!(t),
  synchronize: () => cpu.synchronize(),
  memory: () => ({ active: 0, peak: 0, cache: 0 }),
  resetPeakMemory: () => {},
  setCacheLimit: () => 0,
  clearCache: () => {},
};

mx.registerBackend(offByOne);
