/** CLI commands for SSO (`roster sso …`, `roster org domain …`). */
import type { Command } from "../src/cli/commands";

export const SSO_COMMANDS: Record<string, Command> = {};
