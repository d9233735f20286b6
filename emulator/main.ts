/**
 * Command line entry of the Dropbox API emulator:
 *   npm run emulator -- [--port 8787] [--host 127.0.0.1] [--config emulator.json] [--data-dir DIR] [--token-ttl SECONDS]
 * Without --config it starts with a demo app and a demo account and prints them.
 */
import { parseArgs } from 'node:util';
import { demoConfig, loadConfigFile } from './src/config.ts';
import { startEmulator, type EmulatorConfig } from './src/index.ts';

const USAGE = `Usage: npm run emulator -- [options]
  --port <n>           port to listen on (default 8787; 0 = any free port)
  --host <addr>        address to bind (default 127.0.0.1)
  --config <file>      JSON config with apps and accounts (see emulator/README.md)
  --data-dir <dir>     where file bodies are stored (default: a fresh temp dir, removed on exit)
  --token-ttl <s>      access token lifetime in seconds (default 14400)
  --help               show this help`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '8787' },
      host: { type: 'string', default: '127.0.0.1' },
      config: { type: 'string' },
      'data-dir': { type: 'string' },
      'token-ttl': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be an integer 0-65535, got ${values.port}`);
  const config: EmulatorConfig = values.config ? await loadConfigFile(values.config) : demoConfig();
  if (values['data-dir'] !== undefined) config.dataDir = values['data-dir'];
  if (values['token-ttl'] !== undefined) {
    const ttl = Number(values['token-ttl']);
    if (!Number.isFinite(ttl) || ttl <= 0) throw new Error(`--token-ttl must be a positive number of seconds, got ${values['token-ttl']}`);
    config.accessTokenTtlSeconds = ttl;
  }
  const emulator = await startEmulator({ port, host: values.host, config });
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    emulator.close().then(() => process.exit(0), () => process.exit(1));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  console.log(`Dropbox API emulator listening on ${emulator.url}`);
  console.log(values.config ? `Config: ${values.config}` : 'No --config given: using the demo configuration.');
  for (const app of config.apps) {
    console.log(`  app "${app.name}": key=${app.key} secret=${app.secret} access=${app.accessType} scopes=${app.scopes.join(' ')}`);
    console.log(`    redirect URIs: ${app.redirectUris.join(', ') || '(none)'}`);
  }
  for (const account of config.accounts) console.log(`  account: ${account.name} <${account.email}>`);
  console.log(`Point Dropbox clients' https://api.dropboxapi.com, https://content.dropboxapi.com and https://www.dropbox.com at ${emulator.url}`);
  console.log(`Test-control API: ${emulator.url}/__emulator/ (e.g. GET ${emulator.url}/__emulator/info)`);
}

main().catch((error: unknown) => {
  console.error(`dropbox emulator: ${(error as Error).message}`);
  process.exit(1);
});
