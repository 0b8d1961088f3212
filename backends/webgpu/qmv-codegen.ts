// The straight-line WGSL of the quantized matrix-vector kernel's hot loop
// (wgsl/quantized_qmv.wgsl): every weight word, scale, x value and partial sum
// is a named variable (no array indexed by a loop variable, so nothing spills
// to per-thread memory), and each unpacked value is one mask-and-or into a
// float whose exponent makes the code its integer part (one subtraction after).

/** What shapes one generated kernel. */
export interface QmvLayout {
  bits: number;
  groupSize: number;
  /** Affine codes (integers, a bias per group) or microscaling ones (decode(code), no bias). */
  affine: boolean;
  /** Rows of w one team owns. */
  rows: number;
  /** Words of one row a lane reads per unit (unitWords * 32 / bits values, inside one group). */
  unitWords: number;
  /** Words per weight load: unitWords (2 or 4) when w is bound as vec2/vec4 words (aligned rows), else 1. */
  wordsPerLoad: number;
}

/** Values of x (and of each row of w) in one unit. */
export const unitValues = (l: QmvLayout): number => (l.unitWords * 32) / l.bits;

const hex = (n: number): string => `0x${(n >>> 0).toString(16)}u`;
const COMPONENTS = ["x", "y", "z", "w"];

/**
 * Per row r: its index in w (the last real row standing in for those past
 * N), its first weight load (vector units when wordsPerLoad > 1), its first
 * scale (and bias), and its sum acc_r. Reads N, batch, n0, wpr, gpr and params.
 */
export function rowSetup(l: QmvLayout): string {
  const lines: string[] = [];
  for (let r = 0; r < l.rows; r++) {
    lines.push(`let row_${r} = batch * N + min(n0 + ${r}u, N - 1u);`);
    lines.push(`let wb_${r} = (params[7] + row_${r} * wpr)${l.wordsPerLoad > 1 ? ` / ${l.wordsPerLoad}u` : ""};`);
    lines.push(`let sb_${r} = params[8] + row_${r} * gpr;`);
    if (l.affine) lines.push(`let bb_${r} = params[9] + row_${r} * gpr;`);
    lines.push(`var acc_${r} = 0.0;`);
  }
  return lines.join("\n  ");
}

/** Word k of unit j of row r (a component of the unit's vector load, or a scalar load). */
function word(l: QmvLayout, r: number, j: number, k: number): string {
  return l.wordsPerLoad > 1 ? `w_${r}_${j}.${COMPONENTS[k]}` : `w_${r}_${j}_${k}`;
}

/**
 * Value i of unit j of row r as an f32 expression; `hi` collects the words
 * shifted down by 16 that it needs (declared once each by the caller).
 */
function value(l: QmvLayout, r: number, j: number, i: number, hi: Map<string, string>): string {
  const { bits } = l;
  const mask = 2 ** bits - 1;
  const k = Math.floor((i * bits) / 32);
  let p = (i * bits) % 32;
  const w = word(l, r, j, k);
  if (p + bits > 32) {
    // straddles words k and k + 1 (3, 5, 6 bits): whole code, then a code's float
    const code = `((${w} >> ${p}u) | (${word(l, r, j, k + 1)} << ${32 - p}u)) & ${hex(mask)}`;
    return l.affine ? `(bitcast<f32>((${code}) | 0x4b000000u) - 8388608.0)` : `decode(${code})`;
  }
  if (!l.affine) return `decode(${p === 0 ? w : `(${w} >> ${p}u)`}${p + bits === 32 ? "" : ` & ${hex(mask)}`})`;
  let src = w;
  if (p + bits > 23) {
    // past the mantissa: read it from the word shifted down by 16 (p >= 16 here as bits <= 8)
    src = `h_${r}_${j}_${k}`;
    hi.set(src, `let ${src} = ${w} >> 16u;`);
    p -= 16;
  }
  // the code at bits p.. of a float of exponent 23 - p is its integer part: 2^(23 - p) + code exactly
  return `(bitcast<f32>((${src} & ${hex(mask * 2 ** p)}) | ${hex((150 - p) << 23)}) - ${2 ** (23 - p)}.0)`;
}

/**
 * The statements of `units` units per lane, at unit indices u, u + TEAM, ...:
 * every row's weight words and group scales (and biases) of all the units
 * loaded first (in flight together), then per unit its x (quads), its sum
 * (affine) and each row's dot, folded into acc_r as s * dot + b * sum(x).
 * Reads u, xrow, the row setup's names, x_quad, scale_at, bias_at.
 */
export function unitsCode(l: QmvLayout, units: number): string {
  const values = unitValues(l);
  const lines: string[] = [];
  for (let j = 0; j < units; j++) {
    lines.push(`let u_${j} = u${j === 0 ? "" : ` + ${j}u * TEAM`};`);
    lines.push(`let g_${j} = u_${j} / ${l.groupSize / values}u;`);
  }
  for (let j = 0; j < units; j++) {
    for (let r = 0; r < l.rows; r++) {
      if (l.wordsPerLoad > 1) lines.push(`let w_${r}_${j} = w_vec[wb_${r} + u_${j}];`);
      else for (let k = 0; k < l.unitWords; k++) lines.push(`let w_${r}_${j}_${k} = in1[wb_${r} + u_${j} * ${l.unitWords}u + ${k}u];`);
      lines.push(`let s_${r}_${j} = scale_at(sb_${r} + g_${j});`);
      if (l.affine) lines.push(`let b_${r}_${j} = bias_at(bb_${r} + g_${j});`);
    }
  }
  for (let j = 0; j < units; j++) {
    const quads = values / 4;
    lines.push(`let xe_${j} = xrow + u_${j} * ${values}u;`);
    for (let q = 0; q < quads; q++) lines.push(`let x_${j}_${q} = x_quad(xe_${j}, ${q}u);`);
    if (l.affine) {
      const xs = Array.from({ length: quads }, (_, q) => `x_${j}_${q}`).join(" + ");
      lines.push(`let xs_${j} = ${xs};`, `let sx_${j} = (xs_${j}.x + xs_${j}.y) + (xs_${j}.z + xs_${j}.w);`);
    }
    for (let r = 0; r < l.rows; r++) {
      const hi = new Map<string, string>();
      const terms = Array.from({ length: values }, (_, i) => [`x_${j}_${i >> 2}.${COMPONENTS[i & 3]}`, value(l, r, j, i, hi)] as const);
      lines.push(...hi.values());
      lines.push(`var d_${r}_${j} = ${terms[0]![0]} * ${terms[0]![1]};`);
      for (const [x, v] of terms.slice(1)) lines.push(`d_${r}_${j} = fma(${x}, ${v}, d_${r}_${j});`);
      lines.push(`acc_${r} = fma(s_${r}_${j}, d_${r}_${j}, acc_${r});`);
      if (l.affine) lines.push(`acc_${r} = fma(b_${r}_${j}, sx_${j}, acc_${r});`);
    }
  }
  return lines.join("\n    ");
}

/**
 * The team's sums: total_r = subgroupAdd(acc_r) where every team is one full
 * subgroup (checked, `subgroups`), else a tree in workgroup memory; then lane 0
 * writes the rows below N. Reads t, lane, team, valid, batch, n0, N, sg_size.
 */
export function teamSums(l: QmvLayout, subgroups: boolean): string {
  const rows = Array.from({ length: l.rows }, (_, r) => r);
  const lines: string[] = [];
  if (subgroups) {
    lines.push(...rows.map((r) => `var total_${r} = subgroupAdd(acc_${r});`));
    lines.push(
      "let members = subgroupAdd(1u);",
      "let first_team = subgroupBroadcastFirst(team);",
      "if (!subgroupAll(sg_size == TEAM && members == TEAM && first_team == team)) { misfit = 1u; }",
      "let by_subgroup = workgroupUniformLoad(&misfit) == 0u;",
    );
  } else {
    lines.push(...rows.map((r) => `var total_${r} = 0.0;`), "let by_subgroup = false;");
  }
  lines.push(
    "if (!by_subgroup) {",
    ...rows.map((r) => `  scratch[t * ROWS + ${r}u] = acc_${r};`),
    "  workgroupBarrier();",
    "  for (var s = TEAM / 2u; s > 0u; s = s >> 1u) {",
    "    if (lane < s) { for (var r = 0u; r < ROWS; r++) { scratch[t * ROWS + r] += scratch[(t + s) * ROWS + r]; } }",
    "    workgroupBarrier();",
    "  }",
    ...rows.map((r) => `  total_${r} = scratch[t * ROWS + ${r}u];`),
    "}",
    "if (valid && lane == 0u) {",
    ...rows.map((r) => `  if (n0 + ${r}u < N) { out_words[batch * N + n0 + ${r}u] = bitcast<u32>(total_${r}); }`),
    "}",
  );
  return lines.join("\n  ");
}
