// MLX's positional-or-keyword parameters as nn's layers, the optimizers,
// nn.init, nn.losses and mx.utils' trees take them: any leading part
// positionally in MLX's order, then the options object with the rest.

import type { OptionsWithout } from "./argument-checks.js";
import { describeValue, opError } from "./errors.js";
import { checkOptions } from "./ops/strict-options.js";
import { isPlainObject } from "./transforms/tree.js";

/**
 * MLX's keyword arguments that a layer or function takes positionally
 * (`new nn.Linear(i, o, bias)`), accepted also as the trailing options object
 * the rest of nn takes (`new nn.Linear(i, o, { bias: false })`). `given` are
 * the trailing arguments as received, `names` their names in order. A plain
 * object among them is the options object: it comes last and holds only the
 * names from its position on (those before it are given positionally).
 * Returns each name's value (undefined where not given), to be checked by the caller.
 */
export function keywords(op: string, given: readonly unknown[], names: readonly string[]): Record<string, unknown> {
  const at = given.findIndex((v) => isPlainObject(v));
  if (at < 0) return Object.fromEntries(names.map((n, i) => [n, given[i]]));
  const late = given.findIndex((v, i) => i > at && v !== undefined);
  if (late >= 0) throw opError(op, `got ${describeValue(given[late])} after the options object { ${names.slice(at).join(", ")} }; the options come last`, [], "type");
  const o = given[at] as Record<string, unknown>;
  checkOptions(op, o, names.slice(at), false);
  return Object.fromEntries(names.map((n, i) => [n, i < at ? given[i] : o[n]]));
}

/**
 * `keywords` for the trailing `...rest` of a layer or method: the first
 * `positional` names (all, by default) may come positionally, the others
 * (MLX's keyword-only parameters, after its bare `*`) only in the options
 * object. A value in their place, or past the last name, is refused with the
 * name at fault, not dropped.
 */
export function keywordArgs(op: string, given: readonly unknown[], names: readonly string[], positional = names.length): Record<string, unknown> {
  const at = given.findIndex((v) => isPlainObject(v));
  const end = at < 0 ? given.length : at;
  for (let i = positional; i < end; i++) {
    const v = given[i];
    if (v === undefined) continue;
    if (i < names.length) throw opError(op, `${names[i]} is keyword-only: give it in the options object, not positionally (got ${describeValue(v)})`, [], "type");
    throw opError(op, `takes ${names[positional - 1] ?? "nothing"} as its last positional argument; got ${describeValue(v)} after it`, [], "type");
  }
  // undefined fillers past the positional ones: the options object then holds every name from there on
  return keywords(op, at > positional ? [...given.slice(0, positional), ...given.slice(at)] : given, names);
}

/**
 * The forms of `PositionalThen<P, O>` that end in the options object, for an
 * overload keyed on an option's type (Linear.toQuantized's `quantizeInput: true`).
 */
export type PositionalThenOptions<P extends readonly (readonly [string, unknown])[], O, Given extends unknown[] = [], Taken extends string = never> =
  | [...Given, OptionsWithout<O, Taken>]
  | (P extends readonly [readonly [infer N extends string, infer T], ...infer Rest extends readonly (readonly [string, unknown])[]]
    ? PositionalThenOptions<Rest, O, [...Given, T | null | undefined], Taken | N>
    : never);

/**
 * PositionalThen (argument-checks.ts) without the options slot once every
 * parameter of `P` is given positionally, where the options left would be
 * `{}`, a type that takes any value: `new Adagrad(0.1, 1e-6)` ends there.
 */
export type KeywordArgs<P extends readonly (readonly [string, unknown])[], O, Given extends unknown[] = [], Taken extends string = never> =
  | ([keyof OptionsWithout<O, Taken>] extends [never] ? Given : [...Given, (OptionsWithout<O, Taken> | undefined)?])
  | (P extends readonly [readonly [infer N extends string, infer T], ...infer Rest extends readonly (readonly [string, unknown])[]]
    ? KeywordArgs<Rest, O, [...Given, T | null | undefined], Taken | N>
    : never);
