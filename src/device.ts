// Devices and streams as in MLX. A device names the backend that runs its
// work; a stream is an ordered queue on a device. Ops take `{ stream }` with a
// Device or a Stream; without it they use the default device's default stream.

import { findBackend, getBackend, type BackendName } from "../backends/backend.js";

export type DeviceType = "cpu" | "gpu";

/**
 * Where work runs: a device type ("cpu" or "gpu") and the backend that runs it.
 * Use the built-in ones (`mx.cpu`, `mx.gpu`, `mx.webgpu`, `mx.metal`) as the
 * `stream` option of an op or with `setDefaultDevice`.
 */
export class Device {
  readonly #backend: BackendName | (() => BackendName);
  constructor(
    readonly type: DeviceType,
    backend: BackendName | (() => BackendName),
    readonly index = 0,
  ) {
    this.#backend = backend;
  }
  /** The backend that runs this device's work (for `mx.gpu`, the best GPU backend registered when it is first asked). */
  get backend(): BackendName {
    return typeof this.#backend === "function" ? this.#backend() : this.#backend;
  }
  /**
   * `Device(backend, index)`, with the backend's display name.
   * @example
   * ```ts
   * String(mx.cpu); // "Device(cpu, 0)"
   * ```
   */
  toString(): string {
    const b = findBackend(this.backend);
    return `Device(${b?.displayName ?? this.backend}, ${this.index})`;
  }
  /**
   * Whether `o` names the same backend and index (`mx.gpu` equals the device of
   * the backend it resolves to).
   * @example
   * ```ts
   * mx.cpu.equals(mx.cpu); // true
   * mx.cpu.equals(mx.metal); // false
   * ```
   */
  equals(o: Device): boolean {
    return o.backend === this.backend && o.index === this.index;
  }
}

/**
 * An ordered queue of work on a device: ops given the same stream run in the
 * order they were called. Each device has a default stream; `newStream` makes others.
 */
export class Stream {
  constructor(
    readonly device: Device,
    readonly index: number,
  ) {}
  /**
   * `Stream(device, index)`.
   * @example
   * ```ts
   * console.log(String(mx.defaultStream(mx.cpu))); // Stream(Device(cpu, 0), ...
   * ```
   */
  toString(): string {
    return `Stream(${this.device}, ${this.index})`;
  }
}

/** The cpu device: the reference backend, always present. */
export const cpu = new Device("cpu", "cpu");
/** The webgpu backend's device (Dawn in Node, `navigator.gpu` in a browser). */
export const webgpu = new Device("gpu", "webgpu");
/** The metal backend's device (Metal on macOS, the MSL execution layer elsewhere). */
export const metal = new Device("gpu", "metal");

/**
 * The best GPU backend on this machine: Metal on a Mac, else webgpu, else the
 * emulated Metal of Linux (which runs on the CPU); `webgpu` when none is
 * registered, so using it then fails with webgpu's reason.
 */
function bestGpu(): BackendName {
  const metalBackend = findBackend("metal");
  if (metalBackend && !metalBackend.capabilities.emulated) return "metal";
  if (findBackend("webgpu")) return "webgpu";
  return metalBackend ? "metal" : "webgpu";
}

/** MLX's `mx.gpu`: the best GPU backend present (see `bestGpu`), resolved when first used. */
export const gpu = new Device("gpu", () => (gpuChoice ??= bestGpu()));
let gpuChoice: BackendName | undefined;

/**
 * Whether `device`'s backend is registered and started on this machine (the
 * cpu always is); ops on an unavailable device throw with the reason.
 * @example
 * ```ts
 * mx.isAvailable(mx.cpu); // true
 * const device = mx.isAvailable(mx.gpu) ? mx.gpu : mx.cpu;
 * ```
 */
export function isAvailable(device: Device): boolean {
  if (!(device instanceof Device)) throw new TypeError(`[isAvailable] expects a Device (mx.cpu, mx.gpu, mx.webgpu, mx.metal), got ${String(device)}`);
  return findBackend(device.backend) !== undefined;
}

const KNOWN = new Map<BackendName, Device>([["cpu", cpu], ["webgpu", webgpu], ["metal", metal]]);

/** The device of backend `name`: the built-in ones, or one made (once) for a backend an outside package registers. */
export function deviceFor(name: BackendName): Device {
  let d = KNOWN.get(name);
  if (!d) KNOWN.set(name, (d = new Device(name === "cpu" ? "cpu" : "gpu", name)));
  return d;
}

const defaultStreams = new Map<BackendName, Stream>();
let streamCount = 0;

/**
 * The default stream of `device`: where ops given just the device (or nothing,
 * on the default device) run.
 * @example
 * ```ts
 * mx.defaultStream(mx.cpu).device.equals(mx.cpu); // true
 * mx.defaultStream(mx.cpu) === mx.defaultStream(mx.cpu); // true
 * ```
 */
export function defaultStream(device: Device): Stream {
  let s = defaultStreams.get(device.backend);
  if (!s) {
    s = new Stream(device, streamCount++);
    defaultStreams.set(device.backend, s);
  }
  return s;
}

/**
 * A new stream on `device`, separate from its default stream; throws when the
 * device's backend is not available.
 * @example
 * ```ts
 * const s = mx.newStream(mx.cpu);
 * s === mx.defaultStream(mx.cpu); // false
 * await mx.add(mx.array([1]), 1, { stream: s }).tolist(); // [2]
 * ```
 */
export function newStream(device: Device): Stream {
  getBackend(device.backend);
  return new Stream(device, streamCount++);
}

function initialDevice(): Device {
  const env = typeof process !== "undefined" ? process.env.MLX_TS_DEVICE : undefined;
  if (env) {
    if (env === "gpu") return gpu;
    try {
      getBackend(env);
    } catch (e) {
      throw new Error(`MLX_TS_DEVICE='${env}': ${(e as Error).message} (or 'gpu' for the best GPU backend)`);
    }
    return deviceFor(env);
  }
  return cpu;
}

let current: Device | undefined;

/**
 * The device ops run on when neither a `stream` option nor their inputs say
 * otherwise: the cpu, unless `MLX_TS_DEVICE` or `setDefaultDevice` chose another.
 * @example
 * ```ts
 * mx.defaultDevice().type; // "cpu"
 * ```
 */
export function defaultDevice(): Device {
  return (current ??= initialDevice());
}

/**
 * Makes `device` the default device; throws, with the reason, when its backend
 * is not available.
 * @example
 * ```ts
 * mx.setDefaultDevice(mx.isAvailable(mx.gpu) ? mx.gpu : mx.cpu);
 * mx.setDefaultDevice(mx.cpu);
 * mx.array([1, 2]).stream.device.type; // "cpu"
 * ```
 */
export function setDefaultDevice(device: Device): void {
  if (!(device instanceof Device)) throw new TypeError(`setDefaultDevice expects a Device (mx.cpu, mx.webgpu, mx.metal), got ${String(device)}`);
  getBackend(device.backend); // throws with the reason when it is unavailable
  current = device;
}

export type StreamOrDevice = Stream | Device;

/**
 * Where an op runs. An explicit `stream` (a Device or a Stream) wins and must
 * name an available backend. Otherwise MLX's rule, the default device, except
 * when every array input lives on one other device whose memory the default
 * device does not share (webgpu's, seen from the cpu): then the op runs there,
 * so results stay on the GPU instead of being read back for every op.
 */
export function toStream(s?: StreamOrDevice, inputs: readonly unknown[] = []): Stream {
  if (s === undefined) return placement(inputs);
  if (s instanceof Stream) return checked(s);
  if (s instanceof Device) return checked(defaultStream(s));
  throw new TypeError(`stream must be a Device or a Stream (mx.cpu, mx.gpu, mx.webgpu, mx.metal, or mx.newStream(device)), got ${describeValue(s)}`);
}

function checked(s: Stream): Stream {
  getBackend(s.device.backend); // an unavailable backend is an error here, with its reason, not later in eval
  return s;
}

function describeValue(v: unknown): string {
  if (typeof v === "string") return `the string '${v}'`;
  if (v === null || typeof v !== "object") return String(v);
  return `an object (${v.constructor?.name ?? "no class"})`;
}

/** Two devices whose backends read each other's buffers in place (cpu and metal: unified memory). */
function sharesMemory(a: Device, b: Device): boolean {
  if (a.backend === b.backend) return true;
  const x = findBackend(a.backend);
  const y = findBackend(b.backend);
  return !!x?.capabilities.unifiedMemory && !!y?.capabilities.unifiedMemory;
}

function placement(inputs: readonly unknown[]): Stream {
  const fallback = defaultStream(defaultDevice());
  let found: Stream | undefined;
  for (const x of inputs) {
    const st = (x as { stream?: unknown } | null)?.stream;
    if (!(st instanceof Stream)) continue; // a JS scalar
    if (found && !found.device.equals(st.device)) return fallback;
    found ??= st;
  }
  if (!found || sharesMemory(found.device, fallback.device)) return fallback;
  return found;
}
