// Error-input entries of mx.distributed, run in one process: the singleton
// group. The collectives return their input; send, recv and recvLike end in
// MLX's singleton error once their arguments are checked, which their entries
// count as the valid outcome (an argument error must come before it).

import * as mx from "../index.js";
import type { ArgKind, ArgSpec, ErrorEntry } from "./error-inputs.js";

const arg = (kind: ArgKind, ...names: string[]): ArgSpec => ({ kind, names });
const opts = (fields: Record<string, ArgSpec> = {}): ArgSpec => ({ kind: "options", names: ["options"], fields: { stream: arg("stream", "stream"), group: arg("any", "group"), ...fields } });

const X = arg("array", "x");
const x = () => mx.array([1, 2], mx.float32);
const cpu = { stream: mx.cpu };
const notAGroup = { label: "a group that is not a Group", args: () => [x(), { group: {} }], names: ["group"] };

/** MLX's error of send and recv on the singleton group. */
const SINGLETON = /^\[distributed\.(send|recv|recvLike)\] Cannot (send to|recv from) a singleton group$/;

/** Calls `f`; MLX's singleton error counts as returning (nothing). */
function singletonCall(f: (...a: unknown[]) => unknown, args: unknown[]): unknown {
  try {
    return f(...args);
  } catch (e) {
    if (e instanceof Error && SINGLETON.test(e.message)) return undefined;
    throw e;
  }
}

const collective = (name: string): ErrorEntry => ({ name: `distributed.${name}`, args: [X, opts()], valid: () => [x(), cpu], bad: [notAGroup] });

export const DISTRIBUTED_ERROR_ENTRIES: readonly ErrorEntry[] = [
  {
    name: "distributed.isAvailable",
    args: [arg("any", "backend")],
    valid: () => ["ring"],
  },
  {
    name: "distributed.init",
    args: [{ kind: "options", names: ["options"], fields: { strict: arg("bool", "strict"), backend: arg("any", "backend") } }],
    valid: () => [{ strict: false, backend: "any" }],
    bad: [
      { label: "an unknown backend", args: () => [{ backend: "gloo" }], names: ["backend"] },
      { label: "strict without a backend", args: () => [{ strict: true }], names: ["backend"] },
      { label: "strict with MPI", args: () => [{ strict: true, backend: "mpi" }], names: ["MPI"] },
    ],
  },
  ...["allSum", "allMax", "allMin", "allGather", "sumScatter"].map(collective),
  {
    name: "distributed.send",
    args: [X, arg("int", "dst"), opts()],
    valid: () => [x(), 1, cpu],
    call: singletonCall,
    bad: [{ label: "a group that is not a Group", args: () => [x(), 1, { group: {} }], names: ["group"] }],
  },
  {
    name: "distributed.recv",
    args: [arg("shape", "shape"), arg("dtype", "dtype"), arg("int", "src"), opts()],
    valid: () => [[2], mx.float32, 1, cpu],
    call: singletonCall,
    bad: [{ label: "a group that is not a Group", args: () => [[2], mx.float32, 1, { group: {} }], names: ["group"] }],
  },
  {
    name: "distributed.recvLike",
    args: [X, arg("int", "src"), opts()],
    valid: () => [x(), 1, cpu],
    call: singletonCall,
    bad: [{ label: "a group that is not a Group", args: () => [x(), 1, { group: {} }], names: ["group"] }],
  },
];
