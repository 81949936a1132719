/** How a value reads for people (the terminal table and markdown): `$1,234.56`, `14,560`, `86.0%`. */
import { type Cell, type ColumnType, isCell, type Value } from "../document.js";
import { int, pct, usd } from "../format.js";

export function peopleText(type: ColumnType, v: Value | Cell): string {
  if (isCell(v) && v.text !== undefined) return v.text;
  const value = isCell(v) ? v.value : v;
  if (value === null) return "";
  switch (type) {
    case "money":
      return usd(String(value));
    case "count":
      return int(String(value));
    case "percent":
      return pct(Number(value));
    case "boolean":
      return value === true ? "yes" : "no";
    case "date":
    case "number":
    case "text":
      return String(value);
  }
}
