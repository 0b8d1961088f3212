// The tape: a simplified, fused graph flattened into numbered slots, replayed
// on each call's inputs into an ordinary lazy graph of new nodes (the same
// primitives, the recorded shapes; a shapeless tape validates each primitive
// on the new inputs and asks its output rule for their shapes, its errors
// named as the op that built the node names its own).

import { MxArray } from "../array.js";
import type { Stream } from "../device.js";
import { relabel } from "../errors.js";
import { node, nodes, siblingNodes } from "../ops/base.js";
import type { Primitive, Spec } from "../primitive.js";
import type { Graph, Value } from "./graph.js";
import { Fused } from "./fusion.js";

interface Step {
  readonly prim: Primitive;
  readonly inputs: readonly number[];
  readonly stream: Stream;
  readonly specs: readonly Spec[];
  readonly multi: boolean;
  /** The slot of its first output; the others follow. */
  readonly first: number;
  /** The op whose call built the node (GraphNode.builtBy), which a replay's errors name. */
  readonly builtBy: string | undefined;
}

export class Tape {
  /** The captured constants and the slot of each. */
  private readonly constants: readonly (readonly [number, MxArray])[];
  private readonly steps: readonly Step[];
  private readonly outputs: readonly number[];
  private readonly size: number;

  constructor(
    g: Graph,
    private readonly shapeless: boolean,
  ) {
    const slots = new Map<unknown, number>();
    const constants: [number, MxArray][] = [];
    let next = g.inputs.length;
    const slotOf = (v: Value): number => {
      if (v.kind === "input") return v.index;
      if (v.kind === "constant") {
        let k = slots.get(v.array);
        if (k === undefined) {
          slots.set(v.array, (k = next++));
          constants.push([k, v.array]);
        }
        return k;
      }
      return slots.get(v.node)! + v.index;
    };
    const steps: Step[] = [];
    for (const n of g.nodes) {
      const inputs = n.inputs.map(slotOf);
      slots.set(n, next);
      steps.push({ prim: n.prim, inputs, stream: n.stream, specs: n.specs, multi: n.multi, first: next, builtBy: n.builtBy });
      next += n.specs.length;
    }
    this.outputs = g.outputs.map(slotOf);
    this.constants = constants;
    this.steps = steps;
    this.size = next;
  }

  /** The number of nodes one replay builds. */
  get length(): number {
    return this.steps.length;
  }

  /** New lazy nodes computing the traced function on `inputs`; its outputs. */
  replay(inputs: readonly MxArray[]): MxArray[] {
    const s = new Array<MxArray>(this.size);
    inputs.forEach((x, i) => (s[i] = x));
    for (const [k, c] of this.constants) s[k] = c;
    for (const st of this.steps) {
      let outs: MxArray[];
      try {
        outs = replayStep(st.prim, st.inputs.map((k) => s[k]!), st.stream, st.specs, st.multi, this.shapeless);
      } catch (e) {
        // a shapeless replay's check of the new shapes: the op's name, as the op's own check gives it (`[conv2d] ...`, not `[conv] ...`)
        throw st.builtBy === undefined ? e : relabel(e, st.builtBy);
      }
      outs.forEach((o, i) => (s[st.first + i] = o));
    }
    return this.outputs.map((k) => s[k]!);
  }
}

/** A fused group's members as nodes of their own on `ins` (a replay's shapes its kernel does not fit); the group's outputs. */
function unfused(prim: Fused, ins: readonly MxArray[], stream: Stream): MxArray[] {
  const values = [...ins];
  for (const m of prim.group.nodes) values.push(node(m.primitive, m.operands.map((k) => values[k]!), stream));
  return prim.group.outputs.map((j) => values[ins.length + j]!);
}

/**
 * A recorded node's new lazy nodes on `ins` (a compile tape's and a function
 * file's replay): with the recorded `specs`, or where `shapeless` the
 * primitive validated on the new inputs (no op checked their shapes: an
 * empty axis for max or argmax, say) and its output rule asked for them
 * (a fused group whose kernel does not fit them runs as its members).
 */
export function replayStep(prim: Primitive, ins: MxArray[], stream: Stream, specs: readonly Spec[], multi: boolean, shapeless: boolean): MxArray[] {
  if (shapeless) {
    prim.validate(ins);
    if (prim instanceof Fused && !prim.fitsShapes(ins)) return unfused(prim, ins, stream);
    return multi ? nodes(prim, ins, stream) : [node(prim, ins, stream)];
  }
  if (multi) return siblingNodes(prim, ins, stream, specs);
  return [new MxArray(specs[0]!.shape, specs[0]!.dtype, stream, prim, ins)];
}
