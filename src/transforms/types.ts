// The static types of the transforms: what a transformed function takes and
// returns, computed from the user's function (its parameter list, its return
// type, and the argnums it is differentiated by), so no call needs a cast.

import type { MxArray } from "../array.js";

/** A function of arrays returning one array or a list of them (vjp, jvp, customFunction, checkpoint). */
export type ArrayFn = (...args: MxArray[]) => MxArray | readonly MxArray[];

/** What a function differentiated by grad returns: a scalar array, or a list starting with one (the rest is carried along). */
export type LossOutput = MxArray | readonly [MxArray, ...unknown[]] | readonly MxArray[];

/**
 * A scalar function of trees of arrays (and other values), as grad and
 * valueAndGrad take. `any[]` (not `unknown[]` or `never[]`): every parameter
 * list must fit, and unannotated parameters must get a usable type.
 */
export type LossFn = (...args: any[]) => LossOutput;

/** Arrays in nested lists and plain objects (what vmap's function may return). */
export type ArrayTree = MxArray | readonly ArrayTree[] | { readonly [key: string]: ArrayTree };

/** A function of trees of arrays returning a tree of arrays (one array, a list, an object), as vmap maps. */
export type MappableFn = (...args: any[]) => ArrayTree;

/** The outputs of a function of arrays as a list: one array becomes `[MxArray]`, a tuple keeps its length. */
export type OutputList<R> = R extends MxArray ? [MxArray] : { -readonly [K in keyof R]: MxArray };

/** One array per element of the parameter list `P` (cotangents or tangents of the primals). */
export type ArrayPerArgument<P extends readonly unknown[]> = { -readonly [K in keyof P]: MxArray };

/** `argnums`: one argument index or a list of them; absent means 0. */
export type Argnums = number | readonly number[] | undefined;

/** The valid indices of parameter list `P`: 0 | 1 | ... for a fixed list, any number when it has a rest parameter. */
export type Indices<P extends readonly unknown[]> = number extends Required<P>["length"]
  ? number
  : Exclude<Partial<Required<P>>["length"], Required<P>["length"]>;

/** Whether index `N` names a parameter of `P` (any number does when `N` is only known at run time). */
export type InRange<P extends readonly unknown[], N> = number extends N ? true : N extends Indices<P> ? true : false;

/** Whether every index in argnums `I` names a parameter of `P`. */
export type ValidArgnums<P extends readonly unknown[], I> = I extends undefined
  ? true
  : I extends number
    ? InRange<P, I>
    : I extends readonly number[]
      ? false extends { [K in keyof I]: InRange<P, I[K]> }[number] ? false : true
      : false;

/** `I` when it indexes `P`'s parameters, else the indices that would (so a wrong argnums is an error naming them). */
export type CheckedArgnums<P extends readonly unknown[], I> = ValidArgnums<P, I> extends true ? I : Indices<P> | readonly Indices<P>[];

/**
 * The gradient of the arguments `I` of parameter list `P`: each has its
 * argument's type (a tree of arrays gives the same tree of gradients); a list
 * of argnums gives a tuple of them.
 */
export type Gradients<P extends readonly unknown[], I> = I extends undefined
  ? P[0]
  : I extends number
    ? P[I]
    : { -readonly [K in keyof I]: P[I[K] & number] };

export interface GradOptions<I = Argnums> {
  /** The arguments to differentiate with respect to (default 0); each may be a tree of arrays. */
  argnums?: I | undefined;
}
