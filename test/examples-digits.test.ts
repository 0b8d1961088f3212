// The SVG writer of examples/digits.ts on a tiny made-up curve: one <svg>
// root, well-nested tags, one polyline per curve with a point per epoch inside
// the canvas, and the axis labels (CI runs the training example itself).

import { describe, expect, it } from "vitest";
import { curvesSvg } from "../examples/digits-svg.js";

interface Element { name: string; attrs: Record<string, string>; text: string; children: Element[] }

/** A minimal XML parser for the writer's output: elements, attributes, text; throws on a mismatched or unclosed tag. */
function parseXml(xml: string): Element {
  const root: Element = { name: "#document", attrs: {}, text: "", children: [] };
  const stack = [root];
  const tag = /<(\/?)([A-Za-z][\w-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>|([^<]+)/gy;
  let m: RegExpExecArray | null;
  let at = 0;
  while (at < xml.length && (m = tag.exec(xml)) !== null) {
    at = tag.lastIndex;
    const top = stack.at(-1)!;
    if (m[5] !== undefined) {
      top.text += m[5].trim();
      continue;
    }
    const [, closing, name, attrText, selfClosing] = m as unknown as [string, string, string, string, string];
    if (closing) {
      if (top.name !== name) throw new Error(`</${name}> closes <${top.name}>`);
      stack.pop();
      continue;
    }
    const attrs = Object.fromEntries([...attrText.matchAll(/([\w:-]+)="([^"]*)"/g)].map((a) => [a[1]!, a[2]!]));
    const el: Element = { name, attrs, text: "", children: [] };
    top.children.push(el);
    if (!selfClosing) stack.push(el);
  }
  if (at !== xml.length) throw new Error(`unparsable XML at offset ${at}: ${xml.slice(at, at + 40)}`);
  if (stack.length !== 1) throw new Error(`<${stack.at(-1)!.name}> is not closed`);
  return root;
}

function all(el: Element, name: string): Element[] {
  return [...(el.name === name ? [el] : []), ...el.children.flatMap((c) => all(c, name))];
}

const curves = [
  { label: "MLP", values: [2.3, 1.1, 0.6, 0.4], color: "#1f77b4" },
  { label: "CNN <small>", values: [2.2, 0.7, 0.3, 0.1], color: "#d62728" },
];
const svg = curvesSvg(curves, { title: "digits & loss", xLabel: "epoch", yLabel: "mean cross-entropy" });

describe("curvesSvg", () => {
  it("writes one well-formed <svg> root", () => {
    const doc = parseXml(svg);
    expect(doc.children.map((c) => c.name)).toEqual(["svg"]);
    expect(doc.children[0]!.attrs.xmlns).toBe("http://www.w3.org/2000/svg");
    expect(all(doc, "svg")).toHaveLength(1);
  });

  it("draws one polyline per curve, a point per epoch, inside the canvas, the lower loss lower", () => {
    const root = parseXml(svg).children[0]!;
    const [width, height] = [Number(root.attrs.width), Number(root.attrs.height)];
    const lines = all(root, "polyline");
    expect(lines).toHaveLength(2);
    const points = lines.map((l) => l.attrs.points!.trim().split(/\s+/).map((p) => p.split(",").map(Number) as [number, number]));
    for (const [i, pts] of points.entries()) {
      expect(pts).toHaveLength(curves[i]!.values.length);
      expect(lines[i]!.attrs.stroke).toBe(curves[i]!.color);
      for (const [x, y] of pts) {
        expect(x).toBeGreaterThanOrEqual(0);
        expect(x).toBeLessThanOrEqual(width);
        expect(y).toBeGreaterThanOrEqual(0);
        expect(y).toBeLessThanOrEqual(height);
      }
      // x grows with the epoch; y (down the page) grows as the loss falls
      for (let e = 1; e < pts.length; e++) {
        expect(pts[e]![0]).toBeGreaterThan(pts[e - 1]![0]);
        expect(pts[e]![1]).toBeGreaterThan(pts[e - 1]![1]);
      }
    }
    // at the last epoch the CNN's 0.1 is drawn below the MLP's 0.4
    expect(points[1]!.at(-1)![1]).toBeGreaterThan(points[0]!.at(-1)![1]);
  });

  it("labels the axes, the title and the legend (escaped)", () => {
    const texts = all(parseXml(svg), "text").map((t) => t.text);
    expect(texts).toContain("epoch");
    expect(texts).toContain("mean cross-entropy");
    expect(texts).toContain("digits &amp; loss");
    expect(texts).toContain("MLP");
    expect(texts).toContain("CNN &lt;small&gt;");
    for (const epoch of ["1", "2", "3", "4"]) expect(texts).toContain(epoch);
    expect(all(parseXml(svg), "line").filter((l) => l.attrs.class === "axis")).toHaveLength(2);
  });

  it("rejects an empty chart or a non-finite value", () => {
    expect(() => curvesSvg([], { title: "", xLabel: "", yLabel: "" })).toThrow(/curves must not be empty/);
    expect(() => curvesSvg([{ label: "a", values: [1, NaN], color: "red" }], { title: "", xLabel: "", yLabel: "" })).toThrow(/'a'/);
  });
});
