// Devices and streams as in MLX. A device names the backend that runs its
// work; a stream is an ordered queue on a device. Ops take `{ stream }` with a
// Device or a Stream; without it they use the default device's default stream.

import { findBackend, getBackend, type BackendName } from "../backends/backend.js";
import { describeValue } from "./errors.js";
import { deviceInfo, type DeviceInfo } from "./streams.js";

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
  /**
   * Whether this device's backend is registered and started on this machine:
   * `mx.isAvailable(this)`. MLX's `mx.metal.is_available()` is
   * `mx.metal.isAvailable()` here (true for the emulated Metal of Linux too:
   * `deviceInfo().emulated` tells them apart).
   * @example
   * ```ts
   * mx.cpu.isAvailable(); // true
   * mx.metal.isAvailable() === mx.isAvailable(mx.metal); // true
   * ```
   */
  isAvailable(): boolean {
    return isAvailable(this);
  }
  /**
   * Facts about this device: `mx.deviceInfo(this)`. MLX's
   * `mx.metal.device_info()` is `mx.metal.deviceInfo()` here; an unavailable
   * device's backend is an error that gives the reason.
   * @example
   * ```ts
   * mx.cpu.deviceInfo().deviceName; // "cpu"
   * if (mx.metal.isAvailable()) console.log(mx.metal.deviceInfo().emulated);
   * ```
   */
  deviceInfo(): DeviceInfo {
    return deviceInfo(this);
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
  checkDevice("isAvailable", device);
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
  checkDevice("defaultStream", device);
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
  available("newStream", checkDevice("newStream", device));
  return new Stream(device, streamCount++);
}

/** `device` when it is a Device, else an error naming `op`. */
function checkDevice(op: string, device: unknown): Device {
  if (device instanceof Device) return device;
  throw new TypeError(`[${op}] expects a Device (mx.cpu, mx.gpu, mx.webgpu, mx.metal), got ${describeValue(device)}`);
}

/** Throws, naming `op` and the reason, when `device`'s backend is not available. */
function available(op: string, device: Device): void {
  try {
    getBackend(device.backend);
  } catch (e) {
    throw new Error(`[${op}] device ${device}: ${(e as Error).message}`);
  }
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
  available("setDefaultDevice", checkDevice("setDefaultDevice", device)); // throws with the reason when it is unavailable
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


/** Two devices whose backends read each other's buffers in place (cpu and metal: unified memory). */
function sharesMemory(a: Device, b: Device): boolean {
  if (a.backend === b.backend) return true;
  const x = findBackend(a.backend);
  const y = findBackend(b.backend);
  return !!x?.capabilities.unifiedMemory && !!y?.capabilities.unifiedMemory;
}

/** Streams made the default by `mx.stream(s, fn)` or a `StreamContext`, innermost last. */
const scoped: Stream[] = [];

/**
 * Makes `s` its device's default stream (MLX's `mx.set_default_stream`): ops
 * that run on that device without a stream go to `s`.
 * @example
 * ```ts
 * const s = mx.newStream(mx.cpu);
 * mx.setDefaultStream(s);
 * mx.add(1, 2).stream === s; // true
 * mx.clearStreams();
 * ```
 */
export function setDefaultStream(s: Stream): void {
  if (!(s instanceof Stream)) throw new TypeError(`[setDefaultStream] expects a Stream (mx.newStream(device)), got ${describeValue(s)}`);
  available("setDefaultStream", s.device);
  defaultStreams.set(s.device.backend, s);
}

/**
 * Forgets the default streams set so far (MLX's `mx.clear_streams`): each
 * device gets a fresh default stream when next used.
 * @example
 * ```ts
 * mx.clearStreams();
 * mx.defaultStream(mx.cpu).device.equals(mx.cpu); // true
 * ```
 */
export function clearStreams(): void {
  defaultStreams.clear();
}

/** The stream `s` (a Stream, or a Device's default stream) that op `op` makes the scope's, checked; errors name `op`. */
function scopeStream(op: string, s: unknown): Stream {
  if (!(s instanceof Stream) && !(s instanceof Device)) {
    throw new TypeError(`[${op}] stream must be a Device or a Stream (mx.cpu, mx.gpu, mx.webgpu, mx.metal, or mx.newStream(device)), got ${describeValue(s)}`);
  }
  try {
    return toStream(s);
  } catch (e) {
    throw new Error(`[${op}] stream ${String(s)}: ${(e as Error).message}`);
  }
}

/**
 * Runs `fn` with `s` (a Stream, or a Device's default stream) as the stream of
 * ops that name none, as MLX's `with mx.stream(s):`; the scope covers the
 * synchronous part of `fn` (its value is returned, a Promise included).
 * @example
 * ```ts
 * const y = mx.stream(mx.cpu, () => mx.add(1, 2));
 * y.stream.device.equals(mx.cpu); // true
 * ```
 */
export function stream<T>(s: StreamOrDevice, fn: () => T): T {
  const st = scopeStream("stream", s);
  if (typeof fn !== "function") throw new TypeError(`[stream] fn must be a function, got ${describeValue(fn)}`);
  scoped.push(st);
  try {
    return fn();
  } finally {
    scoped.pop();
  }
}

/**
 * A scope in which `s` is the stream of ops that name none, for `using`
 * (MLX's `StreamContext`): `using ctx = new mx.StreamContext(mx.cpu);` lasts to the end of the block.
 * @example
 * ```ts
 * {
 *   using ctx = new mx.StreamContext(mx.cpu);
 *   mx.add(1, 2).stream.device.equals(mx.cpu); // true
 * }
 * ```
 */
export class StreamContext {
  readonly stream: Stream;
  constructor(s: StreamOrDevice) {
    this.stream = scopeStream("StreamContext", s);
    scoped.push(this.stream);
  }
  /**
   * Ends the scope (`using` calls it at the end of the block).
   * @example
   * ```ts
   * const ctx = new mx.StreamContext(mx.cpu);
   * ctx[Symbol.dispose]();
   * ```
   */
  [Symbol.dispose](): void {
    const i = scoped.lastIndexOf(this.stream);
    if (i >= 0) scoped.splice(i, 1);
  }
}

function placement(inputs: readonly unknown[]): Stream {
  const fallback = scoped[scoped.length - 1] ?? defaultStream(defaultDevice());
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
