/**
 * The embedded database belongs to one process. While the server owns it, the CLI sends its
 * command over a Unix socket in DATA_DIR (mode 0600: only the same OS user) and the server runs
 * it with its own DataSource, so both never open the files at once.
 */
import { chmodSync, rmSync } from "node:fs";
import { createConnection, createServer, type Server } from "node:net";
import { join } from "node:path";
import type { Deps } from "../context";
import { describeCliError, resolveCommand, type CommandResult } from "./commands";
import { AppError } from "../errors";

export const socketPath = (dataDir: string): string => join(dataDir, "roster.sock");

type Reply = { ok: true; result: CommandResult } | { ok: false; error: string; code: number };

export function serveControlSocket(deps: Deps): Server {
  const path = socketPath(deps.config.dataDir);
  rmSync(path, { force: true });
  const server = createServer((conn) => {
    let buf = "";
    conn.setEncoding("utf8");
    conn.on("data", (chunk) => {
      buf += chunk;
      if (!buf.includes("\n")) return;
      void (async () => {
        let reply: Reply;
        try {
          const { argv } = JSON.parse(buf.slice(0, buf.indexOf("\n"))) as { argv: string[] };
          const { command, args } = resolveCommand(argv);
          reply = { ok: true, result: await command(deps, args) };
        } catch (err) {
          if (!(err instanceof AppError && err.expose)) deps.logger.error({ err }, "CLI command failed inside the server");
          const d = describeCliError(err);
          reply = { ok: false, error: d.message, code: d.code };
        }
        conn.end(JSON.stringify(reply) + "\n");
      })();
    });
    conn.on("error", () => undefined);
  });
  server.listen(path, () => chmodSync(path, 0o600));
  return server;
}

export function sendToServer(dataDir: string, argv: string[]): Promise<Reply> {
  return new Promise((resolveReply, reject) => {
    const conn = createConnection(socketPath(dataDir));
    let buf = "";
    conn.setEncoding("utf8");
    conn.on("connect", () => conn.write(JSON.stringify({ argv }) + "\n"));
    conn.on("data", (c) => (buf += c));
    conn.on("end", () => {
      try {
        resolveReply(JSON.parse(buf) as Reply);
      } catch {
        reject(new Error("the server sent no answer"));
      }
    });
    conn.on("error", reject);
  });
}
