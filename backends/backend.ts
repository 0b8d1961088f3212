// The backend interface: what a device must provide so the front end can run
// a lazy graph on it (buffers from a pool, reads and writes, one kernel per
// primitive name), plus the registry through which backends register by name.
// A backend only executes; the semantics of every primitive live in src/.

import type { Contract } from "./contract.js";
import type { DType } from "../src/dtype.js";
import type { Primitive } from "../src/primitive.js";
import type { FusedGroup } from "../src/compile/group.js";

/** The built-in backends' names, or any name an outside package registers a backend under. */
export type BackendName = "cpu" | "webgpu" | "metal" | (string & {});

/** Bytes owned by one backend. Array data and views reference it; `refs` counts them. */
export interface BackendBuffer {
  readonly backend: Backend;
  /** Bytes requested (the pool may hold a larger block). */
  readonly nbytes: number;
  refs: number;
}

/**
 * A strided view of a buffer: the evaluated data of one array.
 * `offset` and `strides` count elements, strides may be 0 (broadcast) or negative.
 */
export interface Tensor {
  readonly buffer: BackendBuffer;
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly strides: readonly number[];
  readonly offset: number;
}

export interface OutputSpec {
  readonly shape: readonly number[];
  readonly dtype: DType;
}

/**
 * Runs one primitive. It returns a new tensor: a fresh buffer from the pool, or
 * a view of an input's buffer (then it takes a reference with `retain`).
 */
export type Kernel = (primitive: Primitive, inputs: readonly Tensor[], out: OutputSpec) => Tensor;

/** Runs a primitive with several outputs (divmod, qr): one new tensor per output spec, in order. */
export type MultiKernel = (primitive: Primitive, inputs: readonly Tensor[], outs: readonly OutputSpec[]) => Tensor[];

/** A buffer's bytes in host memory (unified-memory backends). */
export interface HostBytes {
  readonly bytes: ArrayBuffer;
  readonly byteOffset: number;
  readonly byteLength: number;
}

export interface MemoryStats {
  /** Bytes held by live buffers. */
  active: number;
  /** Highest `active` since start or the last reset. */
  peak: number;
  /** Bytes kept in the pool's cache for reuse. */
  cache: number;
}

export interface Backend {
  readonly name: BackendName;
  /** Name shown in reports (e.g. "metal (emulated)"). */
  readonly displayName: string;
  readonly capabilities: {
    readonly dtypes: ReadonlySet<DType>;
    /** Host and device share memory: no bytes move for a transfer to or from the CPU. */
    readonly unifiedMemory: boolean;
    /** `readSync` works (no device round trip needed). */
    readonly syncRead: boolean;
    /** The device is simulated on the CPU (metal's MSL execution layer on Linux): not a real GPU. */
    readonly emulated?: boolean;
  };
  readonly kernels: Readonly<Partial<Record<string, Kernel>>>;
  /**
   * The numerics contract of `op` (a primitive or op-database name) on this
   * backend, for the conformance run and validation; undefined: the built-in
   * table (the WGSL specification's, for a backend other than cpu and metal).
   */
  contract?(op: string): Contract | undefined;
  /** Kernels of the primitives with several outputs, by primitive name. */
  readonly multiKernels?: Readonly<Partial<Record<string, MultiKernel>>>;
  /**
   * Optional (compile's fusion): one kernel that computes a group of
   * elementwise nodes in one pass (src/compile/group.ts describes the group),
   * or undefined for a group this backend does not fuse. The kernel takes the
   * group's inputs and returns one tensor per group output, each what its
   * node gives run alone (every node's dtype rounding kept). Without it,
   * compile runs the nodes one by one.
   */
  fuse?(group: FusedGroup): MultiKernel | undefined;
  allocate(nbytes: number): BackendBuffer;
  /** Drops one reference; the last one returns the buffer to the pool. */
  release(buffer: BackendBuffer): void;
  write(buffer: BackendBuffer, src: ArrayBufferView): void;
  /** The tensor's elements in row-major order, in a new host buffer. */
  read(t: Tensor): Promise<ArrayBufferView>;
  readSync?(t: Tensor): ArrayBufferView;
  /** The buffer's bytes in host memory, after the device finished writing them (backends on host-visible memory). */
  hostBytes?(buffer: BackendBuffer): HostBytes;
  /**
   * `t` (of another backend) as a tensor of this one over the same memory, or
   * undefined when the memories are not shared; the result holds a reference to t's buffer.
   */
  share?(t: Tensor): Tensor | undefined;
  synchronize(): Promise<void>;
  /**
   * Called by the asynchronous eval between nodes: a promise to await when the
   * device has too much queued work (so long graphs do not flood it), else undefined.
   */
  throttle?(): Promise<void> | undefined;
  /**
   * Called by the asynchronous eval before its first node on this backend: a
   * promise to await when memory released since the last wait is not yet back
   * in the device (Dawn frees a destroyed buffer only when it next runs its
   * event loop), else undefined.
   */
  reclaim?(): Promise<void> | undefined;
  memory(): MemoryStats;
  resetPeakMemory(): void;
  /** Sets the cache bound in bytes and returns the previous one. */
  setCacheLimit(bytes: number): number;
  clearCache(): void;
  /** Bounds the bytes the backend holds (arrays and cache; an allocation past it throws) and returns the previous bound. */
  setMemoryLimit?(bytes: number): number;
  /** The bound `setMemoryLimit` set (Infinity: none). */
  getMemoryLimit?(): number;
}

export function retain(buffer: BackendBuffer): BackendBuffer {
  buffer.refs++;
  return buffer;
}

const registry = new Map<BackendName, Backend>();
const unavailable = new Map<BackendName, string>();

/**
 * Makes backend `b` available under `b.name`, replacing one of that name: ops
 * run on it on a device of that name (`new mx.Device("gpu", b.name)`), and
 * `checkNumerics` and the conformance tool take the name. The guide's
 * "Writing a backend" builds a complete one.
 * @example
 * ```ts no-run: needs a Backend implementation
 * declare const toy: mx.Backend;
 * mx.registerBackend(toy);
 * const x = mx.array([1, 2], mx.float32, { stream: new mx.Device("gpu", toy.name) });
 * ```
 */
export function registerBackend(b: Backend): void {
  checkBackend(b);
  registry.set(b.name, b);
  unavailable.delete(b.name);
}

const BACKEND_METHODS = ["allocate", "release", "write", "read", "synchronize", "memory", "resetPeakMemory", "setCacheLimit", "clearCache"] as const;

/** Throws, naming what is missing, unless `b` has what the front end calls: a name, capabilities, kernels and the methods. */
function checkBackend(b: unknown): asserts b is Backend {
  const fail = (why: string) => new TypeError(`[registerBackend] backend ${why} (see the guide's "Writing a backend")`);
  if (b === null || typeof b !== "object") throw fail(`must be an object implementing Backend, got ${b === null ? "null" : typeof b}`);
  const c = b as Partial<Record<string, unknown>> & { capabilities?: { dtypes?: unknown } };
  if (typeof c.name !== "string" || c.name === "") throw fail(`name must be a non-empty string, got ${typeof c.name === "string" ? "''" : typeof c.name}`);
  if (c.kernels === null || typeof c.kernels !== "object") throw fail(`'${c.name}': kernels must be an object of kernels by primitive name`);
  if (!(c.capabilities?.dtypes instanceof Set)) throw fail(`'${c.name}': capabilities.dtypes must be a Set of dtypes`);
  const missing = BACKEND_METHODS.filter((m) => typeof c[m] !== "function");
  if (missing.length) throw fail(`'${c.name}' lacks the method${missing.length > 1 ? "s" : ""} ${missing.join(", ")}`);
}

/** Records why a backend could not start on this machine (shown in reports and errors). */
export function markUnavailable(name: BackendName, reason: string): void {
  if (!registry.has(name)) unavailable.set(name, reason);
}

export function findBackend(name: BackendName): Backend | undefined {
  return registry.get(name);
}

export function getBackend(name: BackendName): Backend {
  const b = registry.get(name);
  if (b) return b;
  const why = unavailable.get(name);
  throw new Error(
    `backend '${name}' is not available${why ? `: ${why}` : " (not registered)"}; registered backends: ${[...registry.keys()].join(", ") || "none"}`,
  );
}

/**
 * The backends registered and started on this machine, in registration order
 * (cpu first).
 * @example
 * ```ts
 * mx.registeredBackends()[0]!.name; // "cpu"
 * mx.registeredBackends().some((b) => b.name === "cpu"); // true
 * ```
 */
export function registeredBackends(): Backend[] {
  return [...registry.values()];
}

/**
 * The backends that could not start on this machine, each with the reason (what
 * `npx mlx-ts info` shows).
 * @example
 * ```ts
 * for (const [name, reason] of mx.unavailableBackends()) console.log(`${name}: ${reason}`);
 * mx.unavailableBackends().has("cpu"); // false
 * ```
 */
export function unavailableBackends(): ReadonlyMap<BackendName, string> {
  return unavailable;
}
