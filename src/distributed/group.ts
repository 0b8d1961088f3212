// MLX's distributed groups: `init` starts the ring backend when MLX_RANK and
// MLX_HOSTFILE configure it (and keeps its group), else gives the singleton
// group, on which the collectives are the identity; `Group.split` makes subgroups.

import { checkBool, checkInt } from "../argument-checks.js";
import { int32 } from "../dtype.js";
import { describeValue, opError } from "../errors.js";
import { checkOptions, noExtraArguments } from "../ops/strict-options.js";
import { allGather, groupTag, type Ring } from "./ring/collectives.js";
import { missingEnvironment, readRingConfig, ringConfigured } from "./ring/hostfile.js";
import { RingLink } from "./ring/transport.js";

/** The backends MLX's `init` takes; mlx-ts has the ring backend ("any" finds it). */
export type DistributedBackend = "any" | "ring" | "mpi" | "nccl" | "jaccl";

const BACKENDS: readonly DistributedBackend[] = ["any", "ring", "mpi", "nccl", "jaccl"];

/** MLX's errors for a strict `init` of the backends mlx-ts does not have. */
const UNAVAILABLE: Readonly<Record<string, string>> = {
  mpi: "Cannot initialize MPI",
  nccl: "Cannot initialize nccl distributed backend.",
  jaccl: "Cannot initialize jaccl distributed backend.",
};

const INT32_MIN = -(2 ** 31), INT32_MAX = 2 ** 31 - 1;

/**
 * A group of processes that communicate (MLX's `mx.distributed.Group`): the
 * group `init` returns, or a subgroup `split` made. Pass it as the `group`
 * option of the communication ops; without one they use `init()`'s.
 */
export class Group {
  private constructor(
    /** The members' connections; null for the singleton group. */
    private readonly ringState: Ring | null,
  ) {}

  /** @internal */
  static of(ring: Ring | null): Group {
    return new Group(ring);
  }

  /** @internal The group's ring (null: the singleton group, which never communicates). */
  get ring(): Ring | null {
    return this.ringState;
  }

  /**
   * This process's rank in the group: 0 to `size() - 1`.
   * @example
   * ```ts
   * mx.distributed.init().rank(); // 0
   * ```
   */
  rank(): number {
    return this.ringState?.index ?? 0;
  }

  /**
   * The number of processes in the group (1 for the singleton group `init`
   * gives when no backend is configured).
   * @example
   * ```ts
   * mx.distributed.init().size(); // 1
   * ```
   */
  size(): number {
    return this.ringState?.members.length ?? 1;
  }

  /**
   * Splits the group into subgroups by `color` (MLX's `Group.split`): the
   * processes that pass the same color form one subgroup, ranked by `key`
   * (ties, and a negative key, by their rank in this group). Every process of
   * the group must call it (it exchanges the colors). The singleton group
   * cannot be split (MLX's error).
   * @example
   * ```ts
   * let message = "";
   * try {
   *   mx.distributed.init().split(0);
   * } catch (e) {
   *   message = (e as Error).message;
   * }
   * message; // "[Group.split] Cannot split the distributed group further."
   * ```
   */
  split(color: number, key = -1): Group {
    noExtraArguments("Group.split", arguments, 2);
    const op = "Group.split";
    checkInt(op, "color", color, INT32_MIN, INT32_MAX);
    checkInt(op, "key", key, INT32_MIN, INT32_MAX);
    const ring = this.ringState;
    if (!ring) throw opError(op, "Cannot split the distributed group further.");
    const mine = new Int32Array([color, key < 0 ? ring.index : key]);
    const gathered = allGather(ring, op, "split", int32, new Uint8Array(mine.buffer));
    const all = new Int32Array(gathered.buffer, gathered.byteOffset, gathered.byteLength / 4);
    const same = [...ring.members.keys()].filter((i) => all[2 * i] === color);
    same.sort((i, j) => all[2 * i + 1]! - all[2 * j + 1]! || i - j);
    const members = same.map((i) => ring.members[i]!);
    return new Group({ link: ring.link, members, index: same.indexOf(ring.index), tag: groupTag(members) });
  }

  /**
   * `Group(rank r of n)`.
   * @example
   * ```ts
   * String(mx.distributed.init()); // "Group(rank 0 of 1)"
   * ```
   */
  toString(): string {
    return `Group(rank ${this.rank()} of ${this.size()})`;
  }
}

/** The group of one process: collectives are the identity on it, send and recv errors. */
const SINGLETON = Group.of(null);

/** The ring group, once `init` has started it: later calls return it. */
let world: Group | undefined;

function environment(): Readonly<Record<string, string | undefined>> {
  return typeof process !== "undefined" && process.env ? process.env : {};
}

/** Whether this is Node.js (the ring backend's sockets and threads). */
function onNode(): boolean {
  return typeof process !== "undefined" && typeof process.versions?.node === "string";
}

/**
 * Whether a communication backend is available (MLX's `is_available`):
 * true for "any" and "ring" in Node.js (the ring backend needs only TCP),
 * false for "mpi", "nccl" and "jaccl", which mlx-ts does not have. This says
 * whether the backend can be started, not whether a group can be formed:
 * for that, `init({ strict: true })`.
 * @example
 * ```ts
 * mx.distributed.isAvailable(); // true
 * mx.distributed.isAvailable("mpi"); // false
 * ```
 */
export function isAvailable(backend: string = "any"): boolean {
  noExtraArguments("distributed.isAvailable", arguments, 1);
  if (typeof backend !== "string") throw opError("distributed.isAvailable", `backend must be a string such as "any" or "ring", got ${describeValue(backend)}`, [], "type");
  return (backend === "any" || backend === "ring") && onNode();
}

export interface InitOptions {
  /** Throw when no backend can be started, instead of returning the singleton group (default false). */
  strict?: boolean | undefined;
  /** "any" (default: the ring backend when configured), "ring", or MLX's "mpi", "nccl", "jaccl" (not in mlx-ts: the singleton group, or an error when strict). */
  backend?: DistributedBackend | undefined;
}

/**
 * Starts the communication backend and returns the group of all the
 * launched processes (MLX's `mx.distributed.init`). The ring backend starts
 * when the environment names this process's rank and the hostfile
 * (MLX_RANK, MLX_HOSTFILE, as `mlx-ts launch` and MLX's `mlx.launch` set
 * them): it connects to every other rank over TCP, waiting at most
 * MLX_TS_RING_TIMEOUT seconds (default 60) for them. Once started, later
 * calls return the same group. Without a backend it returns the singleton
 * group (rank 0 of 1), on which every op is the identity, so one program
 * runs alone or distributed unchanged; with `strict: true` that is an error.
 * @example
 * ```ts
 * const world = mx.distributed.init();
 * world.size(); // 1
 * await mx.distributed.allSum(mx.ones([3])).tolist(); // [1, 1, 1]
 * ```
 */
export function init(options?: InitOptions): Group {
  noExtraArguments("distributed.init", arguments, 1);
  const op = "distributed.init";
  checkOptions(op, options, ["strict", "backend"], false);
  const strict = options?.strict === undefined ? false : checkBool(op, "strict", options.strict);
  const backend = options?.backend ?? "any";
  if (!BACKENDS.includes(backend)) {
    throw opError(op, `The only valid values for backend are 'any', 'mpi', 'nccl', 'jaccl' and 'ring' but ${typeof backend === "string" ? `'${backend}'` : describeValue(backend)} was provided.`, [], typeof backend === "string" ? "value" : "type");
  }
  if (world && (backend === "any" || backend === "ring")) return world;
  if (backend !== "any" && backend !== "ring") {
    if (strict) throw opError(op, `${UNAVAILABLE[backend]} (mlx-ts has the ring backend only)`);
    return SINGLETON;
  }
  const env = environment();
  if (!ringConfigured(env)) {
    if (strict) throw opError(op, backend === "ring" ? missingEnvironment(env) : "Couldn't initialize any backend (the ring backend needs MLX_RANK and MLX_HOSTFILE; mlx-ts launch sets them)");
    return SINGLETON;
  }
  const config = readRingConfig(op, env);
  const members = [...config.addresses.keys()];
  if (members.length === 1) return (world = SINGLETON);
  const link = RingLink.open(op, config);
  return (world = Group.of({ link, members, index: config.rank, tag: groupTag(members) }));
}
