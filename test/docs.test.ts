// The user guide holds together: every relative link of README.md and
// docs/*.md reaches a file, and its #anchor a heading there (GitHub's anchor
// rule); every page of docs/ is listed in docs/guide.md's `children` (the
// order TypeDoc shows), and README.md links to the guide.

import { existsSync, readdirSync, readFileSync } from "node:fs";
import { expect, it } from "vitest";

const root = new URL("../", import.meta.url);
const guidePages = readdirSync(new URL("docs/", root)).filter((f) => f.endsWith(".md")).sort();
const pages = ["README.md", ...guidePages.map((f) => `docs/${f}`)];

/** The page's lines outside fenced code blocks. */
function prose(page: string): string[] {
  let fenced = false;
  return readFileSync(new URL(page, root), "utf8")
    .split("\n")
    .filter((line) => {
      if (line.startsWith("```")) fenced = !fenced;
      else return !fenced;
      return false;
    });
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
function anchorOf(heading: string): string {
  return heading.toLowerCase().replace(/[^\p{L}\p{N}\s-]/gu, "").trim().replace(/\s/g, "-");
}

function anchorsOf(page: string): Set<string> {
  return new Set(prose(page).flatMap((l) => /^#{1,6} (.*)$/.exec(l)?.[1] ?? []).map(anchorOf));
}

/** Relative links (not http:, mailto:) of a page: [text](target). */
function linksOf(page: string): string[] {
  return prose(page).flatMap((l) => [...l.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!)).filter((t) => !/^[a-z]+:/.test(t));
}

it("every relative link reaches a file, and its anchor a heading there", () => {
  const broken: string[] = [];
  for (const page of pages) {
    for (const link of linksOf(page)) {
      const [path, anchor] = link.split("#") as [string, string | undefined];
      const target = path ? new URL(path, new URL(page, root)) : new URL(page, root);
      const targetPage = target.pathname.slice(root.pathname.length);
      if (!existsSync(target)) broken.push(`${page}: ${link} (no file ${targetPage})`);
      else if (anchor !== undefined && !anchorsOf(targetPage).has(anchor)) broken.push(`${page}: ${link} (no heading #${anchor} in ${targetPage})`);
    }
  }
  expect(broken).toEqual([]);
});

it("docs/guide.md lists every page of docs/ as a child, and README.md links to it", () => {
  const front = /^---\n([\s\S]*?)\n---\n/.exec(readFileSync(new URL("docs/guide.md", root), "utf8"))?.[1] ?? "";
  const children = [...front.matchAll(/^ {2}[^:\n]+: \.\/(\S+\.md)$/gm)].map((m) => m[1]!).sort();
  expect(children).toEqual(guidePages.filter((f) => f !== "guide.md"));
  expect(linksOf("README.md")).toContain("docs/guide.md");
});
