import { Command, CommanderError, Option } from "commander";
import { EXIT, ExitError } from "./errors.js";

/** Options every command accepts. */
function globals(cmd: Command): Command {
  return cmd
    .option("--db <path>", "DuckDB database file (default: $LLMCOST_DB, else ./llmcost.duckdb)")
    .option("--config <path>", "config file (default: ./llmcost.config.json when present)")
    .option("--pricing <file>", "pricing overrides JSON: negotiated discounts, private or fine-tuned models")
    .option("--debug", "print stack traces for errors");
}

const formatOption = () =>
  new Option("--format <format>", "output format").choices(["table", "json", "csv", "markdown"]).default("table");

/** `done` receives each command's exit code (commander discards action results). */
function build(done: (code: number) => void): Command {
  const program = new Command("llmcost")
    .description("Where your LLM API money goes, and what each cost-cutting tactic would save.")
    .version("0.1.0")
    .showHelpAfterError("(run with --help for usage)")
    .configureOutput({ outputError: (s, write) => write(s) })
    .exitOverride();

  globals(program.command("ingest"))
    .summary("load provider exports and request logs into the database")
    .description(
      "Load provider usage/cost exports (OpenAI, Anthropic, LiteLLM, OpenRouter) and your own request logs.\n" +
        "The format is detected from the header or first record; `llmcost formats` lists them.\n" +
        "Each file is one transaction. Re-ingesting the same file (same sha256) adds nothing.\n" +
        "Overlapping provider buckets are not double counted: the newest export of a bucket wins.",
    )
    .argument("<files...>", "files, directories (read recursively) or - for stdin")
    .addOption(new Option("--format <name>", "skip detection and read every file as this format").argParser((v) => v))
    .option("--replace", "swap in a new version of a file: drop earlier ingests of the same path first")
    .option("--dry-run", "parse, validate and summarise, then roll back")
    .addOption(new Option("--output <format>", "summary format").choices(["table", "json", "csv", "markdown"]).default("table"))
    .action(async (files: string[], _o, cmd: Command) => {
      const o = cmd.optsWithGlobals();
      const { run } = await import("./commands/ingest.js");
      done(await run(files, { ...o, sourceFormat: o.format, format: o.output }));
    });

  globals(program.command("formats"))
    .summary("list the supported input formats")
    .addOption(formatOption())
    .action(async (_o, cmd: Command) => {
      const { run } = await import("./commands/formats.js");
      done(await run(cmd.optsWithGlobals()));
    });

  globals(program.command("demo"))
    .summary("ingest the bundled fixtures into a temporary database and show the main report")
    .addOption(formatOption())
    .action(async (_o, cmd: Command) => {
      const { run } = await import("./commands/demo.js");
      done(await run(cmd.optsWithGlobals()));
    });

  return program;
}

/** Entry point: returns the exit code. Errors are printed once, here. */
export async function main(argv: readonly string[]): Promise<number> {
  let code: number = EXIT.ok;
  const program = build((c) => {
    code = c;
  });
  for (const cmd of program.commands) cmd.exitOverride();
  try {
    await program.parseAsync(argv as string[]);
    return code;
  } catch (err) {
    return handle(err, argv.includes("--debug"));
  }
}

function handle(err: unknown, debug: boolean): number {
  if (err instanceof CommanderError) {
    if (err.code === "commander.helpDisplayed" || err.code === "commander.version" || err.code === "commander.help") return EXIT.ok;
    return EXIT.usage;
  }
  if (err instanceof ExitError) {
    process.stderr.write(`llmcost: ${err.message}\n`);
    if (err.hint) process.stderr.write(`hint: ${err.hint}\n`);
    if (debug) process.stderr.write(`${err.stack}\n`);
    return err.code;
  }
  const msg = err instanceof Error ? err.message : String(err);
  process.stderr.write(`llmcost: internal error: ${msg.split("\n")[0]}\n`);
  process.stderr.write("hint: this is a bug in llmcost; please report it with the command you ran (add --debug for the stack trace)\n");
  if (debug && err instanceof Error) process.stderr.write(`${err.stack}\n`);
  return EXIT.internal;
}
