import { addDec, compareDec } from "../money.js";
import { usd } from "../output/format.js";
import type { SimResult } from "../sim/simulate.js";
import type { Report, ReportRow } from "./types.js";
import type { Dimension } from "./dims.js";
import { COLORS, esc, f1, middle, moneyTick, shortBucket, textWidth, ticks, tspans, wrap } from "./svg.js";

/** The Pareto draws at most this many bars; the table under it lists every row. */
export const PARETO_BARS = 20;
const W = 880;
const FONT = 11;

export const rowLabel = (r: ReportRow, by: readonly Dimension[]): string => by.map((d) => r.key[d]).join(" · ");
const pct0 = (x: number) => `${Math.round(x * 100)}%`;

/** Horizontal gridlines with $ ticks on the left. */
function moneyAxis(t: ReturnType<typeof ticks>, y: (v: number) => number, left: number, right: number): string {
  return t.values
    .map(
      (v) => `<line class="grid" x1="${left}" y1="${f1(y(v))}" x2="${right}" y2="${f1(y(v))}" stroke="${v === 0 ? "#94a3b8" : "#e5e7eb"}"/>
  <text x="${left - 6}" y="${f1(y(v) + 4)}" font-size="${FONT}" text-anchor="end" fill="#475569">${esc(moneyTick(v, t.step))}</text>`,
    )
    .join("\n  ");
}

/**
 * A value label over a bar: level when it fits the bar's width, else turned upright. Returns the SVG and the height
 * it needs above the bar top (so the caller reserves room).
 */
function barLabel(text: string, cx: number, top: number, bw: number, size = 10): string {
  const width = textWidth(text, size);
  if (width <= bw - 2) return `<text class="value" x="${f1(cx)}" y="${f1(top - 4)}" font-size="${size}" text-anchor="middle">${esc(text)}</text>`;
  return `<text class="value" x="${f1(cx + size / 3)}" y="${f1(top - 4)}" font-size="${size}" transform="rotate(-90 ${f1(cx + size / 3)} ${f1(top - 4)})">${esc(text)}</text>`;
}
const labelRoom = (labels: readonly string[], bw: number, size = 11): number =>
  Math.max(16, ...labels.map((l) => (textWidth(l, size) <= bw - 2 ? 16 : textWidth(l, size) + 8)));

/** X labels under bars: wrapped names when the bars are wide enough, else one slanted line shortened in the middle. */
function xLabels(names: readonly string[][], x0: number, bw: number, baseline: number): { svg: string; height: number } {
  const chars = Math.floor((bw - 4) / (FONT * 0.58));
  if (chars >= 9) {
    const wrapped = names.map((parts) => parts.flatMap((p) => wrap(p, chars, parts.length > 1 ? 2 : 3)));
    const svg = wrapped
      .map(
        (lines, i) =>
          `<text class="xlabel" x="${f1(x0 + (i + 0.5) * bw)}" y="${baseline + 14}" font-size="${FONT}" text-anchor="middle">${tspans(lines, x0 + (i + 0.5) * bw, 13)}</text>`,
      )
      .join("\n  ");
    return { svg, height: 18 + 13 * Math.max(1, ...wrapped.map((l) => l.length)) };
  }
  const max = 26;
  const svg = names
    .map((parts, i) => {
      const cx = x0 + (i + 0.5) * bw;
      return `<text class="xlabel" x="${f1(cx)}" y="${baseline + 12}" font-size="${FONT}" text-anchor="end" transform="rotate(-40 ${f1(cx)} ${baseline + 12})">${esc(middle(parts.join(" · "), max))}</text>`;
    })
    .join("\n  ");
  return { svg, height: 24 + Math.min(max, Math.max(...names.map((p) => p.join(" · ").length))) * FONT * 0.58 * 0.65 };
}

/** Pareto: each row's cost as a bar (largest first, $ on each), the cumulative share as a line on a 0–100% axis. */
export function pareto(report: Report): string {
  const rows = report.rows.slice(0, PARETO_BARS);
  const pad = { l: 70, r: 48 };
  // A few rows draw bars of a readable width, centred, not one bar across the page.
  const bw = Math.min(110, (W - pad.l - pad.r) / Math.max(rows.length, 1));
  const x0 = pad.l + (W - pad.l - pad.r - bw * rows.length) / 2;
  const values = rows.map((r) => (r.unpriced.rows > 0 && compareDec(r.costUsd, "0") === 0 ? "unpriced" : usd(r.costUsd)));
  const top = labelRoom(values, bw) + 8;
  const plotH = 240;
  const base = top + plotH;
  const x = xLabels(
    rows.map((r) => report.by.map((d) => r.key[d] ?? "")),
    x0,
    bw,
    base,
  );
  const h = Math.ceil(base + x.height);
  const t = ticks(Math.max(...rows.map((r) => Number(r.costUsd)), 0));
  const y = (v: number) => base - (plotH * v) / (t.top || 1);
  const yc = (s: number) => base - plotH * s;
  const bars = rows
    .map((r, i) => {
      const v = Number(r.costUsd);
      const bx = x0 + i * bw + bw * 0.12;
      const title = `${rowLabel(r, report.by)}: ${usd(r.costUsd)}, ${(r.share * 100).toFixed(1)}% (cumulative ${(r.cumulativeShare * 100).toFixed(1)}%)`;
      return `<rect class="bar" x="${f1(bx)}" y="${f1(y(v))}" width="${f1(bw * 0.76)}" height="${f1(Math.max(base - y(v), 0.5))}" fill="#2563eb"><title>${esc(title)}</title></rect>
  ${barLabel(values[i]!, x0 + (i + 0.5) * bw, y(v), bw, bw > 60 ? 11 : 10)}`;
    })
    .join("\n  ");
  const pts = rows.map((r, i) => [x0 + (i + 0.5) * bw, yc(r.cumulativeShare)] as const);
  const right = [0, 0.2, 0.4, 0.6, 0.8, 1]
    .map((s) => `<text x="${W - pad.r + 6}" y="${f1(yc(s) + 4)}" font-size="${FONT}" fill="#b91c1c">${pct0(s)}</text>`)
    .join("");
  return `<svg id="pareto" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${h}" width="${W}" height="${h}" role="img" aria-label="Pareto chart: cost per row and cumulative share">
  ${moneyAxis(t, y, pad.l, W - pad.r)}
  ${right}
  <line x1="${pad.l}" y1="${f1(yc(0.8))}" x2="${W - pad.r}" y2="${f1(yc(0.8))}" stroke="#dc2626" stroke-dasharray="4 4" stroke-width="0.8"/>
  ${bars}
  <polyline class="cumulative" points="${pts.map(([a, b]) => `${f1(a)},${f1(b)}`).join(" ")}" fill="none" stroke="#dc2626" stroke-width="2"/>
  ${pts.map(([a, b], i) => `<circle cx="${f1(a)}" cy="${f1(b)}" r="3" fill="#dc2626"><title>cumulative ${esc((rows[i]!.cumulativeShare * 100).toFixed(1))}%</title></circle>`).join("")}
  ${x.svg}
</svg>`;
}

/** Every bucket from the first to the last: days of the window, weeks (Mondays) or months, with no gaps. */
function buckets(report: Report, dim: Dimension): string[] {
  const seen = [...new Set(report.rows.map((r) => r.key[dim] ?? ""))].sort();
  const first = seen[0];
  const last = seen.at(-1);
  if (!first || !last) return [];
  if (dim === "day") return [...new Set([...report.window.days, ...seen])].sort();
  const out: string[] = [];
  if (dim === "week") {
    for (let d = new Date(`${first}T00:00:00Z`); d <= new Date(`${last}T00:00:00Z`) && out.length < 1000; d = new Date(d.getTime() + 7 * 86_400_000))
      out.push(d.toISOString().slice(0, 10));
  } else {
    let [yr, mo] = first.split("-").map(Number) as [number, number];
    for (let v = first; v <= last && out.length < 1000; v = `${yr}-${String(mo).padStart(2, "0")}`) {
      out.push(v);
      mo = mo === 12 ? 1 : mo + 1;
      if (mo === 1) yr++;
    }
  }
  return [...new Set([...out, ...seen])].sort();
}

export interface Series {
  name: string;
  color: string;
  totalUsd: string;
  /** Some of the series' usage has no price (its dollars leave it out). */
  unpriced: boolean;
}

/**
 * `--by day|week|month` (alone or with another dimension): spend per bucket in time order, stacked by the other
 * dimension's top values (the rest as "other"), with the bucket's total in $ on each bar.
 */
export function timeSeries(report: Report, timeDim: Dimension): { svg: string; series: Series[] } {
  const other = report.by.find((d) => d !== timeDim) ?? null;
  const xs = buckets(report, timeDim);
  const name = (r: ReportRow) => (other === null ? "spend" : (r.key[other] ?? "").startsWith("(other") ? "other" : r.key[other]!);
  const totals = new Map<string, string>();
  for (const r of report.rows) totals.set(name(r), addDec(totals.get(name(r)) ?? "0", r.costUsd));
  const ranked = [...totals].sort((a, b) => compareDec(b[1], a[1]) || a[0].localeCompare(b[0]));
  const keep = new Set(
    ranked
      .filter(([n]) => n !== "other")
      .slice(0, 7)
      .map(([n]) => n),
  );
  const seriesOf = (r: ReportRow) => (keep.has(name(r)) ? name(r) : "other");
  const order = [...ranked.filter(([n]) => keep.has(n)).map(([n]) => n), ...(ranked.some(([n]) => !keep.has(n)) ? ["other"] : [])];
  const series: Series[] = order.map((n, i) => ({
    name: n,
    color: n === "other" ? "#94a3b8" : COLORS[i % COLORS.length]!,
    totalUsd: report.rows.filter((r) => seriesOf(r) === n).reduce((a, r) => addDec(a, r.costUsd), "0"),
    unpriced: report.rows.some((r) => seriesOf(r) === n && r.unpriced.rows > 0),
  }));
  const cell = new Map<string, string>();
  const bucketTotal = new Map<string, string>();
  for (const r of report.rows) {
    const b = r.key[timeDim] ?? "";
    const k = `${b}\u0000${seriesOf(r)}`;
    cell.set(k, addDec(cell.get(k) ?? "0", r.costUsd));
    bucketTotal.set(b, addDec(bucketTotal.get(b) ?? "0", r.costUsd));
  }
  const mean = report.trend && timeDim === "day" && report.by[0] === "day" && xs.length > 1 ? report.trend.meanPerDayUsd : null;
  const pad = { l: 70, r: mean === null ? 20 : 80 };
  const bw = Math.min(90, (W - pad.l - pad.r) / Math.max(xs.length, 1));
  const x0 = pad.l + (W - pad.l - pad.r - bw * xs.length) / 2;
  const labels = xs.map((b) => usd(bucketTotal.get(b) ?? "0"));
  // $ on every bar while they are readable; on a long series only on the peak.
  const peak = xs.reduce((p, b, i) => (compareDec(bucketTotal.get(b) ?? "0", bucketTotal.get(xs[p] ?? "") ?? "0") > 0 ? i : p), 0);
  const labelled = (i: number) => bw >= 11 || i === peak;
  const top =
    labelRoom(
      labels.filter((_, i) => labelled(i)),
      bw,
    ) + 8;
  const plotH = 240;
  const base = top + plotH;
  const t = ticks(Math.max(0, ...xs.map((b) => Number(bucketTotal.get(b) ?? "0"))));
  const y = (v: number) => base - (plotH * v) / (t.top || 1);
  const bars: string[] = [];
  xs.forEach((b, i) => {
    let acc = 0;
    const bx = x0 + i * bw + bw * 0.1;
    for (const s of series) {
      const v = cell.get(`${b}\u0000${s.name}`);
      if (v === undefined) continue;
      const lo = acc;
      acc += Number(v);
      bars.push(
        `<rect class="tbar" data-bucket="${esc(b)}" x="${f1(bx)}" y="${f1(y(acc))}" width="${f1(Math.max(bw * 0.8, 0.8))}" height="${f1(Math.max(y(lo) - y(acc), 0.5))}" fill="${s.color}"><title>${esc(`${b}${other ? ` · ${s.name}` : ""}: ${usd(v)}`)}</title></rect>`,
      );
    }
    if (labelled(i)) bars.push(barLabel(labels[i]!, x0 + (i + 0.5) * bw, y(acc), bw));
  });
  const every = Math.max(1, Math.ceil((textWidth(timeDim === "month" ? "Oct 2025" : "30 Sep", FONT) + 10) / bw));
  const xl = xs
    .map((b, i) =>
      i % every === 0
        ? `<text class="xlabel" x="${f1(x0 + (i + 0.5) * bw)}" y="${base + 16}" font-size="${FONT}" text-anchor="middle">${esc(shortBucket(b))}</text>`
        : "",
    )
    .join("");
  const meanLine =
    mean !== null
      ? `<line class="mean" x1="${pad.l}" y1="${f1(y(Number(mean)))}" x2="${W - pad.r}" y2="${f1(y(Number(mean)))}" stroke="#0f172a" stroke-dasharray="5 4" stroke-width="1"/>
  <text x="${W - pad.r + 6}" y="${f1(y(Number(mean)) - 2)}" font-size="${FONT}">${tspans(["mean", `${usd(mean)}/day`], W - pad.r + 6, 13)}</text>`
      : "";
  const h = base + 28;
  const svg = `<svg id="timeseries" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${h}" width="${W}" height="${h}" role="img" aria-label="Spend per ${timeDim}">
  ${moneyAxis(t, y, pad.l, W - pad.r)}
  ${bars.join("\n  ")}
  ${meanLine}
  ${xl}
</svg>`;
  return { svg, series: other === null ? [] : series };
}

/** Daily spend of the top rows (not folded ones) as lines over every day of the window. */
export function daily(report: Report): { svg: string; series: Series[] } | null {
  const rows = report.rows.filter((r) => r.daily && !Object.values(r.key).some((v) => v.startsWith("(other"))).slice(0, 6);
  const days = report.window.days;
  if (!rows.length || !days.length) return null;
  const pad = { l: 70, r: 20, t: 14 };
  const plotH = 220;
  const base = pad.t + plotH;
  const t = ticks(Math.max(0, ...rows.flatMap((r) => (r.daily ?? []).map(Number))));
  const step = (W - pad.l - pad.r) / Math.max(days.length, 1);
  const x = (i: number) => pad.l + (i + 0.5) * step;
  const y = (v: number) => base - (plotH * v) / (t.top || 1);
  const series: Series[] = rows.map((r, k) => ({
    name: rowLabel(r, report.by),
    color: COLORS[k % COLORS.length]!,
    totalUsd: r.costUsd,
    unpriced: r.unpriced.rows > 0,
  }));
  const lines = rows
    .map((r, k) => {
      const pts = (r.daily ?? []).map((v, i) => `${f1(x(i))},${f1(y(Number(v)))}`).join(" ");
      const dots =
        days.length <= 45
          ? (r.daily ?? [])
              .map(
                (v, i) =>
                  `<circle cx="${f1(x(i))}" cy="${f1(y(Number(v)))}" r="2.2" fill="${series[k]!.color}"><title>${esc(`${days[i]} · ${series[k]!.name}: ${usd(v)}`)}</title></circle>`,
              )
              .join("")
          : "";
      return `<polyline class="series" points="${pts}" fill="none" stroke="${series[k]!.color}" stroke-width="1.8"><title>${esc(series[k]!.name)}</title></polyline>${dots}`;
    })
    .join("\n  ");
  const every = Math.max(1, Math.ceil((textWidth("30 Sep", FONT) + 10) / step));
  const xl = days
    .map((d, i) =>
      i % every === 0 ? `<text class="xlabel" x="${f1(x(i))}" y="${base + 16}" font-size="${FONT}" text-anchor="middle">${esc(shortBucket(d))}</text>` : "",
    )
    .join("");
  const h = base + 28;
  const svg = `<svg id="daily" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${h}" width="${W}" height="${h}" role="img" aria-label="Daily spend of the top rows">
  ${moneyAxis(t, y, pad.l, W - pad.r)}
  ${lines}
  ${xl}
</svg>`;
  return { svg, series };
}

/** A tactic's step: "−$12.30" saved, or "+$0.40" when it costs more (a prompt-cache write). */
const stepLabel = (saved: string): string => (saved.startsWith("-") ? `+${usd(saved.slice(1))}` : `−${usd(saved)}`);

/** Savings waterfall: the baseline, what each tactic takes off what the earlier ones left ($ on each step), what is left. */
export function waterfall(sim: SimResult): string {
  const steps = [
    { name: "baseline", from: Number(sim.baselineUsd), to: 0, label: usd(sim.baselineUsd), end: true },
    ...sim.steps.map((s, i) => ({
      name: s.tactic,
      from: Number(i === 0 ? sim.baselineUsd : sim.steps[i - 1]!.costUsd),
      to: Number(s.costUsd),
      label: stepLabel(s.savedUsd),
      end: false,
    })),
    { name: "after", from: Number(sim.finalUsd), to: 0, label: usd(sim.finalUsd), end: true },
  ];
  const pad = { l: 70, r: 20, t: 22 };
  const bw = (W - pad.l - pad.r) / steps.length;
  const plotH = 220;
  const base = pad.t + plotH;
  const t = ticks(Math.max(0, ...steps.map((s) => Math.max(s.from, s.to))));
  const y = (v: number) => base - (plotH * v) / (t.top || 1);
  const x = xLabels(
    steps.map((s) => [s.name]),
    pad.l,
    bw,
    base,
  );
  const h = Math.ceil(base + x.height);
  const bars = steps
    .map((s, i) => {
      const hi = y(Math.max(s.from, s.to));
      const lo = y(Math.min(s.from, s.to));
      const bx = pad.l + i * bw + bw * 0.15;
      const link =
        i < steps.length - 1
          ? `<line x1="${f1(bx + bw * 0.7)}" y1="${f1(y(s.end ? s.from : s.to))}" x2="${f1(bx + bw)}" y2="${f1(y(s.end ? s.from : s.to))}" stroke="#94a3b8" stroke-dasharray="2 2"/>`
          : "";
      return `<rect class="step" x="${f1(bx)}" y="${f1(hi)}" width="${f1(bw * 0.7)}" height="${f1(Math.max(lo - hi, 1))}" fill="${s.end ? "#2563eb" : s.to > s.from ? "#dc2626" : "#16a34a"}"><title>${esc(`${s.name}: ${s.label}`)}</title></rect>${link}
  <text class="value" x="${f1(bx + bw * 0.35)}" y="${f1(hi - 5)}" font-size="${FONT}" text-anchor="middle" font-weight="600">${esc(s.label)}</text>`;
    })
    .join("\n  ");
  return `<svg id="waterfall" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${h}" width="${W}" height="${h}" role="img" aria-label="Savings waterfall">
  ${moneyAxis(t, y, pad.l, W - pad.r)}
  ${bars}
  ${x.svg}
</svg>`;
}
