import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Throwaway TLS material for the TLS proxies of the source tests, made with the `openssl` CLI. */
export interface TestCertificates {
  /** PEM of the CA that signed `serverCert`. */
  caCert: string;
  /** PEM of another CA, which signed nothing here: the "wrong CA" a user might paste. */
  otherCaCert: string;
  /** PEM of the server certificate: CN and DNS subjectAltName `localhost`, no IP address. */
  serverCert: string;
  serverKey: string;
}

/** Generates a CA, a server certificate for `localhost` signed by it, and an unrelated CA (~100 ms). */
export async function generateTestCertificates(): Promise<TestCertificates> {
  const dir = await mkdtemp(join(tmpdir(), 'dbk-test-certs-'));
  const path = (name: string): string => join(dir, name);
  const newKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2'];
  const caExtensions = ['-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'];
  try {
    for (const name of ['ca', 'other-ca']) {
      await run('openssl', ['req', '-x509', ...newKey, '-keyout', path(`${name}.key`), '-out', path(`${name}.crt`), '-subj', `/CN=DBackup test ${name}`, ...caExtensions]);
    }
    await run('openssl', [
      'req', '-x509', ...newKey, '-keyout', path('server.key'), '-out', path('server.crt'), '-subj', '/CN=localhost',
      '-CA', path('ca.crt'), '-CAkey', path('ca.key'),
      '-addext', 'basicConstraints=critical,CA:FALSE', '-addext', 'subjectAltName=DNS:localhost', '-addext', 'extendedKeyUsage=serverAuth',
    ]);
    const read = (name: string): Promise<string> => readFile(path(name), 'utf8');
    return { caCert: await read('ca.crt'), otherCaCert: await read('other-ca.crt'), serverCert: await read('server.crt'), serverKey: await read('server.key') };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
