// mx.tidy(fn) and mx.eval(...): tidy disposes every array created inside fn
// that the result does not need (arrays returned, and the inputs of returned
// arrays that are not evaluated yet); those inputs are released as soon as
// their last user has been evaluated; when fn throws, everything it created
// is disposed, and so when fn is async (it must be synchronous). eval takes
// arrays or trees of them.

import { MxArray } from "./array.js";
import { describeValue, opError } from "./errors.js";
import { evaluate } from "./eval.js";
import { libraryHeldArrays, tidyScopes } from "./memory.js";
import { isPlainObject, treeFieldsOf } from "./transforms/tree.js";

/** Arrays found in a tree of arrays, JS arrays, plain objects and objects with the treeFields protocol (modules). */
export function collectArrays(tree: unknown, out: MxArray[] = []): MxArray[] {
  if (tree instanceof MxArray) out.push(tree);
  else if (Array.isArray(tree)) for (const t of tree) collectArrays(t, out);
  else if (isPlainObject(tree)) for (const t of Object.values(tree)) collectArrays(t, out);
  else for (const k of treeFieldsOf(tree) ?? []) collectArrays((tree as Record<string, unknown>)[k], out);
  return out;
}

function graphOf(roots: readonly MxArray[]): Set<MxArray> {
  const seen = new Set<MxArray>();
  const stack = [...roots];
  while (stack.length) {
    const a = stack.pop()!;
    if (seen.has(a)) continue;
    seen.add(a);
    for (const i of a.inputs) stack.push(i);
  }
  return seen;
}

/**
 * Runs the synchronous `fn` and disposes every array created inside it that its
 * result does not need: the arrays it returns (in any tree) stay, and the inputs
 * of returned arrays not yet evaluated are freed once they have run. Keeps a loop
 * body's memory flat without calling `dispose()`.
 * @example
 * ```ts
 * const x = mx.array([1, 2, 3]);
 * const made: mx.MxArray[] = [];
 * const y = mx.tidy(() => {
 *   const unused = mx.exp(x); // the result does not need it: freed when tidy returns
 *   const squares = mx.square(x); // y needs it: freed once y has been evaluated
 *   made.push(unused, squares);
 *   return mx.sum(squares);
 * });
 * made[0]!.isDisposed; // true
 * await y.item(); // 14
 * made[1]!.isDisposed; // true
 * ```
 */
export function tidy<T>(fn: () => T): T {
  if (typeof fn !== "function") throw opError("tidy", `fn must be a function, got ${describeValue(fn)}`, [], "type");
  const scope = new Set<MxArray>();
  tidyScopes.push(scope as Set<{ dispose(): void }>);
  let result: T;
  try {
    result = fn();
  } catch (e) {
    // nothing the function created can be returned now: all of it goes
    for (const a of scope) a.dispose();
    throw e;
  } finally {
    tidyScopes.pop();
  }
  if (result instanceof Promise) {
    // the function runs on after its first await, outside the scope: its
    // rejection (using an array disposed here, say) is the program's error, reported here
    result.catch(() => undefined);
    for (const a of scope) a.dispose();
    throw opError("tidy", "fn must be synchronous (it returned a Promise); evaluate with mx.eval after tidy returns, or dispose arrays explicitly in async code", [], "type");
  }
  // what the library holds across calls (the global random key, split inside fn) stays as if returned
  const returned = new Set([...collectArrays(result), ...(libraryHeldArrays() as MxArray[])]);
  const keep = graphOf([...returned]);
  const outer = tidyScopes[tidyScopes.length - 1];
  for (const a of scope) {
    if (!keep.has(a)) a.dispose();
    else {
      // needed only by the graph of the results: freed once its last user has run
      if (!returned.has(a)) a.releaseWhenConsumed();
      outer?.add(a);
    }
  }
  return result;
}

/**
 * Evaluates the arrays found in its arguments (arrays, or lists and plain
 * objects of them, nested) in one pass over their graph; until then ops only
 * record what to compute. Exported as `mx.eval`.
 * @example
 * ```ts
 * const a = mx.add(mx.array([1, 2]), 1);
 * const b = mx.multiply(a, 2);
 * a.isEvaluated; // false
 * await mx.eval(a, { out: [b] });
 * b.isEvaluated; // true
 * ```
 */
export async function evalArrays(...trees: unknown[]): Promise<void> {
  await evaluate(collectArrays(trees));
}
