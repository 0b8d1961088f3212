// MLX's device and stream utilities that fit this design: synchronize (wait
// for a device's queued work), asyncEval (start evaluating, await later),
// deviceCount and deviceInfo. Each device is one backend (index 0).

import { getBackend, type Backend } from "../backends/backend.js";
import { defaultDevice, Device, gpu, isAvailable, Stream, type DeviceType, type StreamOrDevice } from "./device.js";
import { describeValue, opError } from "./errors.js";
import { evalArrays } from "./tidy.js";

/** The backend of `device`; an unavailable one is an error naming `op`. */
function backendOf(op: string, device: Device): Backend {
  try {
    return getBackend(device.backend);
  } catch (e) {
    throw opError(op, `device ${String(device)}: ${(e as Error).message}`);
  }
}

/**
 * Waits until the work queued on `stream`'s device (a Stream or a Device;
 * default: the default device) has finished. Evaluation already waits for the
 * results it returns; this is for timing and for handing buffers to other code.
 * @example
 * ```ts
 * const y = mx.exp(mx.array([0, 1]));
 * await mx.eval(y);
 * await mx.synchronize();
 * await mx.synchronize(mx.cpu);
 * ```
 */
export async function synchronize(stream?: StreamOrDevice): Promise<void> {
  const device = stream === undefined ? defaultDevice() : stream instanceof Stream ? stream.device : stream instanceof Device ? stream : undefined;
  if (!device) throw opError("synchronize", `stream must be a Stream or a Device, got ${describeValue(stream)}`, [], "type");
  await backendOf("synchronize", device).synchronize();
}

/**
 * Starts evaluating arrays (or trees of them) and returns at once with a
 * promise that settles when they are computed, as MLX's `async_eval`: the
 * caller may build more of the graph meanwhile and await it later.
 * @example
 * ```ts
 * const y = mx.multiply(mx.array([1, 2]), 3);
 * const done = mx.asyncEval(y);
 * const z = mx.add(y, 1); // built while y computes
 * await done;
 * y.isEvaluated; // true
 * await z.tolist(); // [4, 7]
 * ```
 */
export function asyncEval(...trees: unknown[]): Promise<void> {
  return evalArrays(...trees);
}

/**
 * How many devices of `type` ("cpu" or "gpu") this process can use: 1 for the
 * cpu, and 1 for the gpu when a GPU backend is available (`mx.gpu`), else 0.
 * @example
 * ```ts
 * mx.deviceCount("cpu"); // 1
 * ```
 */
export function deviceCount(type: DeviceType | Device): number {
  const t = type instanceof Device ? type.type : type;
  if (t === "cpu") return 1;
  if (t === "gpu") return isAvailable(gpu) ? 1 : 0;
  throw opError("deviceCount", `type must be "cpu" or "gpu" (or a Device), got ${describeValue(type)}`, [], "type");
}

/** What `deviceInfo` tells about a device. */
export interface DeviceInfo {
  /** The backend's display name (e.g. "webgpu", "metal (emulated)"). */
  deviceName: string;
  /** "cpu" or "gpu". */
  type: DeviceType;
  /** The backend that runs it. */
  backend: string;
  /** The dtypes it holds. */
  dtypes: string[];
  /** Host and device share memory. */
  unifiedMemory: boolean;
  /** Simulated on the CPU (metal's MSL execution layer on Linux). */
  emulated: boolean;
  /** The memory bound set with `setMemoryLimit` (Infinity: none). */
  memoryLimit: number;
}

/**
 * Facts about `device` (default: the default device), as MLX's `device_info`
 * gives them for its devices.
 * @example
 * ```ts
 * mx.deviceInfo(mx.cpu).deviceName; // "cpu"
 * mx.deviceInfo(mx.cpu).dtypes.includes("float64"); // true
 * ```
 */
export function deviceInfo(device: Device = defaultDevice()): DeviceInfo {
  if (!(device instanceof Device)) throw opError("deviceInfo", `device must be a Device (mx.cpu, mx.gpu, mx.webgpu, mx.metal), got ${describeValue(device)}`, [], "type");
  const b = backendOf("deviceInfo", device);
  return {
    deviceName: b.displayName,
    type: device.type,
    backend: b.name,
    dtypes: [...b.capabilities.dtypes].map((d) => d.name),
    unifiedMemory: b.capabilities.unifiedMemory,
    emulated: b.capabilities.emulated ?? false,
    memoryLimit: b.getMemoryLimit?.() ?? Infinity,
  };
}
