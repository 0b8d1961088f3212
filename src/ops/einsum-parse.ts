// The subscript grammar of einsum and einsumPath (MLX's, after NumPy's):
// comma-separated letter terms, an optional "->" output (implicit: the letters
// used once, sorted, after the ellipsis), one "..." per term standing for the
// leading axes it covers, size-1 axes broadcasting. Parsed and checked here.

import { describeValue, opError } from "../errors.js";

/** A parsed einsum: one letter string per operand (ellipses expanded), the output letters, each letter's size. */
export interface EinsumSpec {
  inputs: string[];
  output: string;
  sizes: Map<string, number>;
}

const LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

/** Term `term` split around its one ellipsis (checked: letters and at most one "..."), naming the op and the term. */
function splitTerm(op: string, term: string, where: string): { before: string; after: string; ellipsis: boolean } {
  const parts = term.split("...");
  if (parts.length > 2) throw opError(op, `only one ellipsis per subscript is allowed, got '${term}' (${where})`, [], "value");
  for (const part of parts) {
    for (const c of part) {
      if (!LETTERS.includes(c)) throw opError(op, `subscripts must be letters or '...', got '${c}' in '${term}' (${where})`, [], "value");
    }
  }
  return { before: parts[0]!, after: parts[1] ?? "", ellipsis: parts.length === 2 };
}

/** The output of the implicit form: letters used exactly once, sorted (uppercase first), after "..." when any term has one. */
function implicitOutput(terms: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const t of terms) for (const c of t.replaceAll("...", "")) counts.set(c, (counts.get(c) ?? 0) + 1);
  const once = [...counts].filter(([, n]) => n === 1).map(([c]) => c).sort();
  return (terms.some((t) => t.includes("...")) ? "..." : "") + once.join("");
}

/**
 * Parses `subscripts` for operands of shapes `shapes`: checks the grammar, the
 * operand count, each term's rank, repeated letters' sizes and broadcasting;
 * errors name `op` and the subscript at fault.
 */
export function parseEinsum(op: string, subscripts: unknown, shapes: readonly (readonly number[])[]): EinsumSpec {
  if (typeof subscripts !== "string") throw opError(op, `subscripts must be a string such as 'ij,jk->ik', got ${describeValue(subscripts)}`, [], "type");
  if (shapes.length === 0) throw opError(op, `at least one operand is required for subscripts '${subscripts}'`, [], "value");
  const text = subscripts.replace(/\s+/g, "");
  const arrow = text.split("->");
  if (arrow.length > 2) throw opError(op, `subscripts '${subscripts}' hold more than one '->'`, [], "value");
  const terms = arrow[0]!.split(",");
  if (terms.length !== shapes.length) {
    throw opError(op, `subscripts '${subscripts}' name ${terms.length} operand${terms.length === 1 ? "" : "s"} but ${shapes.length} ${shapes.length === 1 ? "was" : "were"} given`, [], "value");
  }
  const outTerm = arrow.length === 2 ? arrow[1]! : implicitOutput(terms);
  const used = new Set(text);
  const spare = [...LETTERS].filter((c) => !used.has(c));
  let ellipsisRank = 0;
  const expand = (before: string, after: string, rank: number) => before + spare.slice(spare.length - rank).join("") + after;
  const inputs = terms.map((t, i) => {
    const where = `operand ${i} of shape [${shapes[i]!.join(", ")}]`;
    const { before, after, ellipsis } = splitTerm(op, t, where);
    const ndim = shapes[i]!.length;
    if (!ellipsis) {
      if (t.length !== ndim) throw opError(op, `subscript '${t}' has ${t.length} letter${t.length === 1 ? "" : "s"} for ${where} with ${ndim} dimension${ndim === 1 ? "" : "s"}`, [], "value");
      return t;
    }
    const rank = ndim - before.length - after.length;
    if (rank < 0) throw opError(op, `subscript '${t}' needs at least ${before.length + after.length} dimensions, ${where} has ${ndim}`, [], "value");
    if (rank > spare.length) throw opError(op, `subscripts '${subscripts}' leave too few unused letters for the ellipsis of '${t}'`, [], "value");
    ellipsisRank = Math.max(ellipsisRank, rank);
    return expand(before, after, rank);
  });
  const out = splitTerm(op, outTerm, "the output");
  const output = out.ellipsis ? expand(out.before, out.after, ellipsisRank) : outTerm;
  if (new Set(output).size !== output.length) throw opError(op, `output subscript '${outTerm}' repeats a letter`, [], "value");
  const sizes = new Map<string, number>();
  inputs.forEach((t, i) => {
    const shape = shapes[i]!;
    const own = new Map<string, number>();
    [...t].forEach((c, ax) => {
      const n = shape[ax]!;
      const mine = own.get(c);
      if (mine !== undefined && mine !== n) throw opError(op, `repeated subscript '${c}' in '${terms[i]}' spans axes of different sizes (${mine} and ${n}) of operand ${i} of shape [${shape.join(", ")}]`, [], "value");
      own.set(c, n);
      const seen = sizes.get(c);
      if (seen !== undefined && seen !== n && seen !== 1 && n !== 1) {
        throw opError(op, `subscript '${c}' of '${terms[i]}' is ${n} long in operand ${i} of shape [${shape.join(", ")}] but ${seen} elsewhere; sizes must match or be 1`, [], "value");
      }
      sizes.set(c, seen === undefined || seen === 1 ? n : seen);
    });
  });
  for (const c of output) if (!sizes.has(c)) throw opError(op, `output subscript '${c}' of '${outTerm}' appears in no input`, [], "value");
  return { inputs, output, sizes };
}
