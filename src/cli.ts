import { Command, CommanderError, Help, Option } from "commander";
import { EXIT, ExitError } from "./errors.js";
import { env, io, type Io, stderr, stdout, withIo } from "./io.js";
import { setCostMode } from "./store/cost-mode.js";
import { DEFAULTS } from "./defaults.js";
import { FORMATS } from "./output/formats.js";
import type { FlagCommand, FlagsOf } from "./flags/index.js";
import type { TacticFlag } from "./tactics/flags.js";

/** What `simulate` reads from the tactic registry: loaded only for the commands that show its options. */
type Tactics = Pick<typeof import("./tactics/registry.js"), "PLAYBOOK_STEPS" | "tacticFlags">;
/** The arguments that need the registry: simulate itself, and completion (which lists every command's options). */
const NEEDS_TACTICS = new Set(["simulate", "completion"]);

/**
 * The defaults the flag schemas apply (src/flags/), which commander does not know: --help shows each the way commander
 * shows its own, `(default: "UTC")`.
 */
const shownDefaults = new WeakMap<Option, unknown>();
const withDefault = (option: Option, value: unknown): Option => {
  shownDefaults.set(option, value);
  return option;
};
const valueOption = (flags: string, description: string, value: unknown): Option => withDefault(new Option(flags, description), value);

/** Options every command accepts. */
function globals(cmd: Command): Command {
  return cmd
    .option("--db <path>", "DuckDB database file (default: $LLMCOST_DB, else ./llmcost.duckdb)")
    .option(
      "--lake <dir>",
      "instead of --db: a directory of hive-partitioned Parquet with a manifest per ingest; many processes or machines can ingest at once (default: $LLMCOST_LAKE)",
    )
    .option("--config <path>", "config file (default: ./llmcost.config.json when present)")
    .option("--pricing <file>", "pricing overrides JSON: negotiated discounts, private or fine-tuned models")
    .option("--debug", "print stack traces for errors")
    .option("--wide", "on a terminal too, print every table column at full width (tables otherwise fit the terminal)")
    .addOption(valueOption("--cost-mode <mode>", "auto (computed where priced, else the source's stated cost), computed or reported", DEFAULTS.costMode));
}

/** A repeatable option: its values in the order given (the schema's default is the empty list). */
const repeated = (flags: string, description: string): Option =>
  withDefault(
    new Option(flags, description).argParser((v: string, acc: string[] | undefined) => [...(acc ?? []), v]),
    [],
  );

/** A tactic's flag as a commander option (a repeatable one collects a list); its default is the tactic's, shown in --help. */
function tacticOption(f: TacticFlag): Option {
  if (f.repeatable) return repeated(f.flags, f.help);
  return f.default === undefined ? new Option(f.flags, f.help) : valueOption(f.flags, f.help, f.default);
}

const formatOption = (flags = "--format <format>", description = "output format") =>
  withDefault(new Option(flags, description).choices(FORMATS), DEFAULTS.format);

/** A command's options through its flag schema (src/flags/): typed, defaulted, each bad value an exit-2 error. */
async function flags<K extends FlagCommand>(command: K, cmd: Command): Promise<FlagsOf<K>> {
  return (await import("./flags/load.js")).loadFlags(command, cmd.optsWithGlobals());
}

/** The options the user gave (commander's value source "cli" or "env"): a given flag beats the config, even at its default. */
function given(cmd: Command): ReadonlySet<string> {
  const keys = cmd.options.map((o) => o.attributeName());
  return new Set(keys.filter((k) => ["cli", "env"].includes(cmd.getOptionValueSourceWithGlobals(k) ?? "")));
}

/**
 * `done` receives each command's exit code (commander discards action results). `tactics` is the tactic registry, or
 * null when the command line names neither simulate nor completion: every other command starts without loading the
 * tactics' modules.
 */
function build(done: (code: number) => void, tactics: Tactics | null): Command {
  const program = new Command("llmcost")
    .description("Where your LLM API money goes, and what each cost-cutting tactic would save.")
    .version("0.1.0")
    .showHelpAfterError("hint: run with --help for usage")
    .configureHelp({
      optionDescription(this: Help, option: Option): string {
        if (!shownDefaults.has(option)) return Help.prototype.optionDescription.call(this, option);
        return Help.prototype.optionDescription.call(this, Object.assign(Object.create(option) as Option, { defaultValue: shownDefaults.get(option) }));
      },
    })
    .configureOutput({
      // Commander's own errors (an unknown option or command) in the form of every other error: "llmcost: …", then the hint.
      outputError: (s, write) => write(s.replace(/^error: /, "llmcost: ")),
      writeOut: stdout,
      writeErr: stderr,
      getOutHelpWidth: () => (io().stdout.isTTY ? io().stdout.columns : undefined) ?? 80,
      getErrHelpWidth: () => (io().stderr.isTTY ? io().stderr.columns : undefined) ?? 80,
    })
    .addHelpText(
      "after",
      "\nEvery command takes --db PATH (default $LLMCOST_DB, else ./llmcost.duckdb) or\n" +
        "--lake DIR (Parquet files and manifests that many ingests can write at once;\n" +
        "default $LLMCOST_LAKE), --config PATH, --pricing FILE and --debug, before or\n" +
        "after the command; reporting commands take --format table|json|csv|markdown\n" +
        "(--json for short). --no-color or NO_COLOR=1 turns colour off. On a terminal,\n" +
        "tables fit its width (columns hidden least important first, long names\n" +
        "shortened in the middle, a note under the table says what); --wide prints\n" +
        "every column in full. Piped output is always full width.\n" +
        "Exit codes: 0 ok · 1 a check failed · 2 usage, config or input error (nothing\n" +
        "of it written; ingest keeps the earlier files of the run) · 70 internal error.\n" +
        "Start with: llmcost demo",
    )
    .exitOverride()
    .hook("preAction", async (_program, action) => {
      // Set on every run, off too: main() may run many times in one process (the tests, tools).
      (await import("./output/fit.js")).setWide(action.optsWithGlobals().wide === true);
    });

  globals(program.command("ingest"))
    .summary("load provider exports and request logs into the database")
    .description(
      "Load provider usage and cost exports (OpenAI, Anthropic, the clouds' logs, LiteLLM, OpenRouter), your own request " +
        "logs, saved Gemini responses, traces (OpenTelemetry, Langfuse) and coding-agent logs (Claude Code, Codex). " +
        "The format is detected from the header or first record; `llmcost formats` lists them. " +
        "Each file is one transaction. Re-ingesting the same file (same sha256) adds nothing. " +
        "Overlapping provider buckets are not double counted: the newest export of a bucket wins. " +
        "In a directory, files no format reads (README.md, package.json) are skipped with a note.",
    )
    .argument("<files...>", "files, directories (read recursively, links followed), - for stdin, or a pipe")
    .option("--format <name>", "skip detection and read every file as this format (see `llmcost formats`)")
    .option("--replace", "swap in a new version of a file: drop earlier ingests of the same path (or content) first")
    .option("--dry-run", "parse, validate and summarise, then roll back")
    .option("--skip-bad-rows", "leave out rows that fail to parse or validate, listing each with its line and reason")
    .addOption(formatOption("--output <format>", "summary format"))
    .action(async (files: string[], _o, cmd: Command) => {
      const { run } = await import("./commands/ingest.js");
      done(await run(files, await flags("ingest", cmd)));
    });

  globals(program.command("report"))
    .summary("Pareto attribution: where the money goes, by feature, user, model or time")
    .description(
      "Spend by one or two dimensions, sorted by cost (time dimensions chronologically), with share, cumulative " +
        "share and the Pareto headline. Unpriced usage is shown, never dropped. Untagged spend is its own row. " +
        "Dimensions: feature, user, model, provider, project, api_key, endpoint, batch, service_tier, workspace, line_item (cost exports), day, week, month.",
    )
    .addOption(valueOption("--by <dims>", "one or two dimensions, comma-separated", DEFAULTS.by))
    .option("--since <date>", "start, inclusive (ISO date or datetime; local to --tz unless it has an offset)")
    .option("--until <date>", "end, exclusive")
    .addOption(repeated("--where <dim=value>", "filter, repeatable (same dimension = any of)"))
    .option("--top <n>", "show the top N rows and fold the rest into (other)")
    .option("--users <file>", "CSV or list of raw user ids: show them instead of hashes (output only; never stored)")
    .option("--pricing-as-of <date>", "reprice all history at the prices in force on this date")
    .addOption(
      withDefault(
        new Option(
          "--source <source>",
          "requests = request logs; billing = the bill: cost exports, else usage exports (with --by feature: allocated by request-log cost, by tokens where the logs are unpriced); auto = requests when present, else usage exports, else cost exports",
        ).choices(["billing", "requests", "auto"]),
        DEFAULTS.source,
      ),
    )
    .addOption(valueOption("--tz <zone>", "time zone for day/week/month buckets and plain dates", DEFAULTS.tz))
    .option("--chart", "add a daily spend sparkline per row")
    .option(
      "--html <file>",
      "also write one self-contained HTML page: the report table, a Pareto chart (a time series for day/week/month), daily spend and the savings waterfall, all under the same filters",
    )
    .addOption(formatOption())
    .action(async (_o, cmd: Command) => {
      const { run } = await import("./commands/report.js");
      done(await run(await flags("report", cmd)));
    });

  const simulate = globals(program.command("simulate"))
    .summary("project what each cost-cutting tactic would save on your traffic")
    .description(
      `Replays your request logs through tactics in playbook order (${tactics?.PLAYBOOK_STEPS.join(", ") ?? "…"}); each acts on what ` +
        "the earlier ones left, so nothing is counted twice. Prints a waterfall, the per-feature breakdown, the " +
        "evidence and every assumption used. Results are estimates.",
    )
    .addOption(repeated("--feature <name>", "only this feature (repeatable)"))
    .option("--since <date>", "start, inclusive")
    .option("--until <date>", "end, exclusive")
    .addOption(valueOption("--tz <zone>", "time zone for plain dates", DEFAULTS.tz))
    .option("--monthly", "scale to a 30-day month from the observed window");
  // Each tactic's flags, as it declares them (src/tactics/registry.ts), in playbook order.
  for (const f of tactics?.tacticFlags() ?? []) simulate.addOption(tacticOption(f));
  simulate
    .option("--self-host <cost:tps>", "COST_PER_HOUR:TOKENS_PER_SEC: monthly break-even against the API")
    .addOption(formatOption())
    .action(async (_o, cmd: Command) => done(await (await import("./commands/simulate.js")).run(await flags("simulate", cmd))));

  globals(program.command("savings"))
    .summary("run every tactic on every feature and rank the opportunities by $/month")
    .description(
      "Each tactic (exact cache, route to the cheaper sibling, batch, prompt cache) is measured alone on current traffic, per feature, with the evidence behind it. Estimates; use `simulate` to compose tactics.",
    )
    .addOption(repeated("--feature <name>", "only this feature (repeatable)"))
    .option("--since <date>", "start, inclusive")
    .option("--until <date>", "end, exclusive")
    .addOption(valueOption("--tz <zone>", "time zone for plain dates", DEFAULTS.tz))
    .addOption(formatOption())
    .action(async (_o, cmd: Command) => done(await (await import("./commands/savings.js")).run(await flags("savings", cmd))));

  globals(program.command("budget"))
    .summary("CI gate: fail when spend, its projection, a spike or a plan breaks a budget")
    .description(
      "Checks the latest complete day and the month to date (actual and projected run rate) against budgets from " +
        "flags or the config, per feature and per model, spikes against the trailing 7-day median, the unpriced " +
        "share, and a plan's monthly cost delta. Spend is read from the request logs and, for the daily and " +
        "monthly budgets, from the provider's own data too (its bill, else its usage exports). Writes the report to stdout, markdown to --summary or " +
        "$GITHUB_STEP_SUMMARY, the verdict to stderr. Exit 1 when a check fails, 0 when all pass, 2 on bad usage.",
    )
    .option("--max-daily <usd>", "budget for the latest complete day")
    .option("--max-monthly <usd>", "budget for the month: month to date and the projected month end")
    .addOption(repeated("--feature-max <f=usd>", "cap for a feature, USD/day or USD/month (default /month); repeatable"))
    .addOption(repeated("--model-max <m=usd>", "cap for a model (a family name such as gpt-4o covers its snapshots), USD/day or USD/month; repeatable"))
    .option("--max-age <duration>", "fail when the newest data is older than this (e.g. 36h, 2d, 1w; default 2d, config budgets.maxAge)")
    .option("--spike <x>", "fail when a feature's latest day is ≥ X × its trailing 7-day median")
    .option("--spike-min <usd>", `ignore spikes smaller than this many dollars (default: config budgets.spikeMinUsd, else ${DEFAULTS.spikeMinUsd})`)
    .option("--fail-on-unpriced <pct>", "fail when more than PCT% of month-to-date tokens have no price")
    .option("--plan <file>", "planned changes (feature → model, or batch) to cost from the last 30 days")
    .option("--max-increase <usd>", "fail when the plan raises monthly cost by more than this")
    .option("--summary <file>", "write the markdown summary here (default: append to $GITHUB_STEP_SUMMARY)")
    .addOption(formatOption())
    .action(async (_o, cmd: Command) => done(await (await import("./commands/budget.js")).run(await flags("budget", cmd), given(cmd))));

  globals(program.command("reconcile"))
    .summary("compare the bill, the cost computed from usage exports and the cost your request logs explain")
    .description(
      "Per day × provider × model (or per day × provider when the bill has no model breakdown, or per day): billed " +
        "(cost exports), computed (usage exports priced by llmcost), and the cost seen in request logs. A summary " +
        "first (totals and per provider: unattributed and coverage where there is a bill), then the lines, flagged " +
        "first: the bill and the usage exports (else the request logs) differ by more than --tolerance percent, or " +
        "nothing explains a bill line. Last, stated vs computed cost per model (rows with both), flagged over --tolerance.",
    )
    .option("--since <date>", "start, inclusive")
    .option("--until <date>", "end, exclusive")
    .addOption(valueOption("--tz <zone>", "time zone for plain dates", DEFAULTS.tz))
    .addOption(valueOption("--tolerance <pct>", "flag computed vs billed differences above this percentage", String(DEFAULTS.tolerancePct)))
    .option("--flagged", "show only the flagged lines")
    .addOption(formatOption())
    .action(async (_o, cmd: Command) => done(await (await import("./commands/reconcile.js")).run(await flags("reconcile", cmd))));

  globals(program.command("export"))
    .summary("export for FinOps tools (FOCUS CSV) or warehouses (Parquet partitioned by day)")
    .description(
      "--focus writes a FinOps FOCUS 1.2 CSV (1.3 with --focus-version 1.3) that adds up to the bill: per day × provider " +
        "the cost exports where there are any (allocated to features by request-log cost), else the usage exports " +
        "(split to features by request-log tokens), else the request logs; never two of them for the same usage. One row " +
        "per model × price meter (input, cached input, cache writes, output, reasoning, audio, web search) × feature, " +
        "with ListUnitPrice (list prices) and ContractedUnitPrice (your overrides) per 1000000 Tokens, so " +
        "ListCost = ListUnitPrice × PricingQuantity exactly. Unpriced usage is flagged x_PricingStatus = unpriced " +
        "(costs 0 by default, as FOCUS requires a number; --unpriced-cost empty leaves them empty). A summary goes to stderr.",
    )
    .option(
      "--focus <file.csv>",
      "FinOps FOCUS CSV (- for stdout): one row per day × provider × model × price meter × feature; the bill where there is one, else usage exports, else request logs",
    )
    .addOption(
      new Option("--focus-version <v>", "FOCUS version of the columns (1.3 adds ServiceProviderName, HostProviderName, Allocated*, ContractApplied)").choices([
        "1.2",
        "1.3",
      ]),
    )
    .addOption(
      new Option(
        "--unpriced-cost <how>",
        "unpriced usage: zero = costs 0 flagged x_PricingStatus=unpriced (FOCUS-valid, default); empty = empty cost cells (not FOCUS-valid)",
      ).choices(["zero", "empty"]),
    )
    .option("--billing-account <id>", "BillingAccountId and BillingAccountName (default: the provider)")
    .option("--parquet <dir>", "the canonical usage table as Parquet, partitioned by day (day=YYYY-MM-DD/)")
    .option("--overwrite", "allow writing into a non-empty --parquet directory")
    .action(async (_o, cmd: Command) => done(await (await import("./commands/export.js")).run(await flags("export", cmd), given(cmd))));

  const pricing = program
    .command("pricing")
    .summary("list, show and check the versioned pricing tables; import a LiteLLM price map")
    .description(
      "Prices live in pricing/*.json (USD per 1M tokens), effective-dated, with explicit aliases. " +
        "Model names match exactly: an unknown or fine-tuned model is reported as unpriced, never $0.",
    );
  globals(pricing.command("list"))
    .description("list priced models with their current rates")
    .option("--provider <name>", "only this provider (case-blind; one the price tables lack is exit 2, naming the known ones)")
    .addOption(formatOption())
    .action(async (_o, cmd: Command) => done(await (await import("./commands/pricing.js")).list(await flags("pricing list", cmd))));
  globals(pricing.command("show"))
    .description("every price epoch of a model (by id or alias), with sources")
    .argument("<model>")
    .addOption(formatOption())
    .action(async (model: string, _o, cmd: Command) => done(await (await import("./commands/pricing.js")).show(model, await flags("pricing show", cmd))));
  globals(pricing.command("check"))
    .addOption(
      valueOption(
        "--tolerance <pct>",
        "flag a model whose stated cost differs from the computed one by more than this percentage",
        String(DEFAULTS.tolerancePct),
      ),
    )
    .description(
      "validate the tables, list models in the database without a price, and compare stated costs with computed ones per model (exit 1 when a model is unpriced or differs by more than --tolerance)",
    )
    .addOption(formatOption())
    .action(async (_o, cmd: Command) => done(await (await import("./commands/pricing.js")).check(await flags("pricing check", cmd))));
  globals(pricing.command("coverage"))
    .description(
      "how many model names of a LiteLLM price map (default: the bundled snapshot's first-party keys) or of a plain " +
        "list (one name a line) resolve, to which model and rate, and which do not, with a reason (exit 1 when a " +
        "first-party name is unpriced)",
    )
    .argument("[file]", "a LiteLLM model_prices_and_context_window.json, or a text file of model names")
    .addOption(valueOption("--modes <list>", "price-map modes to measure", DEFAULTS.coverageModes))
    .option("--all", "list every name, not only those that do not resolve at the map's rate")
    .addOption(formatOption())
    .action(async (file: string | undefined, _o, cmd: Command) =>
      done(await (await import("./commands/pricing.js")).coverageCommand(file, await flags("pricing coverage", cmd))),
    );
  globals(pricing.command("import-litellm"))
    .description("convert a LiteLLM model_prices_and_context_window.json into a dated table usable with --pricing")
    .argument("<file>")
    .option("--out <file>", "where to write (default ./litellm-<date>.json)")
    .option("--effective-from <date>", "epoch start (default: the YYYY-MM-DD in the file name)")
    .addOption(valueOption("--providers <list>", "providers to keep", DEFAULTS.importProviders))
    .action(async (file: string, _o, cmd: Command) =>
      done(await (await import("./commands/pricing.js")).importLiteLLM(file, await flags("pricing import-litellm", cmd))),
    );

  globals(program.command("formats"))
    .summary("list the supported input formats")
    .description("List the input formats ingest detects: each one's name, its kind (billing export, request log…), the table it loads into and what it reads.")
    .addOption(formatOption())
    .action(async (_o, cmd: Command) => {
      const { run } = await import("./commands/formats.js");
      done(await run(await flags("formats", cmd)));
    });

  globals(program.command("demo"))
    .summary("ingest the bundled request logs and their bills into a temporary database (--db PATH keeps it) and show the report, savings and the bill")
    .description(
      "Ingest the bundled demo traffic (made-up request logs and the OpenAI and Anthropic bills of the same days) into a " +
        "temporary database, or into --db PATH (kept, so the next commands can be tried on it), and show the report, " +
        "the savings and the bill next to the logs.",
    )
    .addOption(formatOption())
    .action(async (_o, cmd: Command) => {
      const { run } = await import("./commands/demo.js");
      done(await run(await flags("demo", cmd)));
    });

  program
    .command("completion")
    .summary("print a shell completion script (bash, zsh or fish)")
    .argument("<shell>", "bash, zsh or fish")
    .addHelpText(
      "after",
      "\nExamples:\n  llmcost completion bash > ~/.local/share/bash-completion/completions/llmcost\n  llmcost completion fish > ~/.config/fish/completions/llmcost.fish",
    )
    .action(async (shell: string) => {
      const { completionScript } = await import("./output/completion.js");
      const o = await (await import("./flags/load.js")).loadFlags("completion", { shell });
      const longs = (c: Command) => c.options.map((o) => o.long).filter((l): l is string => l !== undefined);
      const commands = program.commands.map((c) => ({
        name: c.name(),
        options: [...longs(c), ...c.commands.flatMap(longs), "--json", "--no-color", "--help"].filter((o, i, all) => all.indexOf(o) === i),
        subcommands: c.commands.map((s) => s.name()),
      }));
      stdout(completionScript(o.shell, commands));
      done(EXIT.ok);
    });

  return program;
}

/**
 * Entry point: returns the exit code. Errors are printed once, here. `streams` replaces the process's stdout, stderr,
 * stdin and environment for this run (the tests run the CLI in-process so).
 */
export async function main(argv: readonly string[], streams?: Io): Promise<number> {
  if (streams) return withIo(streams, () => run(argv));
  quietOnClosedPipe();
  return run(argv);
}

async function run(argv: readonly string[]): Promise<number> {
  setCostMode("auto"); // module state: a run starts from the default whatever the one before chose
  let code: number = EXIT.ok;
  const tactics = argv.some((a) => NEEDS_TACTICS.has(a)) ? await import("./tactics/registry.js") : null;
  const program = build((c) => {
    code = c;
  }, tactics);
  for (const cmd of program.commands) cmd.exitOverride();
  try {
    const subcommands = Object.fromEntries(program.commands.map((c) => [c.name(), c.commands.map((s) => s.name())]));
    await program.parseAsync(normaliseArgv(argv, subcommands));
    return code;
  } catch (err) {
    return handle(err, argv.includes("--debug"));
  }
}

/** Global options that take a value (the others are flags). */
const GLOBAL_VALUE = new Set(["--db", "--lake", "--config", "--pricing", "--cost-mode"]);
const GLOBAL_FLAG = new Set(["--debug", "--wide"]);

/**
 * Unix manners commander has no switch for: global options before the subcommand (`llmcost --db x report`) move
 * after it; `--json` is `--format json` (for ingest, whose --format names the input format: `--output json`);
 * `--no-color` is NO_COLOR=1.
 */
export function normaliseArgv(argv: readonly string[], subcommands: Readonly<Record<string, readonly string[]>>): string[] {
  const commands = Object.keys(subcommands);
  const [node = "node", script = "llmcost", ...rest] = argv;
  const moved: string[] = [];
  let i = 0;
  while (i < rest.length && !commands.includes(rest[i]!)) {
    const a = rest[i]!;
    const name = a.split("=")[0]!;
    if (GLOBAL_VALUE.has(name)) {
      moved.push(...(a.includes("=") ? [a] : rest.slice(i, i + 2)));
      i += a.includes("=") ? 1 : 2;
    } else if (GLOBAL_FLAG.has(a) || a === "--json" || a === "--no-color") {
      moved.push(a);
      i++;
    } else break;
  }
  const command = i < rest.length ? rest[i] : undefined;
  // No subcommand (`llmcost --help`): left as it is.
  // After the subcommand that owns the options (`pricing check --db x`), when there is one.
  const sub = command !== undefined && subcommands[command]?.includes(rest[i + 1] ?? "") ? [rest[i + 1]!] : [];
  const args = command !== undefined && commands.includes(command) ? [command, ...sub, ...moved, ...rest.slice(i + 1 + sub.length)] : rest;
  const out: string[] = [];
  for (const a of args) {
    if (a === "--no-color") env().NO_COLOR = "1";
    else if (a === "--json") out.push(command === "ingest" ? "--output" : "--format", "json");
    else out.push(a);
  }
  return [node, script, ...out];
}

/**
 * `llmcost report | head -2`: the reader has all it wants once it closes the pipe. Exit 0 at once, quietly (exit 1
 * would say a check failed).
 */
function quietOnClosedPipe(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on("error", (err: NodeJS.ErrnoException) => {
      if (err.code === "EPIPE") process.exit(EXIT.ok);
      throw err;
    });
  }
}

function handle(err: unknown, debug: boolean): number {
  if (err instanceof CommanderError) {
    if (err.code === "commander.helpDisplayed" || err.code === "commander.version" || err.code === "commander.help") return EXIT.ok;
    return EXIT.usage;
  }
  if (err instanceof ExitError) {
    stderr(`llmcost: ${err.message}\n`);
    if (err.hint) stderr(`hint: ${err.hint}\n`);
    if (debug) stderr(`${err.stack}\n`);
    return err.code;
  }
  const msg = err instanceof Error ? err.message : String(err);
  stderr(`llmcost: internal error: ${msg.split("\n")[0]}\n`);
  stderr("hint: this is a bug in llmcost; please report it with the command you ran (add --debug for the stack trace)\n");
  if (debug && err instanceof Error) stderr(`${err.stack}\n`);
  return EXIT.internal;
}
