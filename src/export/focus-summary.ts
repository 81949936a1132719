import type { Db } from "../store/db.js";
import { type FocusOptions, focusSelect } from "./focus.js";

export interface FocusSummary {
  rows: number;
  billedUsd: string;
  /** The cost-export total over the exported window (what BilledCost equals on those days). */
  billUsd: string | null;
  /** The part of the bill allocated to a feature (through request logs). */
  billAttributedUsd: string;
  bySource: { source: string; groups: number; billedUsd: string }[];
  /** Rows of models without a price, and how many of each x_PricingStatus (unpriced, billed-list-unpriced…). */
  unpriced: { rows: number; models: string[]; byStatus: Record<string, number> };
  notBilled: number;
}

/** What the export holds, for the line on stderr (read back from the same temp tables). */
export async function focusSummary(db: Db, o: FocusOptions): Promise<FocusSummary> {
  const sel = `(${focusSelect(o)})`;
  const dec = "TRY_CAST(BilledCost AS DECIMAL(38,24))";
  const bySource = await db.all<{ source: string; groups: string; usd: string }>(
    // A group counts for the source that is its truth: on a billed day × provider only the cost export does.
    `WITH f AS ${sel}, billed AS (SELECT DISTINCT ChargePeriodStart, ProviderName FROM f WHERE x_Source = 'cost export')
     SELECT x_Source AS source, count(DISTINCT (f.ChargePeriodStart, f.ProviderName)) FILTER (WHERE x_Source = 'cost export' OR b.ProviderName IS NULL) AS groups,
       coalesce(sum(${dec}), 0)::VARCHAR AS usd
     FROM f LEFT JOIN billed b USING (ChargePeriodStart, ProviderName) GROUP BY 1 ORDER BY 1`,
  );
  const tot = await db.one<{
    rows: string;
    usd: string;
    unpriced: string;
    statuses: string | null;
    models: string | null;
    not_billed: string;
    attributed: string;
  }>(
    `SELECT count(*) AS rows, coalesce(sum(${dec}), 0)::VARCHAR AS usd, count(*) FILTER (WHERE x_PricingStatus LIKE '%unpriced%') AS unpriced,
       to_json(histogram(x_PricingStatus) FILTER (WHERE x_PricingStatus LIKE '%unpriced%'))::VARCHAR AS statuses,
       string_agg(DISTINCT SkuId, ', ' ORDER BY SkuId) FILTER (WHERE x_PricingStatus LIKE '%unpriced%') AS models,
       count(*) FILTER (WHERE x_PricingStatus = 'not-billed') AS not_billed,
       coalesce(sum(${dec}) FILTER (WHERE x_Source = 'cost export' AND x_Feature NOT IN ('(untagged)', '(unattributed)')), 0)::VARCHAR AS attributed
     FROM ${sel}`,
  );
  const bill = await db.one<{ usd: string | null }>("SELECT sum(amount)::VARCHAR AS usd FROM fx_bill");
  return {
    rows: Number(tot?.rows ?? 0),
    billedUsd: tot?.usd ?? "0",
    billUsd: bill?.usd ?? null,
    billAttributedUsd: tot?.attributed ?? "0",
    bySource: bySource.map((s) => ({ source: s.source, groups: Number(s.groups), billedUsd: s.usd })),
    unpriced: {
      rows: Number(tot?.unpriced ?? 0),
      models: tot?.models ? tot.models.split(", ") : [],
      byStatus: Object.fromEntries(
        Object.entries(JSON.parse(tot?.statuses ?? "{}") as Record<string, number>)
          .map(([status, n]) => [status, Number(n)] as const)
          .sort(([a], [b]) => a.localeCompare(b)),
      ),
    },
    notBilled: Number(tot?.not_billed ?? 0),
  };
}

const dollars = (v: string): string => `$${Number(v).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;

export function renderFocusSummary(s: FocusSummary, o: FocusOptions, where: string): string {
  const parts = s.bySource.map((x) => `${x.source} ${dollars(x.billedUsd)} (${x.groups} day × provider group${x.groups === 1 ? "" : "s"})`);
  const lines = [
    `wrote ${s.rows.toLocaleString("en-US")} FOCUS ${o.version} row(s) to ${where}: BilledCost ${dollars(s.billedUsd)}${parts.length ? ` = ${parts.join(" + ")}` : ""}`,
  ];
  if (s.billUsd !== null)
    lines.push(
      `  on the days with a cost export, BilledCost is the bill (${dollars(s.billUsd)}); ${dollars(s.billAttributedUsd)} of it allocated to features by request-log cost, the rest untagged or unattributed`,
    );
  if (s.notBilled) lines.push(`  ${s.notBilled} row(s) of usage on billed days that no bill line names: BilledCost 0, x_PricingStatus = not-billed`);
  if (s.unpriced.rows) {
    const how = o.unpricedCost === "empty" ? "costs left empty (not FOCUS-valid)" : "costs 0, never to be read as spend";
    const statuses = Object.entries(s.unpriced.byStatus);
    if (statuses.length === 1 && statuses[0]![0] === "unpriced")
      lines.push(`warning: ${s.unpriced.rows} row(s) are unpriced (x_PricingStatus = unpriced; ${how}): ${s.unpriced.models.join(", ")}`);
    else {
      // Billed or stated-cost rows of an unpriced model carry a real cost: only their list and contracted costs are 0.
      const what: Record<string, string> = {
        unpriced: how,
        "billed-list-unpriced": `BilledCost is the bill; ListCost and ContractedCost ${o.unpricedCost === "empty" ? "left empty" : "0"}, no list price known`,
        "reported-unpriced": "one charge at the cost the source states",
      };
      const parts = statuses.map(([status, n]) => `${n} ${status} (${what[status] ?? status})`);
      lines.push(`warning: ${s.unpriced.rows} row(s) of models without a price: ${parts.join(", ")}: ${s.unpriced.models.join(", ")}`);
    }
  }
  return `${lines.join("\n")}\n`;
}
