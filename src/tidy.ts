// mx.tidy(fn) and mx.eval(...): tidy disposes every array created inside fn
// that the result does not need (arrays returned, and the inputs of returned
// arrays that are not evaluated yet); those inputs are released as soon as
// their last user has been evaluated; when fn throws, everything it created
// is disposed. eval takes arrays or trees of them.

import { MxArray } from "./array.js";
import { evaluate } from "./eval.js";
import { tidyScopes } from "./memory.js";

/** Arrays found in a tree of arrays, JS arrays and plain objects. */
export function collectArrays(tree: unknown, out: MxArray[] = []): MxArray[] {
  if (tree instanceof MxArray) out.push(tree);
  else if (Array.isArray(tree)) for (const t of tree) collectArrays(t, out);
  else if (tree && typeof tree === "object" && Object.getPrototypeOf(tree) === Object.prototype) {
    for (const t of Object.values(tree)) collectArrays(t, out);
  }
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

export function tidy<T>(fn: () => T): T {
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
    throw new TypeError("mx.tidy takes a synchronous function; evaluate with mx.eval after tidy returns, or dispose arrays explicitly in async code");
  }
  const returned = new Set(collectArrays(result));
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

/** Evaluates every array in the arguments (arrays, or lists/objects of arrays). */
export async function evalArrays(...trees: unknown[]): Promise<void> {
  await evaluate(collectArrays(trees));
}
