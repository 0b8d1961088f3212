// Devices and streams as in MLX. A device names the backend that runs its
// work; a stream is an ordered queue on a device. Ops take `{ stream }` with a
// Device or a Stream; without it they use the default device's default stream.

import { findBackend, getBackend, type BackendName } from "../backends/backend.js";

export type DeviceType = "cpu" | "gpu";

export class Device {
  constructor(
    readonly type: DeviceType,
    readonly backend: BackendName,
    readonly index = 0,
  ) {}
  toString(): string {
    const b = findBackend(this.backend);
    return `Device(${b?.displayName ?? this.backend}, ${this.index})`;
  }
  equals(o: Device): boolean {
    return o.backend === this.backend && o.index === this.index;
  }
}

export class Stream {
  constructor(
    readonly device: Device,
    readonly index: number,
  ) {}
  toString(): string {
    return `Stream(${this.device}, ${this.index})`;
  }
}

export const cpu = new Device("cpu", "cpu");
export const webgpu = new Device("gpu", "webgpu");
export const metal = new Device("gpu", "metal");

const KNOWN: Record<BackendName, Device> = { cpu, webgpu, metal };

export function deviceFor(name: BackendName): Device {
  return KNOWN[name];
}

const defaultStreams = new Map<BackendName, Stream>();
let streamCount = 0;

export function defaultStream(device: Device): Stream {
  let s = defaultStreams.get(device.backend);
  if (!s) {
    s = new Stream(device, streamCount++);
    defaultStreams.set(device.backend, s);
  }
  return s;
}

export function newStream(device: Device): Stream {
  getBackend(device.backend);
  return new Stream(device, streamCount++);
}

function initialDevice(): Device {
  const env = typeof process !== "undefined" ? process.env.MLX_TS_DEVICE : undefined;
  if (env) {
    if (!(env in KNOWN)) throw new Error(`MLX_TS_DEVICE='${env}' is not a device; valid: ${Object.keys(KNOWN).join(", ")}`);
    return KNOWN[env as BackendName];
  }
  return cpu;
}

let current: Device | undefined;

export function defaultDevice(): Device {
  return (current ??= initialDevice());
}

export function setDefaultDevice(device: Device): void {
  if (!(device instanceof Device)) throw new TypeError(`setDefaultDevice expects a Device (mx.cpu, mx.webgpu, mx.metal), got ${String(device)}`);
  getBackend(device.backend); // throws with the reason when it is unavailable
  current = device;
}

export type StreamOrDevice = Stream | Device;

export function toStream(s?: StreamOrDevice): Stream {
  if (s === undefined) return defaultStream(defaultDevice());
  if (s instanceof Stream) return s;
  if (s instanceof Device) return defaultStream(s);
  throw new TypeError(`stream must be a Device or a Stream, got ${String(s)}`);
}
