import type { CliCommand } from './command.ts';
import { decryptCommand } from './decrypt.command.ts';

/** Every CLI command, in the order `dbackup --help` lists them. Add new commands here. */
export const COMMANDS: readonly CliCommand[] = [
  decryptCommand,
];
