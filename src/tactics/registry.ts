/**
 * Every tactic, in playbook order: the order `simulate` runs them in (each acts on what the earlier ones left), the
 * order of the default playbook (`savings`, the demo, the HTML waterfall: the ones with `playbook` settings), and the
 * order of their flags in `simulate --help`. Adding a tactic: its module (see README.md) and one line here.
 */
import type { Catalog } from "../pricing/load.js";
import { BATCH } from "./batch.js";
import { EXACT_CACHE } from "./cache.js";
import { type FlagReader, flagName, type TacticFlag } from "./flags.js";
import { OUTPUT_CAP } from "./output-cap.js";
import { PROMPT_CACHE } from "./prompt-cache.js";
import { PRUNE } from "./prune.js";
import { ROUTE } from "./route.js";
import { SEMANTIC_CACHE } from "./semantic-cache.js";
import { type BuildContext, instantiate, type SimColumn, type SimColumnName, type StepView, type SummaryLine, type Tactic, type TacticDef } from "./types.js";

/** A registered tactic, its settings type hidden: what the commands and the outputs read. */
export interface TacticEntry {
  name: string;
  step: string;
  flags: readonly TacticFlag[];
  columns: readonly SimColumn[];
  rewrites: readonly SimColumnName[];
  inPlaybook: boolean;
  /** How the HTML page names it in the default playbook (null: not in it). */
  playbookLabel: string | null;
  /** The tactic the simulate flags choose, or null. */
  fromFlags(flags: FlagReader, ctx: BuildContext): Tactic | null;
  /** The tactic with its default-playbook settings (only for `inPlaybook`). */
  playbook(ctx: BuildContext): Tactic;
  summary(step: StepView, sim: { requests: number }): SummaryLine[];
}

/** The definition behind an entry; its settings type stays inside. */
function entry<Settings, State>(def: TacticDef<Settings, State>): TacticEntry {
  return {
    name: def.name,
    step: def.step,
    flags: def.flags,
    columns: def.columns,
    rewrites: def.rewrites,
    inPlaybook: def.playbook !== undefined,
    playbookLabel: def.playbook?.label ?? null,
    fromFlags(flags, ctx) {
      const settings = def.fromFlags(flags, ctx);
      return settings === null ? null : instantiate(def, settings);
    },
    playbook(ctx) {
      if (!def.playbook) throw new Error(`${def.name} is not in the default playbook`);
      return instantiate(def, def.playbook.settings(ctx));
    },
    summary: (step, sim) => def.summary?.(step, sim) ?? [],
  };
}

export const TACTICS: readonly TacticEntry[] = [
  entry(EXACT_CACHE),
  entry(SEMANTIC_CACHE),
  entry(ROUTE),
  entry(BATCH),
  entry(PROMPT_CACHE),
  entry(PRUNE),
  entry(OUTPUT_CAP),
];

/** The playbook steps, in order, once each ("cache, route, batch, prompt-cache, prune, output-cap"). */
export const PLAYBOOK_STEPS: readonly string[] = [...new Set(TACTICS.map((t) => t.step))];

/** Every tactic flag once (shared ones are one object), in playbook order: what `simulate` adds to its options. */
export function tacticFlags(): TacticFlag[] {
  const seen = new Map<string, TacticFlag>();
  for (const t of TACTICS) {
    for (const f of t.flags) {
      const name = flagName(f);
      const known = seen.get(name);
      if (known !== undefined && known !== f) throw new Error(`${t.name} declares ${name} again: share the other tactic's flag object`);
      seen.set(name, f);
    }
  }
  return [...seen.values()];
}

/** The tactics the simulate flags choose, in playbook order (a bad flag value is a usage error naming it). */
export const tacticsFromFlags = (flags: FlagReader, ctx: BuildContext): Tactic[] => TACTICS.flatMap((t) => t.fromFlags(flags, ctx) ?? []);

/** The default playbook with its default settings, in order: each is measured alone by `savings`, composed by the HTML page. */
export function playbookTactics(catalog: Catalog, tactics: BuildContext["tactics"] = {}): Tactic[] {
  return TACTICS.filter((t) => t.inPlaybook).map((t) => t.playbook({ catalog, tactics }));
}

/** The registered tactic of a step's name (every step of a result is one). */
export function tacticNamed(name: string): TacticEntry | undefined {
  return TACTICS.find((t) => t.name === name);
}

/** The tactics' own lines for a result's steps ("Hit rates"), grouped by section in order of first appearance. */
export function summaries(steps: readonly StepView[], sim: { requests: number }): { section: string; lines: string[] }[] {
  const sections = new Map<string, string[]>();
  for (const s of steps) {
    for (const line of tacticNamed(s.tactic)?.summary(s, sim) ?? []) sections.set(line.section, [...(sections.get(line.section) ?? []), line.text]);
  }
  return [...sections].map(([section, lines]) => ({ section, lines }));
}
