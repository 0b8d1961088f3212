// The tape: a simplified, fused graph flattened into numbered slots, replayed
// on each call's inputs into an ordinary lazy graph of new nodes (the same
// primitives, the recorded shapes; a shapeless tape validates each primitive
// on the new inputs and asks its output rule for their shapes).

import { MxArray } from "../array.js";
import type { Stream } from "../device.js";
import { node, nodes, siblingNodes } from "../ops/base.js";
import type { Primitive, Spec } from "../primitive.js";
import type { Graph, Value } from "./graph.js";

interface Step {
  readonly prim: Primitive;
  readonly inputs: readonly number[];
  readonly stream: Stream;
  readonly specs: readonly Spec[];
  readonly multi: boolean;
  /** The slot of its first output; the others follow. */
  readonly first: number;
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
      steps.push({ prim: n.prim, inputs, stream: n.stream, specs: n.specs, multi: n.multi, first: next });
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
      const ins = st.inputs.map((k) => s[k]!);
      // no op checked the new shapes (an empty axis for max or argmax, say)
      if (this.shapeless) st.prim.validate(ins);
      if (st.multi) {
        const outs = this.shapeless ? nodes(st.prim, ins, st.stream) : siblingNodes(st.prim, ins, st.stream, st.specs);
        outs.forEach((o, i) => (s[st.first + i] = o));
      } else {
        const spec = st.specs[0]!;
        s[st.first] = this.shapeless ? node(st.prim, ins, st.stream) : new MxArray(spec.shape, spec.dtype, st.stream, st.prim, ins);
      }
    }
    return this.outputs.map((k) => s[k]!);
  }
}
