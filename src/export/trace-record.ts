// A traced graph as a file's trace record (numbered slots: inputs, then
// constants, then each node's outputs), and a record rebuilt into a function
// that makes a fresh lazy graph of the same primitives on each call.

import { MxArray } from "../array.js";
import { Stream, deviceFor, toStream } from "../device.js";
import { dtypeFromName } from "../dtype.js";
import type { BackendName } from "../../backends/backend.js";
import type { Graph, Value } from "../compile/graph.js";
import type { Primitive, Spec } from "../primitive.js";
import { replayStep } from "../compile/tape.js";
import type { NodeRecord, SpecRecord, TraceRecord } from "./function-file.js";
import { decodePrimitive, encodePrimitive } from "./primitive-codec.js";

const specRecord = (s: Spec): SpecRecord => ({ dtype: s.dtype.name, shape: [...s.shape] });

/**
 * The nodes, constants and outputs of `g` as a record; `constantIndex` gives
 * the file's index of a captured array (adding it when new), `inputs` are the
 * arrays the trace stood for (their streams place the first nodes).
 */
export function recordGraph(op: string, g: Graph, inputs: readonly MxArray[], constantIndex: (a: MxArray) => number): Pick<TraceRecord, "constants" | "nodes" | "outputs"> {
  const constants: number[] = [];
  const constantSlots = new Map<MxArray, number>();
  const nodeSlots = new Map<unknown, number>();
  let next = inputs.length;
  const streamOf = (v: Value): Stream => (v.kind === "input" ? inputs[v.index]!.stream : v.kind === "constant" ? v.array.stream : v.node.stream);
  const slotOf = (v: Value): number => {
    if (v.kind === "input") return v.index;
    if (v.kind === "node") return nodeSlots.get(v.node)! + v.index;
    let k = constantSlots.get(v.array);
    if (k === undefined) {
      constants.push(constantIndex(v.array));
      constantSlots.set(v.array, (k = inputs.length + constants.length - 1));
    }
    return k;
  };
  // constants take the slots after the inputs, so they are numbered before any node
  for (const n of g.nodes) for (const v of n.inputs) if (v.kind === "constant") slotOf(v);
  for (const v of g.outputs) if (v.kind === "constant") slotOf(v);
  next += constants.length;
  const records: NodeRecord[] = g.nodes.map((n) => {
    const placed = toStream(undefined, n.inputs.map((v) => ({ stream: streamOf(v) })));
    const rec: NodeRecord = {
      primitive: encodePrimitive(op, n.prim),
      inputs: n.inputs.map(slotOf),
      // a user kernel runs on its language's backend only
      device: placed === n.stream && n.prim.name !== "customKernel" ? null : n.stream.device.backend,
      outputs: n.specs.map(specRecord),
      multi: n.multi,
    };
    nodeSlots.set(n, next);
    next += n.specs.length;
    return rec;
  });
  return { constants, nodes: records, outputs: g.outputs.map(slotOf) };
}

interface Step {
  readonly prim: Primitive;
  readonly inputs: readonly number[];
  readonly device: string | null;
  readonly specs: readonly Spec[];
  readonly multi: boolean;
}

const sameSpec = (a: Spec, b: Spec) => a.dtype === b.dtype && a.shape.length === b.shape.length && a.shape.every((n, i) => n === b.shape[i]);

/**
 * A trace record made callable: its primitives decoded, each node's
 * parameters validated against its inputs (no op checked them) and its
 * recorded outputs checked against the primitive's own rule.
 */
export class ReplayableTrace {
  private readonly steps: readonly Step[];

  constructor(
    readonly record: TraceRecord,
    /** The file's constants (the arrays this trace's constants index). */
    private readonly fileConstants: readonly MxArray[],
    private readonly shapeless: boolean,
    bad: (what: string) => Error,
  ) {
    const specs: Spec[] = [
      ...record.inputs.map((s) => ({ shape: s.shape, dtype: dtypeFromName(s.dtype) })),
      ...record.constants.map((c) => fileConstants[c]!),
    ];
    this.steps = record.nodes.map((n, j) => {
      const prim = decodePrimitive(n.primitive, bad);
      if (n.device !== null) {
        try {
          toStream(deviceFor(n.device as BackendName));
        } catch (e) {
          throw bad(`node ${j} ('${prim.name}') runs on backend '${n.device}': ${(e as Error).message}`);
        }
      }
      const recorded = n.outputs.map((s) => ({ shape: s.shape, dtype: dtypeFromName(s.dtype) }));
      const ins = n.inputs.map((k) => specs[k]!);
      try {
        prim.validate(ins);
      } catch (e) {
        throw bad(`node ${j} ('${prim.name}') has parameters that do not fit its inputs: ${(e as Error).message}`);
      }
      let rule: readonly Spec[];
      try {
        rule = prim.outputs(ins);
      } catch (e) {
        throw bad(`node ${j} ('${prim.name}') rejects its inputs: ${(e as Error).message}`);
      }
      if (rule.length !== recorded.length || !rule.every((s, i) => sameSpec(s, recorded[i]!)) || (!n.multi && recorded.length !== 1)) {
        throw bad(`node ${j} ('${prim.name}') records outputs its primitive does not make from its inputs`);
      }
      specs.push(...recorded);
      return { prim, inputs: n.inputs, device: n.device, specs: recorded, multi: n.multi };
    });
  }

  /** The outputs of the trace on `inputs` (in the record's order), as new lazy nodes; a shapeless trace validates each node on its new inputs. */
  replay(inputs: readonly MxArray[]): MxArray[] {
    const s: MxArray[] = [...inputs, ...this.record.constants.map((c) => this.fileConstants[c]!)];
    for (const st of this.steps) {
      const ins = st.inputs.map((k) => s[k]!);
      const stream = st.device === null ? toStream(undefined, ins) : toStream(deviceFor(st.device as BackendName));
      s.push(...replayStep(st.prim, ins, stream, st.specs, st.multi, this.shapeless));
    }
    return this.record.outputs.map((k) => s[k]!);
  }
}
