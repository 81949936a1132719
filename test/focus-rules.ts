/**
 * A FOCUS 1.2 conformance check written from the FinOps Foundation rule model (shared/reference/focus/model-1.2.json),
 * independent of llmcost's code: every Static rule reachable from the CostAndUsage dataset that applies to an LLM API
 * provider (presence, type, format, nullability, allowed values, products, distinct counts), with the rule text's
 * reading where the model contradicts it, plus the column-handling rules (x_ prefix, FOCUS columns first). Dynamic
 * rules have no machine-readable requirement and are not counted.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "csv-parse/sync";

type Spec = {
  CheckFunction?: string;
  Items?: Spec[];
  ColumnName?: string;
  ColumnAName?: string;
  ColumnBName?: string;
  ResultColumnName?: string;
  Value?: unknown;
  ModelRuleId?: string;
  ExpectedCount?: number;
};
interface Rule {
  Function: string;
  Reference: string;
  EntityType: string;
  Status: string;
  ApplicabilityCriteria: string[];
  Type: "Static" | "Dynamic";
  ValidationCriteria: { MustSatisfy: string; Keyword: string; Requirement: Spec; Condition: Spec; Dependencies: string[] };
}

/** The criteria an LLM API provider meets (public price list, unit prices, usage measurement, tags, projects…). */
export const LLM_API_CRITERIA = [
  "PUBLIC_PRICE_LIST_SUPPORTED",
  "UNIT_PRICING_SUPPORTED",
  "USAGE_MEASUREMENT_SUPPORTED",
  "TAGGING_SUPPORTED",
  "SUB_ACCOUNT_SUPPORTED",
  "MULTIPLE_PRICING_CATEGORIES_SUPPORTED",
  "NEGOTIATED_PRICING_SUPPORTED",
];

/** The model's machine-readable part contradicts its own text here; the text wins (as the rule says). */
const ERRATA: Record<string, { part: "Condition" | "Requirement"; spec: Spec }> = {
  "Tags-C-003-C": { part: "Condition", spec: { CheckFunction: "CheckNotValue", ColumnName: "Tags", Value: null } },
  "ConsumedQuantity-C-006-C": { part: "Condition", spec: { CheckFunction: "CheckNotValue", ColumnName: "ChargeClass", Value: "Correction" } },
};
/** Stated without a condition the data can express (whether a charge is on an invoice): not checkable. */
const NOT_CHECKABLE = new Set(["InvoiceId-C-004-C", "InvoiceId-C-005-C"]);

const NUM = /^-?(?:[0-9]*\.)?[0-9]+(?:[eE]-?[0-9]+)?$/;
const DATETIME = /^[0-9]{4}-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9]Z$/;
const unitFormat = (() => {
  const size = [
    "b",
    "Kb",
    "Mb",
    "Gb",
    "Tb",
    "Pb",
    "Eb",
    "B",
    "KB",
    "MB",
    "GB",
    "TB",
    "PB",
    "EB",
    "Kib",
    "Mib",
    "Gib",
    "Tib",
    "Pib",
    "Eib",
    "KiB",
    "MiB",
    "GiB",
    "TiB",
    "PiB",
    "EiB",
  ].join("|");
  const t1 = ["Year", "Month", "Day", "Hour", "Minute", "Second"];
  const T1 = t1.join("|");
  const TN = t1.map((t) => `${t}s`).join("|");
  const count = "[A-Za-z][A-Za-z0-9]*(?:\\s+[A-Za-z][A-Za-z0-9]*)*";
  const shapes = [
    `(?:${size}|${T1}|${TN}|${count})`,
    `(?:${size}|${count})-(?:${TN})`,
    `(?:${size}|${count}|${TN})/(?:${T1})`,
    `[0-9]+ (?:${size}|${T1}|${TN}|${count})`,
    `(?:${size}|${count}|${TN})/[0-9]+ (?:${TN})`,
  ];
  return new RegExp(`^(?:${shapes.map((s) => `(?:${s})`).join("|")})$`);
})();

/** Exact decimal as a fraction n / 10^s (BigInt), so products compare without rounding. */
function dec(s: string): { n: bigint; s: number } | null {
  if (!NUM.test(s) || /e/i.test(s)) return null;
  const neg = s.startsWith("-");
  const [i = "0", f = ""] = s.replace("-", "").split(".");
  const n = BigInt((i || "0") + f);
  return { n: neg ? -n : n, s: f.length };
}
const cmpDec = (a: { n: bigint; s: number }, b: { n: bigint; s: number }): number => {
  const x = a.n * 10n ** BigInt(b.s);
  const y = b.n * 10n ** BigInt(a.s);
  return x === y ? 0 : x < y ? -1 : 1;
};
const equalValue = (cell: string, want: unknown): boolean => {
  if (typeof want === "number") {
    const d = dec(cell);
    return d !== null && cmpDec(d, dec(String(want))!) === 0;
  }
  if (typeof want === "boolean") return cell.toLowerCase() === String(want);
  return cell === want;
};
function keyValueProblem(s: string): string | null {
  let obj: unknown;
  try {
    obj = JSON.parse(s);
  } catch {
    return "not JSON";
  }
  if (typeof obj !== "object" || obj === null || Array.isArray(obj)) return "not a JSON object";
  const keys = [...s.matchAll(/"((?:[^"\\]|\\.)*)"\s*:/g)].map((m) => m[1]);
  if (new Set(keys).size !== keys.length) return "duplicate key";
  for (const v of Object.values(obj)) if (typeof v === "object" && v !== null) return "a value is an object or array";
  return null;
}

type Row = (string | null)[];
export interface RuleResult {
  id: string;
  status: "pass" | "fail";
  text: string;
  why?: string;
}

export class FocusTable {
  readonly header: string[];
  readonly rows: Row[];
  private readonly index: Map<string, number>;
  constructor(csv: string | { header: string[]; rows: Row[] }) {
    // Only an unquoted empty field is null (NullHandling); a quoted "" is an empty string.
    const recs = typeof csv === "string" ? (parse(csv, { cast: (v, ctx) => (v === "" && !ctx.quoting ? null : v) }) as Row[]) : [csv.header, ...csv.rows];
    this.header = (recs[0] ?? []).map((h) => h ?? "");
    this.rows = recs.slice(1);
    this.index = new Map(this.header.map((h, i) => [h, i]));
  }
  /** A copy with one cell of the first data row replaced (for tests of the checker itself). */
  withFirstCell(col: string, value: string | null): FocusTable {
    const i = this.index.get(col);
    if (i === undefined) throw new Error(`no column ${col}`);
    const first = [...this.rows[0]!];
    first[i] = value;
    return new FocusTable({ header: this.header, rows: [first, ...this.rows.slice(1)] });
  }
  has = (c: string): boolean => this.index.has(c);
  get = (row: Row, c: string | undefined): string | null => (c === undefined || !this.index.has(c) ? null : (row[this.index.get(c)!] ?? null));
}

export class FocusRules {
  readonly rules: Record<string, Rule>;
  readonly universe: string[];
  private readonly refBy = new Map<string, string[]>();
  private readonly presence = new Map<string, string[]>();
  private readonly currencies: Set<string>;

  constructor(
    referenceDir: string,
    private readonly criteria: readonly string[] = LLM_API_CRITERIA,
  ) {
    const model = JSON.parse(readFileSync(join(referenceDir, "model-1.2.json"), "utf8")) as {
      ModelRules: Record<string, Rule>;
      ModelDatasets: { CostAndUsage: { ModelRules: string[] } };
    };
    this.rules = model.ModelRules;
    this.currencies = new Set(
      readFileSync(join(referenceDir, "currency_codes.csv"), "utf8")
        .split(/\r?\n/)
        .slice(1)
        .map((l) => l.split(",").at(-1)!.trim())
        .filter(Boolean),
    );
    const seen = new Set<string>();
    const stack = [...model.ModelDatasets.CostAndUsage.ModelRules];
    while (stack.length) {
      const id = stack.pop()!;
      if (seen.has(id) || !this.rules[id]) continue;
      seen.add(id);
      const vc = this.rules[id].ValidationCriteria;
      stack.push(...vc.Dependencies, ...refs(vc.Requirement));
    }
    this.universe = Object.keys(this.rules).filter((id) => seen.has(id));
    for (const id of this.universe) {
      const r = this.rules[id]!;
      if (r.Function === "Composite") for (const c of refs(r.ValidationCriteria.Requirement)) this.refBy.set(c, [...(this.refBy.get(c) ?? []), id]);
      if (r.Function === "Presence" && r.EntityType === "Dataset") this.presence.set(r.Reference, [...(this.presence.get(r.Reference) ?? []), id]);
    }
  }

  /** The FOCUS 1.2 column names (those with a presence rule). */
  get columns(): string[] {
    return [...this.presence.keys()];
  }

  private critOk = (id: string) => this.rules[id]!.ApplicabilityCriteria.every((c) => this.criteria.includes(c));
  private keyword = (id: string): "MUST" | "SHOULD" | "MAY" => {
    const k = this.rules[id]!.ValidationCriteria.Keyword;
    return k === "MAY" || k === "OPTIONAL" ? "MAY" : /SHOULD|RECOMMENDED/.test(k) ? "SHOULD" : "MUST";
  };
  private isComposite = (id: string) =>
    this.rules[id]!.Function === "Composite" && (this.rules[id]!.ValidationCriteria.Requirement.Items ?? []).every((i) => i.CheckFunction === "CheckModelRule");

  columnState(col: string, t: FocusTable, stack: string[] = []): "required" | "recommended" | "optional" | "out" {
    let best: "recommended" | "optional" | "out" = "out";
    for (const p of this.presence.get(col) ?? []) {
      if (!this.critOk(p) || this.gate(p, t, stack)) continue;
      const k = this.keyword(p);
      if (k === "MUST") return "required";
      if (k === "SHOULD") best = "recommended";
      else if (best === "out") best = "optional";
    }
    return best;
  }

  /** Why a rule does not apply, or null when it does. */
  gate(id: string, t: FocusTable, stack: string[] = []): string | null {
    if (stack.includes(id)) return null;
    const st = [...stack, id];
    const r = this.rules[id]!;
    if (r.Status !== "Active") return "inactive";
    if (!this.critOk(id)) return "criteria";
    const fam = id.split("-")[0]!;
    if (!(r.Function === "Presence" && r.EntityType === "Dataset") && this.presence.has(fam)) {
      const s = this.columnState(fam, t, st);
      if (s === "out") return "column not applicable";
      if (s !== "required" && !t.has(fam)) return "optional column absent";
    }
    if (!this.isComposite(id)) for (const d of r.ValidationCriteria.Dependencies) if (this.rules[d] && this.gate(d, t, st)) return `depends on ${d}`;
    const parents = this.refBy.get(id) ?? [];
    if (parents.length && parents.every((p) => this.gate(p, t, st))) return "parents not applicable";
    return null;
  }

  private part(id: string, p: "Condition" | "Requirement"): Spec {
    return ERRATA[id]?.part === p ? ERRATA[id].spec : this.rules[id]!.ValidationCriteria[p];
  }

  /** The rule's own condition and those of every composite above it. */
  private conditions(id: string): Spec[] {
    const out: Spec[] = [];
    const seen = new Set<string>();
    const stack = [id];
    while (stack.length) {
      const x = stack.pop()!;
      if (seen.has(x)) continue;
      seen.add(x);
      const c = this.part(x, "Condition");
      if (c?.CheckFunction) out.push(c);
      stack.push(...(this.refBy.get(x) ?? []));
    }
    return out;
  }

  /** A condition as a row predicate ("X is not V" includes rows where X is null, as the rule texts read). */
  private pred(t: FocusTable, s: Spec): (row: Row) => boolean {
    const f = s.CheckFunction;
    if (f === "AND") {
      const ps = (s.Items ?? []).map((i) => this.pred(t, i));
      return (row) => ps.every((p) => p(row));
    }
    if (f === "OR") {
      const ps = (s.Items ?? []).map((i) => this.pred(t, i));
      return (row) => ps.some((p) => p(row));
    }
    if (f === "CheckValue")
      return (row) => {
        const x = t.get(row, s.ColumnName);
        return s.Value === null ? x === null : x !== null && equalValue(x, s.Value);
      };
    if (f === "CheckNotValue")
      return (row) => {
        const x = t.get(row, s.ColumnName);
        return s.Value === null ? x !== null : x === null || !equalValue(x, s.Value);
      };
    if (f === "CheckSameValue" || f === "CheckNotSameValue")
      return (row) => {
        const a = t.get(row, s.ColumnAName);
        const b = t.get(row, s.ColumnBName);
        return a !== null && b !== null && (a === b) === (f === "CheckSameValue");
      };
    const v = this.violation(t, s);
    return (row) => t.get(row, s.ColumnName) !== null && v(row) === null;
  }

  /** A requirement as a row check: null when the row satisfies it, else why not. */
  private violation(t: FocusTable, s: Spec): (row: Row) => string | null {
    const f = s.CheckFunction;
    const col = s.ColumnName;
    const val = (row: Row) => t.get(row, col);
    const onValue = (ok: (x: string) => boolean, what: string) => (row: Row) => {
      const x = val(row);
      return x === null || ok(x) ? null : `${col}=${JSON.stringify(x)} ${what}`;
    };
    switch (f) {
      case "AND": {
        const vs = (s.Items ?? []).map((i) => this.violation(t, i));
        return (row) => vs.map((v) => v(row)).find((x) => x !== null) ?? null;
      }
      case "OR": {
        const vs = (s.Items ?? []).map((i) => this.violation(t, i));
        return (row) => {
          const rs = vs.map((v) => v(row));
          return rs.every((x) => x !== null) ? `none of: ${rs.join(" | ")}` : null;
        };
      }
      case "TypeString":
        return () => null;
      case "TypeDecimal":
      case "FormatNumeric":
      case "CheckDecimalValue":
        return onValue((x) => NUM.test(x), "is not a decimal number");
      case "TypeDateTime":
      case "FormatDateTime":
        return onValue((x) => DATETIME.test(x) && !Number.isNaN(Date.parse(x)), "is not YYYY-MM-DDTHH:mm:ssZ");
      case "FormatString":
        return onValue((x) => x.trim() !== "", "is an empty or blank string");
      case "FormatCurrency":
        return onValue((x) => /^[A-Z]{3}$/.test(x), "is not a currency code");
      case "CheckNationalCurrency":
        return onValue((x) => this.currencies.has(x), "is not an ISO 4217 code");
      case "FormatKeyValue":
        return (row) => {
          const x = val(row);
          const p = x === null ? null : keyValueProblem(x);
          return p && `${col}: ${p}`;
        };
      case "FormatUnit":
        return onValue((x) => unitFormat.test(x), "is not a FOCUS unit (UnitFormat)");
      case "CheckValue":
        return (row) => {
          const x = val(row);
          return s.Value === null
            ? x === null
              ? null
              : `${col} should be null`
            : x === null || equalValue(x, s.Value)
              ? null
              : `${col}=${x} should be ${String(s.Value)}`;
        };
      case "CheckNotValue":
        return (row) => {
          const x = val(row);
          return s.Value === null ? (x === null ? `${col} is null` : null) : x !== null && equalValue(x, s.Value) ? `${col} is ${String(s.Value)}` : null;
        };
      case "CheckSameValue":
      case "CheckNotSameValue":
        return (row) => {
          const a = t.get(row, s.ColumnAName);
          const b = t.get(row, s.ColumnBName);
          if (a === null || b === null) return null;
          return (a === b) === (f === "CheckSameValue") ? null : `${s.ColumnAName}=${a}, ${s.ColumnBName}=${b}`;
        };
      case "CheckGreaterOrEqualThanValue":
        return onValue(
          (x) => {
            const d = dec(x);
            return d !== null && cmpDec(d, dec(String(s.Value))!) >= 0;
          },
          `is below ${String(s.Value)}`,
        );
      case "ColumnByColumnEqualsColumnValue":
        return (row) => {
          const [a, b, r] = [t.get(row, s.ColumnAName), t.get(row, s.ColumnBName), t.get(row, s.ResultColumnName)];
          if (a === null || b === null || r === null) return null;
          const [da, db, dr] = [dec(a), dec(b), dec(r)];
          if (!da || !db || !dr) return "not numbers";
          // Exact: no rounding tolerance at all.
          return cmpDec({ n: da.n * db.n, s: da.s + db.s }, dr) === 0 ? null : `${s.ColumnAName} ${a} × ${s.ColumnBName} ${b} ≠ ${s.ResultColumnName} ${r}`;
        };
      default:
        throw new Error(`no row check for ${f}`);
    }
  }

  /** Every applicable, enforced, machine-checkable leaf rule on the table. */
  check(t: FocusTable): RuleResult[] {
    const out: RuleResult[] = [];
    for (const id of this.universe) {
      const r = this.rules[id]!;
      const text = r.ValidationCriteria.MustSatisfy;
      if (this.isComposite(id) || this.gate(id, t) || this.keyword(id) === "MAY" || r.Type === "Dynamic" || NOT_CHECKABLE.has(id)) continue;
      const req = this.part(id, "Requirement");
      if (!req.CheckFunction) continue;
      const res = (why: string | null): RuleResult => (why ? { id, status: "fail", text, why } : { id, status: "pass", text });
      if (req.CheckFunction === "ColumnPresent") {
        out.push(res(t.has(req.ColumnName!) ? null : `column ${req.ColumnName} is absent`));
        continue;
      }
      const reads = [...colsIn(req)];
      const absent = reads.filter((c) => !t.has(c));
      if (absent.length) {
        const required = absent.filter((c) => !this.presence.has(c) || this.columnState(c, t) === "required");
        if (required.length) out.push(res(`column ${required.join(", ")} is absent`));
        continue;
      }
      const conds = this.conditions(id).map((c) => this.pred(t, c));
      const rows = t.rows.filter((row) => conds.every((p) => p(row)));
      if (req.CheckFunction === "CheckDistinctCount") {
        const groups = new Map<string, Set<string | null>>();
        for (const row of rows) {
          const a = t.get(row, req.ColumnAName);
          if (a !== null) groups.set(a, (groups.get(a) ?? new Set()).add(t.get(row, req.ColumnBName)));
        }
        const bad = [...groups].find(([, v]) => v.size !== req.ExpectedCount);
        out.push(res(bad ? `${req.ColumnAName}=${bad[0]} has ${bad[1].size} ${req.ColumnBName} values` : null));
        continue;
      }
      const v = this.violation(t, req);
      const bad = rows.map((row, i) => [i, v(row)] as const).filter(([, w]) => w !== null);
      out.push(res(bad.length ? `${bad.length} of ${rows.length} row(s), e.g. data row ${bad[0]![0] + 1}: ${bad[0]![1]}` : null));
    }
    // Column handling: custom columns are prefixed x_ and come after every FOCUS column.
    const focus = new Set(this.columns);
    const custom = t.header.filter((h) => !focus.has(h));
    out.push({
      id: "ColumnHandling-A-010-M",
      status: custom.every((c) => c.startsWith("x_")) ? "pass" : "fail",
      text: "custom columns are prefixed x_",
      why: custom.filter((c) => !c.startsWith("x_")).join(", "),
    });
    const lastFocus = Math.max(...t.header.map((h, i) => (focus.has(h) ? i : -1)));
    const firstCustom = t.header.findIndex((h) => !focus.has(h));
    out.push({
      id: "ColumnHandling-A-013-O",
      status: firstCustom === -1 || firstCustom > lastFocus ? "pass" : "fail",
      text: "custom columns after the FOCUS columns",
    });
    return out;
  }
}

const refs = (s: Spec | undefined): string[] => (!s ? [] : s.CheckFunction === "CheckModelRule" ? [s.ModelRuleId!] : (s.Items ?? []).flatMap(refs));
function colsIn(s: Spec, acc = new Set<string>()): Set<string> {
  for (const k of ["ColumnName", "ColumnAName", "ColumnBName", "ResultColumnName"] as const) if (typeof s[k] === "string") acc.add(s[k]);
  for (const i of s.Items ?? []) colsIn(i, acc);
  return acc;
}
