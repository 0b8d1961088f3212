// The contraction order of einsum: MLX's greedy pairwise path (after
// opt_einsum's and NumPy's 'greedy'): at each step contract the pair that
// shrinks the live terms most (then the cheapest), skipping outer products
// while any pair shares a letter, within the naive cost and the largest term.

import type { EinsumSpec } from "./einsum-parse.js";

/** One contraction: the positions (in the live list) of the terms it takes, their letters and the letters it leaves. */
export interface PathStep {
  positions: number[];
  inputs: string[];
  output: string;
}

export interface EinsumPlan {
  steps: PathStep[];
  naiveCost: number;
  naiveScaling: number;
  optimizedCost: number;
  optimizedScaling: number;
}

const unique = (s: string) => [...new Set(s)];

/** The product of the sizes of `letters` (each letter once per occurrence). */
function volume(letters: Iterable<string>, sizes: ReadonlyMap<string, number>): number {
  let n = 1;
  for (const c of letters) n *= sizes.get(c)!;
  return n;
}

/** Flops of contracting `terms` into `output` at once: the full index volume times (terms - 1, at least 1, plus 1 when a letter is summed). */
function naiveCost(terms: readonly string[], output: string, sizes: ReadonlyMap<string, number>): [number, number] {
  const all = unique(terms.join(""));
  const summed = all.some((c) => !output.includes(c));
  return [volume(all, sizes) * (Math.max(1, terms.length - 1) + (summed ? 1 : 0)), all.length];
}

interface Candidate {
  removed: number;
  cost: number;
  kept: string[];
  dims: number;
  x: number;
  y: number;
}

/** The plan of `spec`: one step for up to two operands, else the greedy pairwise path (ending in one naive step where no pair qualifies). */
export function planEinsum(spec: EinsumSpec): EinsumPlan {
  const { sizes, output } = spec;
  const [naive, naiveScaling] = naiveCost(spec.inputs, output, sizes);
  if (spec.inputs.length <= 2) {
    const step = { positions: spec.inputs.map((_, i) => i), inputs: [...spec.inputs], output };
    return { steps: [step], naiveCost: naive, naiveScaling, optimizedCost: naive, optimizedScaling: naiveScaling };
  }
  const memoryLimit = Math.max(volume(output, sizes), ...spec.inputs.map((t) => volume(t, sizes)));
  // each live term's letters as written (repeats kept for the step that collapses them) and as a set
  const strs = [...spec.inputs];
  const terms = spec.inputs.map(unique);
  const steps: PathStep[] = [];
  let pathCost = 0, scaling = 0;
  let candidates: Candidate[] = [];
  let pairs: [number, number][] = [];
  for (let i = 0; i < terms.length; i++) for (let j = i + 1; j < terms.length; j++) pairs.push([i, j]);
  const rounds = terms.length - 1;
  for (let round = 0; round < rounds; round++) {
    const consider = (x: number, y: number) => {
      const union = unique(terms[x]!.join("") + terms[y]!.join(""));
      const elsewhere = new Set(output);
      terms.forEach((t, i) => i !== x && i !== y && t.forEach((c) => elsewhere.add(c)));
      const kept = union.filter((c) => elsewhere.has(c));
      const keptSize = volume(kept, sizes);
      if (keptSize > memoryLimit) return;
      const cost = volume(union, sizes) * (union.length > kept.length ? 2 : 1);
      if (pathCost + cost > naive) return;
      candidates.push({ removed: volume(terms[x]!, sizes) + volume(terms[y]!, sizes) - keptSize, cost, kept, dims: union.length, x, y });
    };
    const shares = (x: number, y: number) => terms[x]!.some((c) => terms[y]!.includes(c));
    for (const [x, y] of pairs) if (shares(x, y)) consider(x, y);
    if (candidates.length === 0) for (const [x, y] of pairs) consider(x, y);
    if (candidates.length === 0) {
      const [cost, scale] = naiveCost(strs, output, sizes);
      steps.push({ positions: terms.map((_, i) => i), inputs: [...strs], output });
      pathCost += cost;
      scaling = Math.max(scaling, scale);
      break;
    }
    let best = candidates[0]!;
    for (const c of candidates) if (c.removed > best.removed || (c.removed === best.removed && c.cost < best.cost)) best = c;
    scaling = Math.max(scaling, best.dims);
    // the new term's letters, smallest axes first (ties in letter order)
    const kept = [...best.kept].sort((p, q) => sizes.get(p)! - sizes.get(q)! || (p < q ? -1 : p > q ? 1 : 0));
    steps.push({ positions: [best.x, best.y], inputs: [strs[best.x]!, strs[best.y]!], output: kept.join("") });
    for (const list of [terms, strs] as unknown[][]) {
      list.splice(best.y, 1);
      list.splice(best.x, 1);
    }
    terms.push(kept);
    strs.push(kept.join(""));
    const shift = (i: number) => i - (i > best.x ? 1 : 0) - (i > best.y ? 1 : 0);
    candidates = candidates
      .filter((c) => c.x !== best.x && c.x !== best.y && c.y !== best.x && c.y !== best.y)
      .map((c) => ({ ...c, x: shift(c.x), y: shift(c.y) }));
    pairs = terms.slice(0, -1).map((_, i) => [i, terms.length - 1]);
    pathCost += best.cost;
  }
  steps[steps.length - 1]!.output = output;
  return { steps, naiveCost: naive, naiveScaling, optimizedCost: pathCost, optimizedScaling: scaling };
}
