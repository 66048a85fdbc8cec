#!/usr/bin/env node
/**
 * `roster <command> [flags] [--json]`. With --json one JSON object goes to stdout; errors are one
 * line on stderr and a non-zero exit (2 for usage, 1 otherwise), never a stack trace.
 */
import "reflect-metadata";
import { resolve } from "node:path";
import { loadConfig } from "../config";
import { openDatabase } from "../db/open";
import { embeddedDatabaseExists, embeddedOwner } from "../db/embedded";
import { createLogger } from "../logger";
import { systemClock } from "../context";
import { Outbox } from "../mail/outbox";
import { COMMANDS, describeCliError, resolveCommand, UsageError, type CommandResult } from "./commands";
import { helpFor } from "./usage";
import { sendToServer } from "./control-socket";

function fail(message: string, code: number): never {
  process.stderr.write(`roster: ${message}\n`);
  process.exit(code);
}

function print(result: CommandResult, json: boolean): void {
  process.stdout.write((json ? JSON.stringify(result.json) : result.text) + "\n");
}

/** Commands that may start a new embedded database; any other on an empty DATA_DIR is a mistake. */
const CREATING = new Set(["migrate", "org create"]);

async function main(argv: string[]): Promise<void> {
  const json = argv.includes("--json");
  if (argv.length === 0) throw new UsageError("no command given. Commands: roster --help");
  if (argv.includes("--help") || argv.includes("-h") || argv[0] === "help") {
    process.stdout.write(helpFor(Object.keys(COMMANDS), argv.filter((a) => !a.startsWith("-") && a !== "help")));
    return;
  }
  const { name, command, args } = resolveCommand(argv); // an unknown command fails before the database opens
  const config = loadConfig();
  if (!config.databaseUrl && embeddedOwner(config.dataDir)) {
    const reply = await sendToServer(config.dataDir, argv);
    if (!reply.ok) fail(reply.error, reply.code);
    print(reply.result, json);
    return;
  }
  if (!config.databaseUrl && !embeddedDatabaseExists(config.dataDir)) {
    const where = resolve(config.dataDir);
    // Opening would create a new, empty database here: whatever the operator meant to look up
    // lives elsewhere (the server's DATA_DIR, or DATABASE_URL), and "not found" would mislead.
    if (!CREATING.has(name)) {
      fail(`there is no Roster database in ${where} (DATA_DIR). Set DATA_DIR to the server's data directory, or DATABASE_URL; \`roster migrate\` creates a new one here.`, 1);
    }
    process.stderr.write(`roster: creating a new embedded database in ${where} (DATA_DIR)\n`);
  }
  const db = await openDatabase(config);
  try {
    const deps = { config, ds: db.ds, logger: createLogger("silent"), clock: systemClock, outbox: new Outbox() };
    print(await command(deps, args), json);
  } finally {
    await db.close();
  }
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (err) => {
    const d = describeCliError(err);
    fail(d.message, d.code);
  },
);
