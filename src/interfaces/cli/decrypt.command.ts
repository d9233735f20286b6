import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { Duplex, Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DBackupError } from '../../core/errors.ts';
import { compressionFromFileName, stripCompressionExtension, type Compression } from '../../adapters/compression/compression.ts';
import { createDecompressStream } from '../../adapters/compression/compression.stream.ts';
import { createDecryptStream } from '../../adapters/crypto/decrypt.stream.ts';
import { ENCRYPTED_FILE_EXTENSION } from '../../adapters/crypto/encryption-format.ts';
import { MAX_KEY_FILE_BYTES, parseKeyFile, type KeyFileContents } from '../../adapters/crypto/key-file.ts';
import { writeFileAtomically } from './atomic-file.ts';
import { parseCommandArgs, usageError, type CliCommand } from './command.ts';

const OPTIONS = {
  key: { type: 'string', short: 'k' },
  out: { type: 'string', short: 'o' },
  decompress: { type: 'boolean', short: 'd' },
  force: { type: 'boolean', short: 'f' },
} as const;

export const decryptCommand: CliCommand = {
  name: 'decrypt',
  summary: 'Decrypt an encrypted backup with an exported key (no server or database needed)',
  help: `Usage: dbackup decrypt <file> --key <keyfile> [--out <path>|-] [--decompress] [--force]

Decrypts a backup file (….enc) using the key exported from its encryption profile. Needs only the
file and the key file: no DBackup server, database or .meta.json sidecar.

Options:
  -k, --key <keyfile>  Key file exported from the encryption profile (JSON), or a file holding
                       the bare key as 64 hex characters or base64. Required.
  -o, --out <path>     Where to write the result. A directory puts the file there; '-' writes to
                       standard output. Default: next to <file>, named without '.enc'.
  -d, --decompress     Also decompress, by the file's extension (.gz or .zst); the output name
                       then drops that extension too.
  -f, --force          Overwrite an existing output file.

<file> may be '-' to read standard input (then --out is required).

The output file appears only when the whole backup decrypted and verified; on any error nothing
is left behind. With '--out -' data is written as each chunk verifies, so a truncated or damaged
file can fail after some output: trust the output only when the exit status is 0, and do not pipe
it straight into psql/mysql to restore (they would commit a cut-short dump); decrypt to a file.

Examples:
  dbackup decrypt backup_2024-01-16T12-00-00.sql.gz.enc --key prod.dbackup-key.json
  dbackup decrypt backup_2024-01-16T12-00-00.sql.gz.enc -k prod.key --decompress -o restore/
  dbackup decrypt backup_2024-01-16T12-00-00.sql.zst.enc -k prod.key -d -o - | less`,

  async run(args, context) {
    const { values, positionals } = parseCommandArgs('decrypt', args, OPTIONS);
    if (positionals.length !== 1) {
      throw usageError(positionals.length === 0 ? 'Name the encrypted backup file to decrypt.' : `Expected one file, got ${positionals.length}: ${positionals.join(' ')}`);
    }
    if (!values.key) throw usageError("Pass the exported key with --key <keyfile>.");
    const input = positionals[0] ?? '-';
    const fromStdin = input === '-';
    const inputPath = fromStdin ? undefined : resolve(context.cwd, input);
    if (fromStdin && (values.out === undefined || values.decompress)) {
      throw usageError('When reading standard input, pass --out, and decompress separately (e.g. pipe through gunzip or zstd -d).');
    }

    const key = await readKeyFile(resolve(context.cwd, values.key));
    if (inputPath) await requireFile(inputPath, 'backup file');
    const compression: Compression = values.decompress && inputPath ? compressionToUndo(inputPath) : 'none';
    const output = await chooseOutput(inputPath, values.out, compression !== 'none', context.cwd);

    const stages = (): Duplex[] => [createDecryptStream(key.key), ...(compression === 'none' ? [] : [createDecompressStream(compression)])];
    const source = (): Readable => (inputPath ? createReadStream(inputPath) : context.stdin);
    const run = (destination: Writable) => pipeline([source(), ...stages(), destination], { signal: context.signal });

    if (output === '-') {
      await run(context.stdout);
      return;
    }
    await writeFileAtomically(output, run, { overwrite: values.force === true });
    const { size } = await stat(output);
    context.stdout.write(`Decrypted ${input} → ${output} (${size} bytes, key ${key.fingerprint}${key.name ? ` "${key.name}"` : ''}).\n`);
  },
};

async function readKeyFile(path: string): Promise<KeyFileContents> {
  const info = await requireFile(path, 'key file');
  if (info.size > MAX_KEY_FILE_BYTES) {
    throw usageError(`${path} is ${info.size} bytes, far too large for a key file. Pass the key exported from the encryption profile with --key.`);
  }
  return parseKeyFile(await readFile(path, 'utf8'));
}

async function requireFile(path: string, what: string): Promise<{ size: number }> {
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new DBackupError('not_found', `The ${what} ${path} does not exist.`, { cause: error, retryable: false });
    }
    throw new DBackupError('invalid_input', `Cannot read the ${what} ${path}: ${(error as Error).message}`, { cause: error, retryable: false });
  }
  if (!info.isFile()) throw usageError(`The ${what} ${path} is not a regular file.`);
  return info;
}

function compressionToUndo(inputPath: string): Compression {
  const compression = compressionFromFileName(basename(inputPath));
  if (compression === 'none') {
    throw usageError(`${basename(inputPath)} has no .gz or .zst extension, so there is nothing to decompress. Drop --decompress.`);
  }
  return compression;
}

/** The output path, `-` for standard output. Refuses to derive a name that would overwrite the input. */
async function chooseOutput(inputPath: string | undefined, out: string | undefined, decompress: boolean, cwd: string): Promise<string> {
  if (out === '-') return '-';
  const target = out === undefined ? undefined : resolve(cwd, out);
  const targetIsDirectory = target !== undefined && (await stat(target).then((s) => s.isDirectory(), () => false));
  let path = target;
  if (target === undefined || targetIsDirectory) {
    if (!inputPath) throw usageError('When reading standard input, --out must name a file.');
    const name = basename(inputPath);
    if (!name.toLowerCase().endsWith(ENCRYPTED_FILE_EXTENSION)) {
      throw usageError(`${name} does not end in ${ENCRYPTED_FILE_EXTENSION}, so there is no default output name. Pass --out <path>.`);
    }
    let plainName = name.slice(0, name.length - ENCRYPTED_FILE_EXTENSION.length);
    if (decompress) plainName = stripCompressionExtension(plainName);
    path = join(target ?? dirname(inputPath), plainName);
  }
  if (path === undefined) throw usageError('Pass --out <path>.');
  if (inputPath && resolve(path) === inputPath) throw usageError('The output would overwrite the encrypted input. Choose another --out.');
  return path;
}
