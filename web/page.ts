// The page's plumbing shared by its two parts (quickstart.ts, conformance.ts):
// each part prints lines into its <pre>, then publishes its machine-readable
// result as JSON in <pre id="PART-json"> and as window.__mlxTs[PART], and sets
// its section's data-status to "done" or "error" (what test/browser.test.ts waits for).

type Part = "quickstart" | "conformance";

/** The little of the DOM the page uses (the project type-checks without the DOM library). */
interface PageElement {
  textContent: string | null;
  className: string;
  dataset: Record<string, string | undefined>;
  appendChild(child: PageElement): PageElement;
}
const doc = (globalThis as unknown as { document: { getElementById(id: string): PageElement | null; createElement(tag: string): PageElement } }).document;

function element(id: string): PageElement {
  const e = doc.getElementById(id);
  if (!e) throw new Error(`web/index.html has no element #${id}`);
  return e;
}

/** Appends one line to the part's output. */
export function print(part: Part, line: string): void {
  element(`${part}-out`).textContent += `${line}\n`;
}

/** Replaces the part's progress line. */
export function progress(part: Part, text: string): void {
  element(`${part}-progress`).textContent = text;
}

/** Appends a row of `cells` to the part's table, with the class `className`. */
export function addRow(part: Part, cells: string[], className: string): void {
  const tr = doc.createElement("tr");
  tr.className = className;
  for (const text of cells) tr.appendChild(doc.createElement("td")).textContent = text;
  element(`${part}-cells`).appendChild(tr);
}

/** Publishes the part's result and marks it done. */
export function publish(part: Part, result: object): void {
  element(`${part}-json`).textContent = JSON.stringify(result, null, 2);
  const g = globalThis as { __mlxTs?: Record<string, unknown> };
  (g.__mlxTs ??= {})[part] = result;
  element(part).dataset.status = "done";
}

/** Publishes the error that stopped the part. */
export function publishError(part: Part, e: unknown): void {
  const error = e instanceof Error ? `${e.message}\n${e.stack ?? ""}` : String(e);
  print(part, `error: ${error}`);
  publish(part, { error });
  element(part).dataset.status = "error";
}
