// The memory a load may fill: what the backend its arrays go to has left
// under its memory limit (mx.setMemoryLimit), so that an archive declaring
// more than that is refused before anything is inflated.

import { getBackend } from "../../backends/backend.js";
import { defaultDevice, defaultStream, type Stream } from "../device.js";

export interface LoadBudget {
  /** Bytes the backend may still allocate (Infinity without a limit). */
  left: number;
  limit: number;
  active: number;
  backend: string;
}

/** The budget of arrays loaded onto `stream` (the default stream if none). */
export function loadBudget(stream?: Stream): LoadBudget {
  const s = stream ?? defaultStream(defaultDevice());
  const b = getBackend(s.device.backend);
  const limit = b.getMemoryLimit?.() ?? Infinity;
  const active = b.memory().active;
  return { left: Math.max(0, limit - active), limit, active, backend: b.displayName };
}
