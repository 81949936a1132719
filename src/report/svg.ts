/** Small helpers for the HTML report's inline SVG: escaping, axes, wrapped labels, readable dates. No DOM, no scripts. */

/** Everything user-controlled (feature names, models) is escaped: the page must not run what the data says. */
export const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

export const COLORS = ["#2563eb", "#f59e0b", "#0891b2", "#db2777", "#7c3aed", "#65a30d", "#dc2626", "#64748b"];

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const MONTH = /^(\d{4})-(\d{2})$/;

/** "2025-10-05" → "5 Oct 2025"; "2025-10" → "Oct 2025"; anything else unchanged. */
export function longDate(v: string): string {
  const d = DAY.exec(v);
  if (d) return `${Number(d[3])} ${MONTHS[Number(d[2]) - 1]} ${d[1]}`;
  const m = MONTH.exec(v);
  return m ? `${MONTHS[Number(m[2]) - 1]} ${m[1]}` : v;
}

/** "2025-10-05" → "Sun 5 Oct 2025" (the weekday matters when reading daily spend). */
export function dayWithWeekday(v: string): string {
  const d = DAY.exec(v);
  return d ? `${WEEKDAYS[new Date(`${v}T00:00:00Z`).getUTCDay()]} ${longDate(v)}` : v;
}

/** Axis label of a time bucket: "5 Oct" for days and weeks, "Oct 2025" for months. */
export function shortBucket(v: string): string {
  const d = DAY.exec(v);
  if (d) return `${Number(d[3])} ${MONTHS[Number(d[2]) - 1]}`;
  return longDate(v);
}

/** A round step for about `n` ticks up to `max` (1, 2, 2.5 or 5 × 10^k). */
export function niceStep(max: number, n = 5): number {
  if (!(max > 0)) return 1;
  const raw = max / n;
  const p = 10 ** Math.floor(Math.log10(raw));
  return ([1, 2, 2.5, 5, 10].find((m) => m * p >= raw) ?? 10) * p;
}

/** Tick values 0, step, … up to the first at or above max. */
export function ticks(max: number, n = 5): { step: number; values: number[]; top: number } {
  const step = niceStep(max, n);
  const count = Math.max(1, Math.ceil(max / step - 1e-9));
  const values = Array.from({ length: count + 1 }, (_, i) => i * step);
  return { step, values, top: count * step };
}

/** "$1,200", "$2.5", "$0.02": a tick needs only as many decimals as its step. */
export function moneyTick(v: number, step: number): string {
  const s = String(Number(step.toPrecision(6)));
  // Whole-dollar steps show whole dollars; others show cents at least ("$0.50", "$2.50").
  const dp = Number.isInteger(step) ? 0 : s.includes("e") ? 6 : Math.min(6, Math.max(2, s.length - s.indexOf(".") - 1));
  const [i, f] = v.toFixed(dp).split(".");
  return `$${i!.replace(/\B(?=(\d{3})+(?!\d))/g, ",")}${f ? `.${f}` : ""}`;
}

/** Rough width in px of text in the page's sans-serif at `size` px (digits and lowercase average about 0.58 em). */
export const textWidth = (s: string, size: number): number => s.length * size * 0.58;

/** "a-very-long-feature-name" → "a-very-…-name" within `max` characters. */
export function middle(s: string, max: number): string {
  if (s.length <= max) return s;
  const head = Math.ceil((max - 1) / 2);
  return `${s.slice(0, head)}…${s.slice(s.length - (max - 1 - head))}`;
}

/**
 * Wraps a name into at most `lines` lines of `width` characters, breaking after - _ / . : or a space when it can; the
 * last line is shortened in the middle when the name does not fit.
 */
export function wrap(s: string, width: number, lines: number): string[] {
  const w = Math.max(3, width);
  const out: string[] = [];
  let rest = s;
  while (rest.length > w && out.length < lines - 1) {
    const cut = Math.max(...["-", "_", "/", ".", ":", " ", "@"].map((c) => rest.lastIndexOf(c, w - 1)));
    const at = cut >= Math.floor(w / 3) ? cut + 1 : w;
    out.push(rest.slice(0, at).trimEnd());
    rest = rest.slice(at).trimStart();
  }
  out.push(middle(rest, w));
  return out;
}

/** Lines as <tspan>s under one <text>; every line is escaped. */
export function tspans(lines: readonly string[], x: number, lineHeight: number): string {
  return lines.map((l, i) => `<tspan x="${x.toFixed(1)}" dy="${i === 0 ? 0 : lineHeight}">${esc(l)}</tspan>`).join("");
}

/** An escaped name that may break after - _ / . : @ when its column is narrow, and nowhere else. */
export const breakable = (s: string): string => esc(s).replace(/([-_/.:@]+)(?=.)/g, "$1<wbr>");

export const f1 = (v: number): string => v.toFixed(1);
