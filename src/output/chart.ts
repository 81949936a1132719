const BLOCKS = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"];

/** A horizontal bar of `width` cells for a share in [0, 1], with eighth-cell resolution. */
export function bar(share: number, width = 20): string {
  const eighths = Math.round(Math.max(0, Math.min(1, share)) * width * 8);
  return "█".repeat(Math.floor(eighths / 8)) + BLOCKS[eighths % 8]!;
}

const SPARKS = "▁▂▃▄▅▆▇█";

/** A sparkline of non-negative values; all-zero series draw as a flat baseline. */
export function sparkline(values: readonly number[]): string {
  const max = Math.max(0, ...values);
  return values.map((v) => (max === 0 ? SPARKS[0] : SPARKS[Math.min(7, Math.floor((v / max) * 7.999))])).join("");
}
