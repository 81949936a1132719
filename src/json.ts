/** Config and price tables are a few levels deep; far deeper is not one (and would overflow the stack later). */
export const MAX_DEPTH = 32;

/** Whether a parsed JSON value nests deeper than MAX_DEPTH (iterative: a deep value must not overflow here). */
export function tooDeep(value: unknown): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length) {
    const [v, d] = stack.pop()!;
    if (d > MAX_DEPTH) return true;
    if (v !== null && typeof v === "object") for (const c of Object.values(v)) if (c !== null && typeof c === "object") stack.push([c, d + 1]);
  }
  return false;
}
