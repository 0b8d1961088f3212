// The ring backend's configuration, read from the environment MLX's ring
// backend reads (and mlx.launch / mlx-ts launch set): MLX_RANK, MLX_HOSTFILE
// (a JSON list, per rank, of "ip:port" addresses to listen on) and
// MLX_RING_VERBOSE, plus mlx-ts's MLX_TS_RING_TIMEOUT (seconds) and
// MLX_TS_RING_BUFFER_MB (how much of a peer's messages a rank holds before it
// takes them).

import { describeValue, opError } from "../../errors.js";
import { readFileSync } from "./node-io.js";
import type { RingAddress } from "./protocol.js";

/** How long connecting and each exchange wait for the peers by default, in seconds. */
const DEFAULT_TIMEOUT_S = 60;
/** How many MiB of a peer's messages that no receive has asked for yet a rank holds by default. */
const DEFAULT_BUFFER_MB = 128;

export interface RingConfig {
  readonly rank: number;
  /** Where each rank listens (the first address of its hostfile entry). */
  readonly addresses: readonly RingAddress[];
  readonly verbose: boolean;
  /** Infinity: no limit. */
  readonly timeoutMs: number;
  /** How many bytes of a peer's messages that no receive has asked for yet are held before its connection stops reading (its sends then wait). */
  readonly bufferBytes: number;
}

type Env = Readonly<Record<string, string | undefined>>;

/** Whether the environment names a rank and a hostfile (MLX's condition for starting the ring backend). */
export function ringConfigured(env: Env): boolean {
  return !!env.MLX_RANK && !!env.MLX_HOSTFILE;
}

/** MLX's message when the ring backend is asked for without its environment. */
export function missingEnvironment(env: Env): string {
  return `the ring backend needs a rank (MLX_RANK) and a hostfile (MLX_HOSTFILE) in the environment, but MLX_RANK="${env.MLX_RANK ?? ""}" and MLX_HOSTFILE="${env.MLX_HOSTFILE ?? ""}" (mlx-ts launch sets both)`;
}

/** "ip:port" (an IPv6 address in brackets: "[::1]:5000") as an address; undefined when it is not one. */
function parseAddress(text: unknown): RingAddress | undefined {
  if (typeof text !== "string") return undefined;
  const colon = text.lastIndexOf(":");
  if (colon <= 0) return undefined;
  const host = text.slice(0, colon).replace(/^\[(.*)\]$/, "$1");
  const port = Number(text.slice(colon + 1));
  if (!host || !Number.isInteger(port) || port < 1 || port > 65535 || !/^\d+$/.test(text.slice(colon + 1))) return undefined;
  return { host, port };
}

/** The ring configuration of `env` (ringConfigured must hold); errors name op `op`. */
export function readRingConfig(op: string, env: Env): RingConfig {
  const path = env.MLX_HOSTFILE!;
  let hosts: unknown;
  try {
    hosts = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw opError(op, `cannot read the hostfile MLX_HOSTFILE='${path}': ${(e as Error).message}`);
  }
  const format = `a JSON list with, for each rank, a list of "ip:port" addresses to listen on: [["127.0.0.1:5000"], ["127.0.0.1:5001"]]`;
  if (!Array.isArray(hosts) || hosts.length === 0) throw opError(op, `the hostfile MLX_HOSTFILE='${path}' must be ${format}, got ${describeValue(hosts)}`);
  const addresses = hosts.map((entry: unknown, r) => {
    const first = Array.isArray(entry) && entry.length > 0 && entry.every((a) => parseAddress(a) !== undefined) ? parseAddress(entry[0]) : undefined;
    if (!first) throw opError(op, `the hostfile MLX_HOSTFILE='${path}' must be ${format}; the entry of rank ${r} is ${describeValue(entry)}`);
    return first;
  });
  const rankText = env.MLX_RANK!;
  const rank = Number(rankText);
  if (!/^\d+$/.test(rankText.trim()) || rank >= addresses.length) {
    throw opError(op, `MLX_RANK="${rankText}" is not a rank of the hostfile's ${addresses.length} (0 to ${addresses.length - 1})`);
  }
  return { rank, addresses, verbose: !!env.MLX_RING_VERBOSE, timeoutMs: readTimeout(op, env.MLX_TS_RING_TIMEOUT), bufferBytes: readBufferBytes(op, env.MLX_TS_RING_BUFFER_MB) };
}

/** The longest delay setTimeout keeps (2^31 - 1 ms, about 24.8 days); a longer limit counts as none. */
const LONGEST_TIMER_MS = 2 ** 31 - 1;

/** MLX_TS_RING_TIMEOUT in milliseconds: seconds, 0 (or past setTimeout's longest delay) for no limit, DEFAULT_TIMEOUT_S when unset. */
function readTimeout(op: string, text: string | undefined): number {
  if (text === undefined || text === "") return DEFAULT_TIMEOUT_S * 1000;
  const s = Number(text);
  if (!Number.isFinite(s) || s < 0) throw opError(op, `MLX_TS_RING_TIMEOUT="${text}" must be a number of seconds (0: no limit)`);
  return s === 0 || s * 1000 > LONGEST_TIMER_MS ? Infinity : s * 1000;
}

/** MLX_TS_RING_BUFFER_MB in bytes: MiB (0: hold nothing past the OS's socket buffers, as MLX), DEFAULT_BUFFER_MB when unset. */
function readBufferBytes(op: string, text: string | undefined): number {
  if (text === undefined || text === "") return DEFAULT_BUFFER_MB * 2 ** 20;
  const mb = Number(text);
  if (!Number.isFinite(mb) || mb < 0) throw opError(op, `MLX_TS_RING_BUFFER_MB="${text}" must be a number of MiB (0: hold nothing)`);
  return Math.round(mb * 2 ** 20);
}
