// The family of tile shapes wgsl/matmul.wgsl is generated for: a 16x16
// workgroup computes a (16 TM) x (16 TN) block of C over K in slabs of BK,
// with one or two workgroup buffers per operand; which ones fit a device, and
// the shape used before (or without) tuning.

/** One member of the family: TM x TN per invocation (multiples of 4), K slabs of BK, double-buffered slabs or not. */
export interface MatmulConfig {
  readonly TM: 4 | 8 | 16;
  readonly TN: 4 | 8 | 16;
  readonly BK: 8 | 16 | 32;
  readonly double: boolean;
}

/** A config's name, e.g. "128x64/8x4/k16/db" (block tile, micro tile, slab depth, double or single buffer). */
export function configName(c: MatmulConfig): string {
  return `${16 * c.TM}x${16 * c.TN}/${c.TM}x${c.TN}/k${c.BK}/${c.double ? "db" : "sb"}`;
}

/** The config a name from configName stands for, undefined for any other string. */
export function configByName(name: string): MatmulConfig | undefined {
  return MATMUL_CONFIGS.find((c) => configName(c) === name);
}

/** Every config of the family: block tiles 64x64, 64x128, 128x64, 128x128, 256x128 and 128x256, slabs of 8, 16 and 32, single or double buffered. */
export const MATMUL_CONFIGS: readonly MatmulConfig[] = (() => {
  const out: MatmulConfig[] = [];
  for (const [TM, TN] of [[4, 4], [4, 8], [8, 4], [8, 8], [16, 8], [8, 16]] as const) {
    for (const BK of [8, 16, 32] as const) for (const double of [true, false]) out.push({ TM, TN, BK, double });
  }
  return out;
})();

/** Bytes of workgroup memory a config stages (A's rows padded by one vec4, wgsl/matmul.wgsl). */
export function workgroupBytes(c: MatmulConfig): number {
  const sa = 4 * c.TM + 1, sb = 4 * c.TN;
  return (c.double ? 2 : 1) * c.BK * (sa + sb) * 16;
}

/** The configs a device with `maxWorkgroupBytes` of workgroup storage can run. */
export function fittingConfigs(maxWorkgroupBytes: number): MatmulConfig[] {
  return MATMUL_CONFIGS.filter((c) => workgroupBytes(c) <= maxWorkgroupBytes);
}

/** The shapes tried before tuning, largest block first; each is taken once it still gives `WAVE` workgroups. */
const PREFERRED: readonly MatmulConfig[] = [
  { TM: 8, TN: 8, BK: 16, double: true },
  { TM: 4, TN: 8, BK: 16, double: true },
  { TM: 4, TN: 4, BK: 16, double: true },
];

/** Workgroups that keep a large GPU busy (two per SM of a 132-SM card is 264). */
const WAVE = 256;

/** The untuned choice: the largest preferred block that still gives enough workgroups, else 64x64. */
export function defaultConfig(M: number, N: number, batches: number, maxWorkgroupBytes: number): MatmulConfig {
  const fits = PREFERRED.filter((c) => workgroupBytes(c) <= maxWorkgroupBytes);
  for (const c of fits) {
    if (Math.ceil(M / (16 * c.TM)) * Math.ceil(N / (16 * c.TN)) * batches >= WAVE) return c;
  }
  return fits[fits.length - 1] ?? { TM: 4, TN: 4, BK: 8, double: false };
}
