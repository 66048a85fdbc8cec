#!/usr/bin/env node
/**
 * `roster <command> [flags] [--json]`. With --json one JSON object goes to stdout; errors are one
 * line on stderr and a non-zero exit (2 for usage, 1 otherwise), never a stack trace.
 */
import "reflect-metadata";
import { loadConfig } from "../config";
import { openDatabase } from "../db/open";
import { embeddedOwner } from "../db/embedded";
import { createLogger } from "../logger";
import { systemClock } from "../context";
import { Outbox } from "../mail/outbox";
import { describeCliError, resolveCommand, type CommandResult } from "./commands";
import { sendToServer } from "./control-socket";

function fail(message: string, code: number): never {
  process.stderr.write(`roster: ${message}\n`);
  process.exit(code);
}

function print(result: CommandResult, json: boolean): void {
  process.stdout.write((json ? JSON.stringify(result.json) : result.text) + "\n");
}

async function main(argv: string[]): Promise<void> {
  const json = argv.includes("--json");
  const { command, args } = resolveCommand(argv); // an unknown command fails before the database opens
  const config = loadConfig();
  if (!config.databaseUrl && embeddedOwner(config.dataDir)) {
    const reply = await sendToServer(config.dataDir, argv);
    if (!reply.ok) fail(reply.error, reply.code);
    print(reply.result, json);
    return;
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
