/** CLI commands for SCIM (`roster scim …`). */
import type { Command } from "../src/cli/commands";

export const SCIM_COMMANDS: Record<string, Command> = {};
