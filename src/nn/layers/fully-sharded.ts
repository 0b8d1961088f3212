// MLX's fully sharded data parallelism (FullyShardedModule, fully_shard):
// each process stores its rank's rows (axis 0) of every parameter; a call
// gathers the full parameters (allGather) and its backward pass averages the
// gradients into each rank's rows (sumScatter / size).

import { MxArray } from "../../array.js";
import { allGather, sumScatter, type Group } from "../../distributed/index.js";
import { isDType, type DType } from "../../dtype.js";
import { describeValue, opError, shapeStr } from "../../errors.js";
import * as ops from "../../ops/index.js";
import { asOp, noExtraArguments } from "../../ops/strict-options.js";
import { customFunction } from "../../transforms/custom.js";
import { treeFlatten, treeUnflatten } from "../../transforms/utils.js";
import { keywords, options } from "../checks.js";
import { checkGroup, freeOnceRead } from "../distributed.js";
import { Module, isModule } from "../module.js";
import { shardParameters } from "./sharded.js";

/** MLX's `_maybe_shard`: the parameter filter, less nested FullyShardedModules (they gather their own). */
const shardable = (m: Module, k: string, v: unknown) => !(v instanceof FullyShardedModule) && Module.validParameterFilter(m, k, v);

/** The arrays of `module` that a FullyShardedModule shards, with their dotted paths. */
const shardableArrays = (module: Module) => treeFlatten(module.filterAndMap(shardable)).filter((kv): kv is [string, MxArray] => kv[1] instanceof MxArray);

/**
 * MLX's `_make_gather_fn`: a custom function from the shards to the full
 * parameters (each shard flattened, cast to `computeDtype`, concatenated,
 * allGather'ed and cut back into the full shapes) whose vjp averages each
 * full cotangent over the group into the rank's rows (sumScatter / size),
 * cast back to the shard's dtype.
 */
function gatherFunction(group: Group, fullShapes: readonly (readonly number[])[], shardSizes: readonly number[], computeDtype: DType | undefined): (...shards: MxArray[]) => MxArray[] {
  const n = group.size();
  const ends = shardSizes.reduce<number[]>((acc, s) => [...acc, (acc.at(-1) ?? 0) + s], []);
  const cuts = ends.slice(0, -1);
  const shardShapes = fullShapes.map(([rows, ...rest]) => [rows! / n, ...rest]);
  const cast = (x: MxArray, dtype: DType | undefined) => (dtype === undefined || x.dtype === dtype ? x : ops.astype(x, dtype));
  return customFunction(
    (...shards: MxArray[]) => {
      const row = ops.concatenate(shards.map((s) => cast(ops.reshape(s, [1, -1]), computeDtype)), 1);
      const full = allGather(row, { group });
      return ops.split(full, cuts, 1).map((p, i) => ops.reshape(p, [...fullShapes[i]!]));
    },
    {
      vjp: (shards, cotangents) => {
        const rows = ops.concatenate(cotangents.map((c) => ops.reshape(c, [n, -1])), 1);
        const summed = sumScatter(rows, { group });
        const mine = ops.divide(summed, n);
        freeOnceRead(summed, rows);
        return ops.split(mine, cuts, 1).map((p, i) => cast(ops.reshape(p, shardShapes[i]!), shards[i]!.dtype));
      },
    },
  );
}

/** The arguments of `M`'s forward method (any, when it has none). */
export type ForwardArgs<M> = M extends { forward(...args: infer A): unknown } ? A : unknown[];
/** What `M`'s forward method returns. */
export type ForwardResult<M> = M extends { forward(...args: never[]): infer R } ? R : unknown;
/** The arguments of `M`'s asLinear method. */
export type AsLinearArgs<M> = M extends { asLinear(...args: infer A): unknown } ? A : unknown[];
/** What `M`'s asLinear method returns. */
export type AsLinearResult<M> = M extends { asLinear(...args: never[]): infer R } ? R : unknown;

/** The options of FullyShardedModule and fullyShard (MLX's keywords). */
export interface FullyShardOptions {
  /** The group to shard across (default: the group `mx.distributed.init()` returns). */
  group?: Group | undefined;
  /** Cast the gathered parameters to this dtype for the call (the gradients come back in the shards' dtypes); default: none. */
  computeDtype?: DType | undefined;
}

/**
 * `module` with each of its parameters sharded over `group` along axis 0
 * (MLX's `FullyShardedModule`, FSDP): each process keeps only its rank's
 * rows of every parameter (nested FullyShardedModules excepted: they shard
 * their own). A call (`forward`, `asLinear`) gathers the full parameters
 * (`allGather`, cast to `computeDtype` when given), calls the module with
 * them and puts the shards back; in the backward pass the gradients are
 * averaged over the group and each process gets its rows (`sumScatter`
 * divided by the size): the gradient of the data-parallel mean loss. So
 * each process stores and updates only its shard; clip with
 * `nn.clipGradNormSharded`. Every parameter's axis 0 must be a multiple of
 * the group size. The wrapped module is `module` (its parameters are under
 * the key "module"). Use `nn.fullyShard` to wrap.
 */
export class FullyShardedModule<M extends Module = Module> extends Module {
  /** The wrapped module, holding its shards. */
  module: M;
  /** The dotted paths (in the wrapped module) of the sharded parameters. */
  readonly #paths: readonly string[];
  /** The custom function from the shards to the full parameters. */
  readonly #gather: (...shards: MxArray[]) => MxArray[];
  constructor(module: M, group?: Group | FullyShardOptions, computeDtype?: DType) {
    super();
    noExtraArguments("nn.FullyShardedModule", arguments, 3);
    const op = "nn.FullyShardedModule";
    if (!isModule(module)) throw opError(op, `module must be an nn.Module, got ${describeValue(module)}`, [], "type");
    const given = keywords(op, [group, computeDtype], ["group", "computeDtype"]);
    const g = checkGroup(op, given.group);
    const dtype = given.computeDtype ?? undefined;
    if (dtype !== undefined && !isDType(dtype)) throw opError(op, `computeDtype must be an mx dtype (e.g. mx.bfloat16), got ${describeValue(dtype)}`, [], "type");
    const n = g.size();
    const flat = shardableArrays(module);
    for (const [path, a] of flat) {
      if (a.ndim === 0) throw opError(op, `Cannot shard parameter '${path}' because it is a scalar.`, [a], "value");
      if (a.shape[0]! % n !== 0) throw opError(op, `Cannot shard parameter '${path}' with shape ${shapeStr(a.shape)} across ${n} devices: axis 0 must be divisible by ${n}.`, [a], "value");
    }
    this.#paths = flat.map(([k]) => k);
    this.#gather = gatherFunction(g, flat.map(([, a]) => a.shape), flat.map(([, a]) => a.size / n), dtype as DType | undefined);
    module.update(asOp(op, () => shardParameters(op, treeUnflatten(flat), () => 0, g)) as Record<string, unknown>);
    this.module = module;
  }

  /** How many parameters are sharded (MLX's `len(_paths)`). */
  get numShardedParams(): number {
    return this.#paths.length;
  }

  protected override extraRepr(): string {
    return `numShardedParams=${this.#paths.length}`;
  }

  /** `call` run with the module holding its full parameters (gathered from the shards), the shards put back afterwards. */
  #gathered<R>(op: string, call: () => R): R {
    const shards = shardableArrays(this.module);
    const paths = shards.map(([k]) => k);
    if (paths.length !== this.#paths.length || paths.some((p, i) => p !== this.#paths[i])) {
      throw opError(op, `the wrapped module's parameters changed since it was sharded: it had ${this.#paths.join(", ") || "none"}, it has ${paths.join(", ") || "none"}`, [], "value");
    }
    if (paths.length === 0) return asOp(op, call);
    const fulls = asOp(op, () => this.#gather(...shards.map(([, a]) => a)));
    this.module.update(treeUnflatten(paths.map((p, i): [string, MxArray] => [p, fulls[i]!])) as Record<string, unknown>);
    try {
      return asOp(op, call);
    } finally {
      this.module.update(treeUnflatten(shards) as Record<string, unknown>);
    }
  }

  /**
   * The wrapped module's `forward(...args)`, with its full parameters.
   * @example
   * ```ts
   * const linear = new mx.nn.Linear(2, 2);
   * const y = linear.forward(mx.ones([1, 2]));
   * const sharded = new mx.nn.FullyShardedModule(linear);
   * await mx.allclose(sharded.forward(mx.ones([1, 2])), y).item(); // true
   * ```
   */
  forward(...args: ForwardArgs<M>): ForwardResult<M> {
    const op = "nn.FullyShardedModule.forward";
    const f = (this.module as { forward?: unknown }).forward;
    if (typeof f !== "function") throw opError(op, `the wrapped module (a ${this.module.constructor.name}) has no forward method`, [], "type");
    return this.#gathered(op, () => (f as (...a: unknown[]) => ForwardResult<M>).apply(this.module, args));
  }

  /**
   * The wrapped module's `asLinear(...args)` (an Embedding's output projection), with its full parameters.
   * @example
   * ```ts
   * const embedding = new mx.nn.Embedding(4, 2);
   * const sharded = new mx.nn.FullyShardedModule(embedding);
   * sharded.asLinear(mx.ones([1, 2])).shape; // [1, 4]
   * ```
   */
  asLinear(...args: AsLinearArgs<M>): AsLinearResult<M> {
    const op = "nn.FullyShardedModule.asLinear";
    const f = (this.module as { asLinear?: unknown }).asLinear;
    if (typeof f !== "function") throw opError(op, `the wrapped module (a ${this.module.constructor.name}) has no asLinear method`, [], "type");
    return this.#gathered(op, () => (f as (...a: unknown[]) => AsLinearResult<M>).apply(this.module, args));
  }
}

/**
 * `module` wrapped in a FullyShardedModule over `group` (MLX's
 * `fully_shard`), or `module` itself when there is nothing to do: a group
 * of one process, a module already wrapped, or one without parameters.
 * @example
 * ```ts
 * const model = new mx.nn.Linear(4, 4);
 * mx.nn.fullyShard(model) === model; // true
 * ```
 */
export function fullyShard<M extends Module>(module: M, o?: FullyShardOptions): M | FullyShardedModule<M> {
  noExtraArguments("nn.fullyShard", arguments, 2);
  const op = "nn.fullyShard";
  if (!isModule(module)) throw opError(op, `module must be an nn.Module, got ${describeValue(module)}`, [], "type");
  const p = options(op, o, ["group", "computeDtype"]);
  const group = checkGroup(op, p.group);
  if (p.computeDtype !== undefined && !isDType(p.computeDtype)) throw opError(op, `computeDtype must be an mx dtype (e.g. mx.bfloat16), got ${describeValue(p.computeDtype)}`, [], "type");
  if (group.size() === 1 || module instanceof FullyShardedModule) return module;
  const wrapped = asOp(op, () => new FullyShardedModule(module, { group, computeDtype: p.computeDtype }));
  return wrapped.numShardedParams > 0 ? wrapped : module;
}
