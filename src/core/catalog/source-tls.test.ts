import { beforeAll, describe, expect, it } from 'vitest';
import { generateTestCertificates, type TestCertificates } from '../../adapters/sources/tls/test-certificates.fixture.ts';
import { DBackupError } from '../errors.ts';
import { caCertificateProblem, tlsOfOptions, withTlsOptions } from './source-tls.ts';

let certs: TestCertificates;
beforeAll(async () => {
  certs = await generateTestCertificates();
});

describe('pasted CA certificates', () => {
  it('accepts one certificate, and a bundle with comment lines around its blocks', () => {
    expect(caCertificateProblem(certs.caCert)).toBeUndefined();
    expect(caCertificateProblem(`# Provider root CA\n${certs.caCert}\nsubject=CN = other\n${certs.otherCaCert}`)).toBeUndefined();
  });

  it('says what to paste when the text holds no PEM block', () => {
    expect(caCertificateProblem('MIIBszCCAVmgAwIBAgIU')).toMatch(/^Paste the CA certificate in PEM format: the text from -----BEGIN CERTIFICATE-----/);
  });

  it('refuses a private key, and a block that is not a certificate', () => {
    expect(caCertificateProblem(certs.serverKey)).toBe('The pasted text is a private key. Paste the CA certificate (-----BEGIN CERTIFICATE-----), never a key.');
    const request = '-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----\n';
    expect(caCertificateProblem(`${certs.caCert}${request}`)).toBe(
      'Block 2 of 2 is a CERTIFICATE REQUEST, not a certificate. Paste only the CA certificate (-----BEGIN CERTIFICATE-----).',
    );
  });

  it('names the block that does not parse', () => {
    const lines = certs.otherCaCert.split('\n');
    lines[3] = lines[3]!.replace(/[A-Za-z]/g, (c) => (c === 'A' ? 'B' : 'A'));
    expect(caCertificateProblem(`${certs.caCert}${lines.join('\n')}`)).toMatch(/^Block 2 of 2 is not a valid certificate \(.+\)\. Paste the CA certificate file exactly/);
  });
});

describe('TLS settings in source options', () => {
  it('reads prefer when nothing is stored, and the stored mode and CA otherwise', () => {
    expect(tlsOfOptions({})).toEqual({ mode: 'prefer' });
    expect(tlsOfOptions({ sslmode: 'require' })).toEqual({ mode: 'require' });
    expect(tlsOfOptions({ sslmode: 'verify-full', caCertificate: 'PEM' })).toEqual({ mode: 'verify-full', caCertificate: 'PEM' });
    // Only the verify modes use a CA.
    expect(tlsOfOptions({ sslmode: 'require', caCertificate: 'PEM' })).toEqual({ mode: 'require' });
  });

  it('refuses an unknown stored mode instead of falling back to a weaker one', () => {
    let error: unknown;
    try {
      tlsOfOptions({ sslmode: 'required' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(DBackupError);
    expect((error as DBackupError).message).toBe('The source\'s stored TLS mode "required" is unknown. Edit the source and choose a TLS mode.');
  });

  it('replaces only the TLS keys of the options', () => {
    const stored = { sslmode: 'verify-ca', caCertificate: 'PEM', socket: '/run/db.sock' };
    expect(withTlsOptions(stored, { mode: 'require' })).toEqual({ socket: '/run/db.sock', sslmode: 'require' });
    expect(withTlsOptions({}, { mode: 'verify-full', caCertificate: 'NEW' })).toEqual({ sslmode: 'verify-full', caCertificate: 'NEW' });
  });
});
