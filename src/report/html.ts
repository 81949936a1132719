import { usd } from "../output/format.js";
import type { SimResult } from "../sim/simulate.js";
import type { Report, ReportRow } from "./collect.js";

/** Everything user-controlled (feature names, models) is escaped: the page must not run what the data says. */
const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
const label = (r: ReportRow, report: Report) => report.by.map((d) => r.key[d]).join(" · ");
const COLORS = ["#2563eb", "#dc2626", "#16a34a", "#d97706", "#7c3aed", "#0891b2", "#db2777", "#65a30d"];

/** Pareto: bars of each row's cost, sorted, with the cumulative share as a line. */
function pareto(report: Report): string {
  const rows = report.rows.slice(0, 20);
  const w = 760;
  const h = 320;
  const pad = { l: 60, r: 50, t: 20, b: 110 };
  const max = Math.max(...rows.map((r) => Number(r.costUsd)), 1e-9);
  const bw = (w - pad.l - pad.r) / Math.max(rows.length, 1);
  const y = (v: number) => pad.t + (h - pad.t - pad.b) * (1 - v / max);
  const yc = (s: number) => pad.t + (h - pad.t - pad.b) * (1 - s);
  const bars = rows
    .map((r, i) => {
      const x = pad.l + i * bw + bw * 0.1;
      const v = Number(r.costUsd);
      return `<rect class="bar" x="${x.toFixed(1)}" y="${y(v).toFixed(1)}" width="${(bw * 0.8).toFixed(1)}" height="${(h - pad.b - y(v)).toFixed(1)}" fill="#2563eb"><title>${esc(label(r, report))}: ${esc(usd(r.costUsd))} (${(r.share * 100).toFixed(1)}%)</title></rect>
  <text x="${(x + bw * 0.4).toFixed(1)}" y="${h - pad.b + 12}" transform="rotate(45 ${(x + bw * 0.4).toFixed(1)} ${h - pad.b + 12})" font-size="10">${esc(label(r, report).slice(0, 28))}</text>`;
    })
    .join("\n  ");
  const line = rows.map((r, i) => `${(pad.l + i * bw + bw / 2).toFixed(1)},${yc(r.cumulativeShare).toFixed(1)}`).join(" ");
  return `<svg id="pareto" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" role="img" aria-label="Pareto chart">
  <line x1="${pad.l}" y1="${h - pad.b}" x2="${w - pad.r}" y2="${h - pad.b}" stroke="#999"/>
  <text x="4" y="${pad.t + 8}" font-size="11">${esc(usd(String(max)))}</text>
  ${bars}
  <polyline class="cumulative" points="${line}" fill="none" stroke="#dc2626" stroke-width="2"/>
  <text x="${w - pad.r + 4}" y="${yc(0.8) + 4}" font-size="10" fill="#dc2626">80%</text>
  <line x1="${pad.l}" y1="${yc(0.8)}" x2="${w - pad.r}" y2="${yc(0.8)}" stroke="#dc2626" stroke-dasharray="4 4" stroke-width="0.8"/>
</svg>`;
}

/** Daily spend of the top rows as lines (from --chart data). */
function daily(report: Report): string {
  const rows = report.rows.filter((r) => r.daily && !r.key[report.by[0]!]!.startsWith("(other")).slice(0, 6);
  const days = report.window.days;
  const w = 760;
  const h = 260;
  const pad = { l: 60, r: 160, t: 20, b: 30 };
  const max = Math.max(...rows.flatMap((r) => (r.daily ?? []).map(Number)), 1e-9);
  const x = (i: number) => pad.l + ((w - pad.l - pad.r) * i) / Math.max(days.length - 1, 1);
  const y = (v: number) => pad.t + (h - pad.t - pad.b) * (1 - v / max);
  const series = rows
    .map((r, k) => {
      const pts = (r.daily ?? []).map((v, i) => `${x(i).toFixed(1)},${y(Number(v)).toFixed(1)}`).join(" ");
      const color = COLORS[k % COLORS.length]!;
      return `<polyline class="series" points="${pts}" fill="none" stroke="${color}" stroke-width="1.8"><title>${esc(label(r, report))}</title></polyline>
  <text x="${w - pad.r + 8}" y="${pad.t + 14 * k + 10}" font-size="11" fill="${color}">${esc(label(r, report).slice(0, 22))}</text>`;
    })
    .join("\n  ");
  return `<svg id="daily" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" role="img" aria-label="Daily spend">
  <line x1="${pad.l}" y1="${h - pad.b}" x2="${w - pad.r}" y2="${h - pad.b}" stroke="#999"/>
  <text x="4" y="${pad.t + 8}" font-size="11">${esc(usd(String(max)))}</text>
  <text x="${pad.l}" y="${h - 8}" font-size="10">${esc(days[0] ?? "")}</text>
  <text x="${w - pad.r - 60}" y="${h - 8}" font-size="10">${esc(days.at(-1) ?? "")}</text>
  ${series}
</svg>`;
}

/** Savings waterfall: baseline, the drop of each tactic, what is left. */
function waterfall(sim: SimResult): string {
  const w = 760;
  const h = 280;
  const pad = { l: 60, r: 20, t: 20, b: 50 };
  const steps = [{ name: "baseline", from: Number(sim.baselineUsd), to: 0 }];
  let prev = Number(sim.baselineUsd);
  for (const s of sim.steps) {
    steps.push({ name: s.tactic, from: prev, to: Number(s.costUsd) });
    prev = Number(s.costUsd);
  }
  steps.push({ name: "after", from: prev, to: 0 });
  const max = Math.max(Number(sim.baselineUsd), 1e-9);
  const bw = (w - pad.l - pad.r) / steps.length;
  const y = (v: number) => pad.t + (h - pad.t - pad.b) * (1 - v / max);
  const bars = steps
    .map((s, i) => {
      const top = y(Math.max(s.from, s.to));
      const bottom = y(Math.min(s.from, s.to));
      const fill = i === 0 || i === steps.length - 1 ? "#2563eb" : "#16a34a";
      const value = i === 0 || i === steps.length - 1 ? s.from : s.from - s.to;
      return `<rect class="step" x="${(pad.l + i * bw + bw * 0.15).toFixed(1)}" y="${top.toFixed(1)}" width="${(bw * 0.7).toFixed(1)}" height="${Math.max(bottom - top, 1).toFixed(1)}" fill="${fill}"><title>${esc(s.name)}: ${esc(usd(value.toFixed(6)))}</title></rect>
  <text x="${(pad.l + i * bw + bw * 0.15).toFixed(1)}" y="${h - pad.b + 14}" font-size="11">${esc(s.name)}</text>`;
    })
    .join("\n  ");
  return `<svg id="waterfall" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" role="img" aria-label="Savings waterfall">
  <line x1="${pad.l}" y1="${h - pad.b}" x2="${w - pad.r}" y2="${h - pad.b}" stroke="#999"/>
  ${bars}
</svg>`;
}

/** One self-contained page: inline CSS and SVG, no scripts, no network. */
export function renderHtml(report: Report, sim: SimResult | null, generatedAt: string): string {
  const savings = sim
    ? `<h2>Savings waterfall (estimate)</h2><p>Exact cache, routing to cheaper siblings, batch where traffic allows and prompt caching, composed in playbook order: ${esc(usd(sim.baselineUsd))} → ${esc(usd(sim.finalUsd))} (${(sim.savedPct * 100).toFixed(1)}% saved).</p>${waterfall(sim)}`
    : "<h2>Savings waterfall</h2><p>Needs request logs in this window.</p>";
  const unpriced = report.totals.unpriced.rows
    ? `<p class="warn">Unpriced: ${report.totals.unpriced.requests} requests (${esc(report.totals.unpriced.models.join(", "))}) are not in these figures.</p>`
    : "";
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>llmcost report</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<style>body{font:14px system-ui,sans-serif;margin:2rem;color:#111}h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:2rem}.warn{color:#b45309}svg{display:block;max-width:100%;height:auto}</style>
</head><body>
<h1>${esc(report.headline.text)}</h1>
<p>${esc(report.by.join(" × "))} · ${esc(report.window.firstTs?.slice(0, 10) ?? "")} → ${esc(report.window.lastTs?.slice(0, 10) ?? "")} (${esc(report.window.tz)}) · generated ${esc(generatedAt)}</p>
${unpriced}
<h2>Pareto</h2>
${pareto(report)}
<h2>Daily spend, top ${esc(report.by[0]!)}s</h2>
${daily(report)}
${savings}
</body></html>
`;
}
