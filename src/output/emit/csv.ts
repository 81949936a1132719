/**
 * CSV is data: raw numbers (dollars rounded to 6 places, fractions not percentages), ISO dates, empty for none.
 * Prose is left out (a document of prose only is no CSV: nothing). One table is written as it is; several share one header, led by a `table` column naming each
 * row's part, with the union of their columns in order of first use (or the document's `csvKeys`).
 */
import { type Cell, type ColumnType, cellValue, type Doc, type DocTable, type Emitter, type Value } from "../document.js";
import { csv, shareNumber, usdNumber } from "../format.js";

function dataValue(type: ColumnType, v: Value | Cell): Value {
  const value = cellValue(v);
  if (value === null) return null;
  switch (type) {
    case "money":
      return usdNumber(String(value));
    case "percent":
      return typeof value === "number" ? shareNumber(value) : value;
    case "count":
    case "date":
    case "number":
    case "boolean":
    case "text":
      return value;
  }
}

const data = (t: DocTable) => t.rows.map((r) => r.map((v, i) => dataValue(t.columns[i]!.type, v)));

export const csvEmitter: Emitter = {
  emit(doc: Doc): string {
    const tables = doc.blocks.flatMap((b) => (b.kind === "table" ? [b.table] : []));
    if (tables.length === 0) return "";
    if (tables.length === 1)
      return csv(
        tables[0]!.columns.map((c) => c.key),
        data(tables[0]!),
      );
    const used = new Set(tables.flatMap((t) => t.columns.map((c) => c.key)));
    const keys = [...new Set([...(doc.csvKeys ?? []).filter((k) => used.has(k)), ...used])];
    const rows = tables.flatMap((t) => {
      const at = keys.map((k) => t.columns.findIndex((c) => c.key === k));
      return data(t).map((r) => [t.name, ...at.map((i) => (i < 0 ? null : r[i]))]);
    });
    return csv(["table", ...keys], rows);
  },
};
