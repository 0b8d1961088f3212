// The places in grad's differentiated arguments that hold arrays, as MLX's
// value_and_grad treats them: the tracers are written into the caller's own
// lists, objects and nn.Modules for the call and the originals put back after
// it, except where the function itself assigned a new value (which stays).

import { MxArray } from "../array.js";
import { isPlainObject, treeFieldsOf, type TreeDef } from "./tree.js";

/** A container (list, plain object, or object with the treeFields protocol) and the key in it that holds an array. */
export interface Slot {
  holder: Record<string | number, unknown>;
  key: string | number;
}

/** A differentiated argument: its array leaves in tree order, the definition its gradient takes (tree-fields objects as dicts), and where each leaf lives. */
export interface ArgumentSlots {
  leaves: MxArray[];
  def: TreeDef;
  slots: Slot[];
}

/**
 * The arrays of `call[index]` and their slots, walking lists, plain objects and
 * tree-fields objects (nn.Module) depth first; other values are static leaves.
 * `onCycle` names the error for a container that holds itself.
 */
export function argumentSlots(call: unknown[], index: number, onCycle: () => Error): ArgumentSlots {
  const leaves: MxArray[] = [];
  const slots: Slot[] = [];
  const open = new Set<object>();
  const walk = (holder: Record<string | number, unknown>, key: string | number): TreeDef => {
    const t = holder[key];
    if (t instanceof MxArray) {
      leaves.push(t);
      slots.push({ holder, key });
      return { kind: "leaf" };
    }
    const fields = Array.isArray(t) ? undefined : isPlainObject(t) ? Object.keys(t) : treeFieldsOf(t);
    if (!Array.isArray(t) && fields === undefined) return { kind: "static", value: t };
    const node = t as Record<string | number, unknown>;
    if (open.has(node)) throw onCycle();
    open.add(node);
    const def: TreeDef = Array.isArray(t)
      ? { kind: "list", items: t.map((_, i) => walk(node, i)) }
      : { kind: "dict", keys: [...fields!], items: fields!.map((k) => walk(node, k)) };
    open.delete(node);
    return def;
  };
  const def = walk(call as unknown as Record<number, unknown>, index);
  return { leaves, def, slots };
}

/** Whether every slot can be assigned (no frozen or read-only container). */
export function writable(slots: readonly Slot[]): boolean {
  return slots.every(({ holder, key }) => {
    if (Object.isFrozen(holder)) return false;
    const d = Object.getOwnPropertyDescriptor(holder, key);
    return d === undefined || d.writable === true || d.set !== undefined;
  });
}

/**
 * Writes `values` into `slots` for the duration of `body`, then puts each
 * original back where the slot still holds the value written (in reverse
 * order, so a slot reached twice ends with its original).
 */
export function withSlotValues<T>(slots: readonly Slot[], originals: readonly MxArray[], values: readonly MxArray[], body: () => T): T {
  slots.forEach(({ holder, key }, i) => (holder[key] = values[i]));
  try {
    return body();
  } finally {
    for (let i = slots.length - 1; i >= 0; i--) {
      const { holder, key } = slots[i]!;
      if (holder[key] === values[i]) holder[key] = originals[i];
    }
  }
}
