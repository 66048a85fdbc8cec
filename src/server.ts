/**
 * Process entry: config → database (migrated under an advisory lock) → app → listen.
 * SIGTERM/SIGINT: drain (shutdown.ts) within SHUTDOWN_DRAIN_MS, then exit.
 */
import "reflect-metadata";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { ConfigError, loadConfig, type Config } from "./config";
import { createLogger, type Logger } from "./logger";
import { openDatabase, type OpenDatabase } from "./db/open";
import { EmbeddedDatabaseBusyError } from "./db/embedded";
import { createApp } from "./app";
import { systemClock, type Deps } from "./context";
import { Outbox } from "./mail/outbox";
import { MailDispatcher } from "./mail/dispatcher";
import { serveControlSocket } from "./cli/control-socket";
import { countOrgs } from "./orgs/org.service";
import { mountFeatures, startFeatureJobs } from "./features";
import { setupLink } from "./ui/setup";
import { startDirectoryScheduler } from "../directory/scheduler";
import { Lifecycle } from "./http/lifecycle";
import { drain } from "./shutdown";

function die(message: string): never {
  process.stderr.write(`roster: ${message}\n`);
  process.exit(1);
}

async function openOrDie(config: Config, logger: Logger): Promise<OpenDatabase> {
  try {
    return await openDatabase(config);
  } catch (err) {
    if (err instanceof EmbeddedDatabaseBusyError) die(err.message);
    const e = err as Error;
    logger.debug({ err }, "database open failed");
    die(config.databaseUrl
      ? `cannot open the database at DATABASE_URL: ${e.message.split("\n")[0]}`
      : `cannot open the embedded database in ${config.dataDir}: ${e.message.split("\n")[0]}`);
  }
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) die(err.message);
    throw err;
  }
  const logger = createLogger(config.logLevel);
  const db = await openOrDie(config, logger);
  const outbox = new Outbox();
  const deps: Deps = { config, ds: db.ds, logger, clock: systemClock, outbox };
  const dispatcher = new MailDispatcher(db.ds, outbox, logger, { smtpUrl: config.smtpUrl, from: config.mailFrom });
  dispatcher.start();
  const stopJobs = startFeatureJobs(deps);
  const control = db.embedded ? serveControlSocket(deps) : undefined;
  const directories = startDirectoryScheduler(deps);

  const lifecycle = new Lifecycle();
  const app = createApp(deps, { mount: (a) => mountFeatures(a, deps), lifecycle });
  const server: Server = app.listen(config.port, () => {
    const port = (server.address() as AddressInfo).port;
    logger.info({ port, baseUrl: config.baseUrl, database: db.embedded ? `embedded (${config.dataDir})` : "postgresql" },
      `Roster listening on port ${port} (${config.baseUrl})`);
  });
  server.on("error", (err) => die(`cannot listen on port ${config.port}: ${err.message}`));

  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal, drainMs: config.shutdownDrainMs }, "shutting down: draining");
    // A last resort if closing itself hangs (the database frozen, say).
    setTimeout(() => die(`shutdown took longer than ${config.shutdownDrainMs + 2000} ms; exiting`), config.shutdownDrainMs + 2000).unref();
    drain({ server, lifecycle, logger, drainMs: config.shutdownDrainMs, dispatcher, control, db,
      background: [directories, { stop: stopJobs }] }).then((clean) => {
      logger.info(clean ? "stopped cleanly" : "stopped (drain time ran out)");
      process.exit(0);
    }, (err) => {
      logger.error({ err }, "error while shutting down");
      process.exit(1);
    });
  };
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));

  // After the signal handlers: a slow database must not leave a SIGTERM unhandled.
  countOrgs(deps).then((n) => {
    if (n === 0) {
      // Plain lines a person can click in a terminal, not a JSON string with escaped newlines; the
      // log gets a line that says where to look (without the one-time token).
      logger.info("no organization yet: the first-run setup link is printed on stdout");
      process.stdout.write(`\nNo organization yet. Set Roster up in a browser with this one-time link:\n\n  ${setupLink(deps)}\n\n`
        + `or from a shell (roster, or npm run cli -- in a checkout): roster org create --name "Acme" --plan enterprise --owner-email you@example.com --owner-password '<at least 10 characters>'\n\n`);
    }
  }, (err) => logger.warn({ err }, "could not count organizations"));
}

main().catch((err) => die(`failed to start: ${(err as Error).message}`));
