// A full collection for memory tests: the engine's gc (vitest runs the
// workers with --expose-gc) and the tasks in which the finalizers then run.

export async function collectGarbage(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error("run the tests with --expose-gc (vitest.config.ts sets it)");
  for (let i = 0; i < 5; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 0));
  }
}
