// A hand-written SVG line chart of training curves (loss per epoch), with
// axes, tick labels, one polyline per curve and a legend; no dependency.
// Used by examples/digits.ts and checked in test/examples-digits.test.ts.

/** One curve of the chart: its legend label, its values (one per epoch) and its stroke colour. */
export interface Curve {
  label: string;
  values: readonly number[];
  color: string;
}

const WIDTH = 640, HEIGHT = 400;
const LEFT = 70, RIGHT = 20, TOP = 40, BOTTOM = 60;

/** Escapes the characters XML reserves in text and attribute values. */
function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** A short decimal label for a tick value. */
function tickLabel(v: number): string {
  return Math.abs(v) >= 10 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(1) : v.toFixed(2);
}

/**
 * The SVG text of a chart of `curves` against the epoch (1, 2, ...): x axis
 * labelled `xLabel`, y axis `yLabel`, the y range from 0 to the largest value.
 * Every curve needs at least one finite value.
 */
export function curvesSvg(curves: readonly Curve[], o: { title: string; xLabel: string; yLabel: string }): string {
  if (curves.length === 0) throw new Error("curvesSvg: curves must not be empty");
  for (const c of curves) {
    if (c.values.length === 0 || !c.values.every(Number.isFinite)) throw new Error(`curvesSvg: curve '${c.label}' needs at least one value, all finite`);
  }
  const epochs = Math.max(...curves.map((c) => c.values.length));
  const yMax = Math.max(...curves.flatMap((c) => c.values), 0) || 1;
  const plotW = WIDTH - LEFT - RIGHT, plotH = HEIGHT - TOP - BOTTOM;
  const x = (epoch: number) => LEFT + (epochs === 1 ? plotW / 2 : ((epoch - 1) / (epochs - 1)) * plotW);
  const y = (v: number) => TOP + plotH - (Math.max(v, 0) / yMax) * plotH;
  const f = (v: number) => v.toFixed(1);

  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="white"/>`,
    `<text x="${WIDTH / 2}" y="${TOP / 2 + 4}" text-anchor="middle" font-size="15">${escapeXml(o.title)}</text>`,
    `<line class="axis" x1="${LEFT}" y1="${TOP + plotH}" x2="${LEFT + plotW}" y2="${TOP + plotH}" stroke="black"/>`,
    `<line class="axis" x1="${LEFT}" y1="${TOP}" x2="${LEFT}" y2="${TOP + plotH}" stroke="black"/>`,
  ];
  const xStep = Math.ceil(epochs / 10);
  for (let epoch = 1; epoch <= epochs; epoch = epoch === 1 && xStep > 1 ? xStep : epoch + xStep) {
    parts.push(`<line x1="${f(x(epoch))}" y1="${TOP + plotH}" x2="${f(x(epoch))}" y2="${TOP + plotH + 5}" stroke="black"/>`,
      `<text x="${f(x(epoch))}" y="${TOP + plotH + 18}" text-anchor="middle">${epoch}</text>`);
  }
  for (let i = 0; i <= 5; i++) {
    const v = (yMax * i) / 5;
    parts.push(`<line x1="${LEFT - 5}" y1="${f(y(v))}" x2="${LEFT}" y2="${f(y(v))}" stroke="black"/>`,
      `<text x="${LEFT - 8}" y="${f(y(v) + 4)}" text-anchor="end">${tickLabel(v)}</text>`);
  }
  parts.push(`<text class="x-label" x="${LEFT + plotW / 2}" y="${HEIGHT - 15}" text-anchor="middle">${escapeXml(o.xLabel)}</text>`,
    `<text class="y-label" x="18" y="${TOP + plotH / 2}" text-anchor="middle" transform="rotate(-90 18 ${TOP + plotH / 2})">${escapeXml(o.yLabel)}</text>`);
  curves.forEach((c, i) => {
    const points = c.values.map((v, e) => `${f(x(e + 1))},${f(y(v))}`).join(" ");
    parts.push(`<polyline fill="none" stroke="${escapeXml(c.color)}" stroke-width="2" points="${points}"/>`);
    const ly = TOP + 10 + i * 18;
    parts.push(`<line x1="${LEFT + plotW - 150}" y1="${ly}" x2="${LEFT + plotW - 125}" y2="${ly}" stroke="${escapeXml(c.color)}" stroke-width="2"/>`,
      `<text x="${LEFT + plotW - 118}" y="${ly + 4}">${escapeXml(c.label)}</text>`);
  });
  parts.push("</svg>");
  return parts.join("\n") + "\n";
}
