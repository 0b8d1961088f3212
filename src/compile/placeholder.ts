// The inputs of a function while compile or exportFunction traces it: arrays with the caller's
// shapes, dtypes and streams but no values. Evaluating anything computed
// from them is an error, as in MLX (the trace must not depend on values).

import type { Backend, MultiKernel } from "../../backends/backend.js";
import { MxArray } from "../array.js";
import type { CarriesKernel } from "../eval.js";
import { Primitive, type Spec } from "../primitive.js";

class Placeholder extends Primitive implements CarriesKernel {
  readonly name = "compileInput";
  /** The function that traces (compile, exportFunction, exporter), named by the error of a read. */
  constructor(readonly tracer: string) {
    super();
  }
  override get errorName(): string {
    return this.tracer;
  }
  output(): Spec {
    throw new Error("[compile] a placeholder has no output rule");
  }
  kernelOn(_backend: Backend): MultiKernel {
    return () => {
      throw new Error(
        `[${this.tracer}] cannot evaluate an array computed from the inputs of a function while it is traced: either the function reads a value (mx.eval, .item(), .tolist(), data reads; the trace must not depend on values: move the read out of it), or the array escaped the trace (the function stored it in a module, an optimizer or an object: give that state to compile as its outputs)`,
      );
    };
  }
}

const placeholders = new Map<string, Placeholder>();

/** A value-less stand-in for `x` while `op` (compile by default) traces a function. */
export function placeholderOf(x: MxArray, op = "compile"): MxArray {
  let p = placeholders.get(op);
  if (!p) placeholders.set(op, (p = new Placeholder(op)));
  return new MxArray(x.shape, x.dtype, x.stream, p, []);
}
