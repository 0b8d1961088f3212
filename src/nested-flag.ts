// A flag raised while a call runs, counting nested calls (a transform inside a
// transform): the state eval, compile and shapeless tracing keep for "some
// caller up the stack is doing X".

/** Raised while `during`'s function runs (nested calls keep it raised until the outermost returns or throws). */
export class NestedFlag {
  private depth = 0;

  /** Whether a `during` call is running. */
  get raised(): boolean {
    return this.depth > 0;
  }

  /** `fn()` with the flag raised. */
  during<T>(fn: () => T): T {
    this.depth++;
    try {
      return fn();
    } finally {
      this.depth--;
    }
  }
}
