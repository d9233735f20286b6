import type { CliCommand } from './command.ts';
import { backupCommand } from './backup.command.ts';
import { backupsCommand } from './backups.command.ts';
import { decryptCommand } from './decrypt.command.ts';
import { jobsCommand } from './jobs.command.ts';
import { profilesCommand } from './profiles.command.ts';
import { restoreCommand } from './restore.command.ts';
import { restoresCommand } from './restores.command.ts';
import { rotateEncryptionKeyCommand } from './rotate-encryption-key.command.ts';
import { serveCommand } from './serve.command.ts';
import { verifyCommand } from './verify.command.ts';

/** Every CLI command, in the order `dbackup --help` lists them. Add new commands here. */
export const COMMANDS: readonly CliCommand[] = [
  serveCommand,
  jobsCommand,
  backupCommand,
  backupsCommand,
  restoreCommand,
  restoresCommand,
  verifyCommand,
  decryptCommand,
  profilesCommand,
  rotateEncryptionKeyCommand,
];
