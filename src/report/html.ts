import { compareDec } from "../money.js";
import { int, pct, usd, usdNumber } from "../output/format.js";
import type { SimResult } from "../sim/simulate.js";
import { tacticNamed } from "../tactics/registry.js";
import { daily, PARETO_BARS, pareto, type Series, timeSeries, waterfall } from "./charts.js";
import type { Report, ReportRow } from "./types.js";
import { DIMENSION_PLURAL, type Dimension, TIME_DIMENSIONS } from "./dims.js";
import { provisionalNote, tokenAllocationNote, unpricedNote } from "./render.js";
import { breakable, dayWithWeekday, esc, longDate } from "./svg.js";

const BASIS = { "request logs": "request logs", "usage exports": "provider usage exports", "cost exports": "cost exports (the bill)" } as const;

/** A key as a person reads it: days with their weekday, weeks as "week of …", months by name. */
function keyText(d: Dimension, v: string): string {
  if (d === "day") return dayWithWeekday(v);
  if (d === "week") return `week of ${longDate(v)}`;
  if (d === "month") return longDate(v);
  return v;
}

/**
 * The report's numbers as a table: the same rows, in the same order, as `report --format json`. Each row carries the
 * JSON's values in data-* attributes (so a test, or a reader's script, can check them) and shows them formatted.
 */
function rowsTable(report: Report): string {
  const bill = report.basis === "cost exports" && report.allocatedFrom === null;
  const num = (label: string, title: string) => `<th class="num" title="${esc(title)}">${esc(label)}</th>`;
  const head = [
    ...report.by.map((d) => `<th>${esc(d.replace("_", " "))}</th>`),
    ...(bill
      ? []
      : [
          num("Requests", "requests"),
          num("Input", "input tokens (not cached)"),
          num("Cached", "cached input tokens"),
          num("Cache write", "cache-write tokens (5 min + 1 h)"),
          num("Output", "output tokens (reasoning included)"),
        ]),
    num("Cost", "priced cost in US dollars"),
    num("Share", "share of the total cost"),
    num("Cum.", "cumulative share, in this order"),
  ].join("");
  const attrs = (r: ReportRow) =>
    [
      ["cost", usdNumber(r.costUsd)],
      ["share", Number(r.share.toFixed(6))],
      ["cumulative-share", Number(r.cumulativeShare.toFixed(6))],
      ["requests", r.requests],
      ["input", r.tokens.input],
      ["cached-input", r.tokens.cachedInput],
      ["cache-write-5m", r.tokens.cacheWrite5m],
      ["cache-write-1h", r.tokens.cacheWrite1h],
      ["output", r.tokens.output],
      ["reasoning", r.tokens.reasoning],
      ["unpriced-requests", r.unpriced.requests],
    ]
      .map(([k, v]) => `data-${k}="${esc(String(v))}"`)
      .join(" ");
  const cost = (r: ReportRow) => {
    const mark = r.provisional ? ` <span class="warn" title="provisional: the provider may revise it">*</span>` : "";
    if (r.unpriced.rows === 0) return `${esc(usd(r.costUsd))}${mark}`;
    const why = `unpriced: ${int(r.unpriced.requests)} requests, ${int(r.unpriced.tokens)} tokens (${r.unpriced.models.join(", ")}) are not in this figure`;
    if (compareDec(r.costUsd, "0") === 0) return `<span class="warn" title="${esc(why)}">unpriced</span>${mark}`;
    return `${esc(usd(r.costUsd))} <span class="warn small" title="${esc(why)}">+&nbsp;unpriced</span>${mark}`;
  };
  const cells = (r: ReportRow) =>
    [
      ...(bill
        ? []
        : [int(r.requests), int(r.tokens.input), int(r.tokens.cachedInput), int(r.tokens.cacheWrite5m + r.tokens.cacheWrite1h), int(r.tokens.output)].map(
            (v) => `<td class="num">${esc(v)}</td>`,
          )),
      `<td class="num cost">${cost(r)}</td>`,
      `<td class="num">${esc(pct(r.share))}</td>`,
      `<td class="num">${esc(pct(r.cumulativeShare))}</td>`,
    ].join("");
  const body = report.rows
    .map(
      (r) =>
        `<tr class="row" ${attrs(r)}>${report.by.map((d) => `<td class="key${TIME_DIMENSIONS.includes(d) ? " time" : ""}" data-dim="${d}" data-value="${esc(r.key[d] ?? "")}">${breakable(keyText(d, r.key[d] ?? ""))}</td>`).join("")}${cells(r)}</tr>`,
    )
    .join("\n");
  const t = report.totals;
  const foot = `<tr class="total" data-cost="${usdNumber(t.costUsd)}" data-requests="${t.requests}"><th colspan="${report.by.length}">Total</th>${[
    ...(bill
      ? []
      : [int(t.requests), int(t.tokens.input), int(t.tokens.cachedInput), int(t.tokens.cacheWrite5m + t.tokens.cacheWrite1h), int(t.tokens.output)].map(
          (v) => `<td class="num">${esc(v)}</td>`,
        )),
    `<td class="num cost">${esc(usd(t.costUsd))}</td>`,
    `<td class="num">${report.rows.length ? "100.0%" : "—"}</td><td></td>`,
  ].join("")}</tr>`;
  const empty = report.rows.length
    ? ""
    : `<tr><td colspan="${report.by.length + (bill ? 3 : 8)}">No usage in this window (check --since/--until, --where and --source).</td></tr>`;
  return `<table id="rows"><thead><tr>${head}</tr></thead>\n<tbody>\n${body}${empty}\n</tbody><tfoot>${foot}</tfoot></table>`;
}

function legend(series: readonly Series[]): string {
  if (!series.length) return "";
  return `<ul class="legend">${series.map((s) => `<li><span class="swatch" style="background:${s.color}"></span><span class="name">${breakable(s.name)}</span> <span class="amount">${esc(s.unpriced ? (compareDec(s.totalUsd, "0") === 0 ? "unpriced" : `${usd(s.totalUsd)} + unpriced`) : usd(s.totalUsd))}</span></li>`).join("")}</ul>`;
}

/** What the page covers, in words: the window, the zone and every filter. */
function scope(report: Report): string {
  const w = report.window;
  const parts: string[] = [];
  if (w.days.length)
    parts.push(
      `data from ${esc(longDate(w.days[0]!))} to ${esc(longDate(w.days.at(-1)!))} (${w.days.length} day${w.days.length === 1 ? "" : "s"}, ${esc(w.tz)})`,
    );
  else parts.push(`no data in this window (${esc(w.tz)})`);
  if (w.since) parts.push(`since ${esc(w.since)}`);
  if (w.until) parts.push(`until ${esc(w.until)} (exclusive)`);
  for (const f of report.filters) {
    const m = f.dim === "model" ? report.matched.map((x) => x.name) : [];
    const typed = m.length ? ` (typed: ${m.map(esc).join(", ")})` : "";
    parts.push(`${esc(f.dim)} = ${f.values.map((v) => `<code>${esc(v)}</code>`).join(" or ")}${typed}`);
  }
  return parts.join(" · ");
}

/** The tactics of the waterfall as the page names them ("exact cache, routing to cheaper siblings, …"). */
const playbookNames = (sim: SimResult): string => sim.steps.map((s) => tacticNamed(s.tactic)?.playbookLabel ?? s.tactic).join(", ");

function savingsSection(report: Report, sim: SimResult | null, why: string | null): string {
  const head = "<h2>Savings waterfall <small>(estimate)</small></h2>";
  if (!sim)
    return `${head}<p class="muted">${esc(why ?? (report.source === "requests" ? "No request-log traffic to simulate in this window." : `The waterfall replays request logs; this report reads ${BASIS[report.basis]}.`))}</p>`;
  const rows = sim.steps
    .map(
      (s) =>
        `<tr class="tactic" data-tactic="${esc(s.tactic)}" data-saved="${usdNumber(s.savedUsd)}" data-cost-after="${usdNumber(s.costUsd)}"><td>${esc(s.tactic)}</td><td class="num">${esc(usd(s.savedUsd))}</td><td class="num">${esc(pct(s.savedPct))}</td><td class="num">${esc(usd(s.costUsd))}</td><td class="num">${esc(int(s.affectedRequests))}</td><td class="note">${s.note ? `${esc(s.note)} ` : ""}${s.assumptions.length ? `<details><summary>assumptions</summary>${esc(s.assumptions.join("; "))}</details>` : ""}</td></tr>`,
    )
    .join("\n");
  const unpriced = sim.unpricedRequests ? `<p class="warn">${esc(int(sim.unpricedRequests))} unpriced requests are outside these dollars.</p>` : "";
  return `${head}
<p>The default playbook (${esc(playbookNames(sim))}) replayed on the ${esc(int(sim.requests))} logged requests this report covers (same window and filters), each tactic acting on what the earlier ones left: ${esc(usd(sim.baselineUsd))} → ${esc(usd(sim.finalUsd))}, <strong>${esc(usd(sim.savedUsd))} saved (${esc(pct(sim.savedPct))})</strong>. <code>llmcost savings</code> and <code>llmcost simulate</code> explain each step.</p>
${unpriced}${waterfall(sim)}
<table id="steps" data-baseline="${usdNumber(sim.baselineUsd)}" data-final="${usdNumber(sim.finalUsd)}" data-requests="${sim.requests}"><thead><tr><th>Tactic</th><th class="num">Saves</th><th class="num">of what was left</th><th class="num">Cost after</th><th class="num">Requests changed</th><th>Notes</th></tr></thead>
<tbody>
${rows}
</tbody></table>`;
}

const CSS = `body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2rem auto;max-width:960px;padding:0 1rem;color:#0f172a}
h1{font-size:1.45rem;margin:0 0 .3rem}h2{font-size:1.12rem;margin:2.2rem 0 .4rem}h2 small{font-weight:normal;color:#64748b}
.muted,.scope{color:#475569}.warn{color:#b45309}code{font-size:.92em;background:#f1f5f9;padding:0 .2em;border-radius:3px;overflow-wrap:anywhere}
.cards{display:flex;flex-wrap:wrap;gap:.75rem;margin:1rem 0}.card{border:1px solid #e2e8f0;border-radius:6px;padding:.5rem .8rem;min-width:9rem}
.card b{display:block;font-size:1.25rem;font-variant-numeric:tabular-nums}.card span{color:#64748b;font-size:.85rem}
svg{display:block;max-width:100%;height:auto;margin:.3rem 0}svg text{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;fill:#0f172a}
svg .value{fill:#1e293b}table{border-collapse:collapse;margin:.6rem 0;font-variant-numeric:tabular-nums}
table{font-size:13px}th,td{padding:.28rem .45rem;border-bottom:1px solid #e5e7eb;text-align:left;vertical-align:top}thead th{border-bottom:2px solid #cbd5e1;font-weight:600;white-space:nowrap}
th.num,td.num{text-align:right;white-space:nowrap}td.key{overflow-wrap:break-word;min-width:7rem}td.key.time{white-space:nowrap}.small{font-size:.85em;font-weight:normal}td.cost{font-weight:600}tfoot th,tfoot td{border-top:2px solid #cbd5e1;font-weight:600}
tbody tr:nth-child(even){background:#f8fafc}td.note{color:#475569;font-size:.9em;max-width:28rem}summary{cursor:pointer}
.legend{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:.3rem 1.2rem;margin:.2rem 0}.legend li{display:flex;gap:.35rem;align-items:baseline;max-width:26rem}
.legend .name{overflow-wrap:anywhere}.legend .amount{color:#475569;font-variant-numeric:tabular-nums}.swatch{display:inline-block;width:.8rem;height:.8rem;border-radius:2px;flex:none}
@media print{body{margin:0;max-width:none}}`;

/** One self-contained page: inline CSS and SVG, no scripts, no network. */
export function renderHtml(report: Report, sim: SimResult | null, generatedAt: string, simNote: string | null = null): string {
  const timeDim = report.by.find((d) => TIME_DIMENSIONS.includes(d)) ?? null;
  const notes = [unpricedNote(report), provisionalNote(report), ...report.notes, tokenAllocationNote(report)].filter((x): x is string => x !== null);
  const source = report.allocatedFrom ? `the bill (${report.allocatedFrom}) allocated by request-log cost per day and model` : BASIS[report.basis];
  const tokens =
    report.totals.tokens.input +
    report.totals.tokens.cachedInput +
    report.totals.tokens.cacheWrite5m +
    report.totals.tokens.cacheWrite1h +
    report.totals.tokens.output;
  const bill = report.basis === "cost exports" && report.allocatedFrom === null;
  const cards = [
    [usd(report.totals.costUsd), bill ? "billed" : "priced cost"],
    ...(bill
      ? []
      : [
          [int(report.totals.requests), "requests"],
          [int(tokens), "tokens"],
        ]),
    // Counted before --top folds the rest into "(other: N)".
    [int(report.headline.groups || new Set(report.rows.map((r) => r.key[report.by[0]!])).size), DIMENSION_PLURAL[report.by[0]!]],
  ];
  let charts: string;
  if (!report.rows.length) charts = `<h2>Where the money goes</h2><p class="muted">No usage in this window (check --since/--until, --where and --source).</p>`;
  else if (timeDim) {
    const ts = timeSeries(report, timeDim);
    const other = report.by.find((d) => d !== timeDim);
    charts = `<h2>Spend per ${esc(timeDim)}${other ? `, by ${esc(other.replace("_", " "))}` : ""}</h2>
<p class="muted">Each bar is one ${esc(timeDim)} (${esc(report.window.tz)}), in time order, with its total in dollars${other ? `; colours are the top ${esc(other.replace("_", " "))} values, the rest as “other”` : ""}.${timeDim === "day" && report.by[0] === "day" && report.trend ? " The dashed line is the mean per day." : ""}</p>
${legend(ts.series)}${ts.svg}`;
  } else {
    const more =
      report.rows.length > PARETO_BARS ? ` The chart shows the first ${PARETO_BARS} of ${int(report.rows.length)} rows; the table lists them all.` : "";
    charts = `<h2>Where the money goes</h2>
<p class="muted">Bars: cost of each ${esc(report.by.join(" × "))} (left axis), largest first. Red line: cumulative share of the total (right axis); dashed: 80%.${esc(more)}</p>
${pareto(report)}`;
  }
  const d = timeDim ? null : daily(report);
  const dailySection = d
    ? `<h2>Daily spend of the top ${esc(report.by.join(" × "))} rows</h2><p class="muted">One line per row (the first ${d.series.length}), every day of the window (${esc(report.window.tz)}).</p>${legend(d.series)}${d.svg}`
    : "";
  const when = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/.exec(generatedAt);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>llmcost report: spend by ${esc(report.by.join(" × "))}</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<style>${CSS}</style>
</head><body>
<h1>${esc(report.headline.text)}</h1>
<p class="scope">Spend by ${esc(report.by.join(" × "))} · ${esc(source)}<br>${scope(report)}</p>
<div class="cards">${cards.map(([v, l]) => `<div class="card"><b>${esc(v!)}</b><span>${esc(l!)}</span></div>`).join("")}</div>
${notes.map((n) => `<p class="warn">${esc(n)}</p>`).join("\n")}
${charts}
<h2>The numbers</h2>
${rowsTable(report)}
${dailySection}
${savingsSection(report, sim, simNote)}
<p class="muted">Generated by llmcost ${when ? `on ${esc(longDate(when[1]!))} at ${esc(when[2]!)} UTC` : esc(generatedAt)}. The same figures: <code>llmcost report --format json</code> with these flags.</p>
</body></html>
`;
}
