import { execFile } from 'node:child_process';
import { X509Certificate, createHash, createPrivateKey } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, unlink, writeFile, chmod, copyFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { ensurePki, type PkiMaterial } from '@/lib/pki/ensure-pki';
import { certificateFingerprint, normalizeFingerprint } from '@/lib/pki/fingerprint';
import { parseHostNames } from '@/lib/pki/host-names';
import { createCsr } from '@/lib/pki/issue-test-client';
import { pkiPaths } from '@/lib/pki/paths';
import { canonicalSerial } from '@/lib/pki/serial';
import { CsrRejectedError, signAgentCsr } from '@/lib/pki/sign-agent-csr';
import { webcrypto } from '@/lib/pki/webcrypto';
import * as x509 from '@/lib/pki/x509';
import { issueCustomCertificate } from '@/tests/helpers/test-certificates';

const execFileAsync = promisify(execFile);
const HOST_NAMES = ['localhost', '127.0.0.1', '::1', 'pm.example.test'];
const DAY_MS = 24 * 60 * 60 * 1000;

let workDir: string;
let pki: PkiMaterial;

beforeAll(async () => {
  workDir = await mkdtemp(path.join(tmpdir(), 'pm-pki-unit-'));
  pki = await ensurePki({ configDir: path.join(workDir, 'shared'), hostNames: HOST_NAMES });
});

afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

async function freshConfigDir(name: string): Promise<string> {
  return path.join(await mkdtemp(path.join(workDir, `${name}-`)), 'config');
}

async function fileMode(file: string): Promise<number> {
  return (await stat(file)).mode & 0o777;
}

async function opensslVerify(caPem: string, certPem: string): Promise<string> {
  const directory = await mkdtemp(path.join(workDir, 'verify-'));
  await writeFile(path.join(directory, 'ca.pem'), caPem);
  await writeFile(path.join(directory, 'cert.pem'), certPem);
  const { stdout } = await execFileAsync('openssl', [
    'verify',
    '-CAfile',
    path.join(directory, 'ca.pem'),
    path.join(directory, 'cert.pem'),
  ]);
  return stdout;
}

/** Builds a CSR with a key of any WebCrypto algorithm, asking for names the CA must ignore. */
async function csrWithKey(algorithm: RsaHashedKeyGenParams | EcKeyGenParams, signing: Algorithm | EcdsaParams): Promise<string> {
  const keys = (await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify'])) as CryptoKeyPair;
  const csr = await x509.Pkcs10CertificateRequestGenerator.create(
    {
      name: 'CN=admin.example.test',
      keys,
      signingAlgorithm: signing,
      extensions: [new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: 'admin.example.test' }])],
    },
    webcrypto,
  );
  return csr.toString('pem');
}

describe('ensurePki', () => {
  it('creates keys 0600, certificates 0644 and directories 0700', async () => {
    const configDir = await freshConfigDir('modes');
    const material = await ensurePki({ configDir, hostNames: HOST_NAMES });
    const paths = pkiPaths(configDir);
    const umask = process.umask();

    expect(material.created).toEqual({ ca: true, web: true });
    expect(await fileMode(paths.caKey)).toBe(0o600);
    expect(await fileMode(paths.webKey)).toBe(0o600);
    expect(await fileMode(paths.caCert)).toBe(0o644 & ~umask);
    expect(await fileMode(paths.webCert)).toBe(0o644 & ~umask);
    expect(await fileMode(path.dirname(paths.caKey))).toBe(0o700);
    expect(await fileMode(path.dirname(paths.webKey))).toBe(0o700);
    expect(await readFile(paths.caKey, 'utf8')).toBe(material.caKeyPem);
    expect(material.caKeyPem).toContain('-----BEGIN PRIVATE KEY-----');
    expect(material.webKeyPem).toContain('-----BEGIN PRIVATE KEY-----');
  });

  it('second call creates nothing', async () => {
    const configDir = await freshConfigDir('idempotent');
    const first = await ensurePki({ configDir, hostNames: HOST_NAMES });
    const messages: string[] = [];
    const second = await ensurePki({ configDir, hostNames: HOST_NAMES, log: (msg) => messages.push(msg) });

    expect(second.created).toEqual({ ca: false, web: false });
    expect(second.caFingerprint).toBe(first.caFingerprint);
    expect(second.caKeyPem).toBe(first.caKeyPem);
    expect(second.webCertPem).toBe(first.webCertPem);
    expect(messages).toEqual([]);
  });

  it('CA and web keys are ECDSA P-256', () => {
    for (const [name, pem] of [
      ['CA certificate', pki.caCertPem],
      ['web certificate', pki.webCertPem],
    ] as const) {
      const key = new X509Certificate(pem).publicKey;
      expect(key.asymmetricKeyType, name).toBe('ec');
      expect(key.asymmetricKeyDetails?.namedCurve, name).toBe('prime256v1');
    }
    for (const [name, pem] of [
      ['CA key', pki.caKeyPem],
      ['web key', pki.webKeyPem],
    ] as const) {
      const key = createPrivateKey(pem);
      expect(key.asymmetricKeyType, name).toBe('ec');
      expect(key.asymmetricKeyDetails?.namedCurve, name).toBe('prime256v1');
    }
    expect(new X509Certificate(pki.webCertPem).checkIssued(new X509Certificate(pki.caCertPem))).toBe(true);
  });

  it('CA certificate has the required extensions', () => {
    const ca = new x509.X509Certificate(pki.caCertPem);
    const basic = ca.getExtension(x509.BasicConstraintsExtension);
    const usage = ca.getExtension(x509.KeyUsagesExtension);

    expect(ca.subject).toMatch(/^CN=Patch Manager Internal CA [0-9a-f]{8}$/);
    expect(ca.subject).toBe(ca.issuer);
    expect(basic?.ca).toBe(true);
    expect(basic?.pathLength).toBe(0);
    expect(basic?.critical).toBe(true);
    expect(usage?.usages).toBe(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign);
    expect(usage?.critical).toBe(true);
    expect(ca.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId).toMatch(/^[0-9a-f]{40}$/);
    expect(ca.notAfter.getTime() - ca.notBefore.getTime()).toBe(3650 * DAY_MS);
    expect(pki.caFingerprint).toBe(certificateFingerprint(pki.caCertPem));
  });

  it('web certificate covers host names and chains to the CA', async () => {
    const web = new X509Certificate(pki.webCertPem);
    const ca = new X509Certificate(pki.caCertPem);

    expect(web.checkHost('localhost', { subject: 'never' })).toBe('localhost');
    expect(web.checkHost('pm.example.test', { subject: 'never' })).toBe('pm.example.test');
    expect(web.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(web.checkIP('::1')).toBe('::1');
    expect(web.checkHost('other.example.test', { subject: 'never' })).toBeUndefined();
    expect(web.checkIssued(ca)).toBe(true);
    expect(web.verify(ca.publicKey)).toBe(true);
    expect(web.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
    expect(web.ca).toBe(false);
    expect(await opensslVerify(pki.caCertPem, pki.webCertPem)).toContain('OK');

    const parsed = new x509.X509Certificate(pki.webCertPem);
    const caParsed = new x509.X509Certificate(pki.caCertPem);
    expect(parsed.getExtension(x509.AuthorityKeyIdentifierExtension)?.keyId).toBe(
      caParsed.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId,
    );
    expect(parsed.notAfter.getTime() - parsed.notBefore.getTime()).toBe(397 * DAY_MS);
  });

  it('re-issues web certificate for a new host name', async () => {
    const configDir = await freshConfigDir('new-name');
    const first = await ensurePki({ configDir, hostNames: ['localhost'] });
    const messages: string[] = [];
    const second = await ensurePki({ configDir, hostNames: ['localhost', '10.0.0.5'], log: (msg) => messages.push(msg) });

    expect(second.created).toEqual({ ca: false, web: true });
    expect(second.caFingerprint).toBe(first.caFingerprint);
    expect(second.webKeyPem).not.toBe(first.webKeyPem);
    expect(new X509Certificate(second.webCertPem).checkIP('10.0.0.5')).toBe('10.0.0.5');
    expect(messages).toEqual(['Issuing web certificate because it does not cover 10.0.0.5']);
  });

  it('keeps web certificate when names are a subset', async () => {
    const configDir = await freshConfigDir('subset');
    await ensurePki({ configDir, hostNames: HOST_NAMES });
    const again = await ensurePki({ configDir, hostNames: ['LOCALHOST.', '0:0:0:0:0:0:0:1'] });

    expect(again.created).toEqual({ ca: false, web: false });
  });

  it('re-issues missing web certificate', async () => {
    const configDir = await freshConfigDir('missing-web');
    await ensurePki({ configDir, hostNames: HOST_NAMES });
    await unlink(pkiPaths(configDir).webCert);
    const messages: string[] = [];
    const again = await ensurePki({ configDir, hostNames: HOST_NAMES, log: (msg) => messages.push(msg) });

    expect(again.created).toEqual({ ca: false, web: true });
    expect(messages).toEqual(['Issuing web certificate because the certificate or its key is missing']);
    expect(await fileMode(pkiPaths(configDir).webKey)).toBe(0o600);
  });

  it('re-issues expired web certificate', async () => {
    const configDir = await freshConfigDir('expired-web');
    const material = await ensurePki({ configDir, hostNames: ['localhost'] });
    const expired = await issueCustomCertificate({
      caCertPem: material.caCertPem,
      caKeyPem: material.caKeyPem,
      hostId: 'localhost',
      notBefore: new Date(Date.now() - 10 * DAY_MS),
      notAfter: new Date(Date.now() - DAY_MS),
      extendedKeyUsages: [x509.ExtendedKeyUsage.serverAuth],
      altNames: [{ type: 'dns', value: 'localhost' }],
    });
    await writeFile(pkiPaths(configDir).webCert, expired.certPem);
    await writeFile(pkiPaths(configDir).webKey, expired.keyPem, { mode: 0o600 });
    const messages: string[] = [];
    const again = await ensurePki({ configDir, hostNames: ['localhost'], log: (msg) => messages.push(msg) });

    expect(again.created.web).toBe(true);
    expect(messages[0]).toMatch(/^Issuing web certificate because it expired on /);
    expect(new X509Certificate(again.webCertPem).validTo).not.toBe(new X509Certificate(expired.certPem).validTo);
  });

  it('re-issues web certificate from another CA', async () => {
    const configDir = await freshConfigDir('foreign-web');
    await ensurePki({ configDir, hostNames: HOST_NAMES });
    const sharedPaths = pkiPaths(path.join(workDir, 'shared'));
    await copyFile(sharedPaths.webCert, pkiPaths(configDir).webCert);
    await copyFile(sharedPaths.webKey, pkiPaths(configDir).webKey);
    const messages: string[] = [];
    const again = await ensurePki({ configDir, hostNames: HOST_NAMES, log: (msg) => messages.push(msg) });

    expect(again.created).toEqual({ ca: false, web: true });
    expect(messages).toEqual(['Issuing web certificate because it was not issued by the current internal CA']);
  });

  it('never overwrites an existing CA key', async () => {
    const configDir = await freshConfigDir('partial-ca');
    const paths = pkiPaths(configDir);
    await ensurePki({ configDir, hostNames: HOST_NAMES });
    const keyBefore = await readFile(paths.caKey, 'utf8');
    await unlink(paths.caCert);

    await expect(ensurePki({ configDir, hostNames: HOST_NAMES })).rejects.toThrow(/Internal CA is incomplete/);
    expect(await readFile(paths.caKey, 'utf8')).toBe(keyBefore);
  });

  it('rejects a CA key readable by others', async () => {
    const configDir = await freshConfigDir('loose-key');
    await ensurePki({ configDir, hostNames: HOST_NAMES });
    await chmod(pkiPaths(configDir).caKey, 0o644);

    await expect(ensurePki({ configDir, hostNames: HOST_NAMES })).rejects.toThrow(/has mode 0644/);
  });

  it('tightens a pre-existing open key directory', async () => {
    const configDir = await freshConfigDir('open-dir');
    const caDir = path.dirname(pkiPaths(configDir).caKey);
    await ensurePki({ configDir, hostNames: HOST_NAMES });
    await chmod(caDir, 0o755);
    const messages: string[] = [];
    await ensurePki({ configDir, hostNames: HOST_NAMES, log: (msg) => messages.push(msg) });

    expect(await fileMode(caDir)).toBe(0o700);
    expect(messages).toEqual([`Changed mode of ${caDir} to 0700 because group or others could access it`]);
  });
});

describe('parseHostNames', () => {
  it('sorts and normalises names', () => {
    expect(parseHostNames(['Host.Example.', '[::1]', '0:0::1', '127.0.0.1', 'host.example'])).toEqual({
      dnsNames: ['host.example'],
      ipAddresses: ['::1', '127.0.0.1'],
    });
  });

  it.each(['', 'bad name', 'exa_mple.com', '-leading.example', 'fe80::1%eth0'])('rejects %j', (name) => {
    expect(() => parseHostNames([name])).toThrow(/Invalid/);
  });

  it('rejects an empty list', () => {
    expect(() => parseHostNames([])).toThrow(/at least one host name/);
  });
});

describe('fingerprints and serials', () => {
  it('fingerprint is SHA-256 of the DER', () => {
    const der = new X509Certificate(pki.caCertPem).raw;
    const expected = createHash('sha256').update(der).digest('hex');

    expect(certificateFingerprint(pki.caCertPem)).toBe(expected);
    expect(certificateFingerprint(pki.caCertPem)).toMatch(/^[0-9a-f]{64}$/);
    expect(new X509Certificate(pki.caCertPem).fingerprint256.replace(/:/g, '').toLowerCase()).toBe(expected);
  });

  it('normalizeFingerprint accepts common spellings', () => {
    const canonical = pki.caFingerprint;
    const colons = canonical.toUpperCase().match(/../g)!.join(':');

    expect(normalizeFingerprint(canonical)).toBe(canonical);
    expect(normalizeFingerprint(canonical.toUpperCase())).toBe(canonical);
    expect(normalizeFingerprint(colons)).toBe(canonical);
    expect(normalizeFingerprint(` ${colons.toLowerCase()}\n`)).toBe(canonical);
  });

  it.each([
    ['63 digits', 'a'.repeat(63)],
    ['65 digits', 'a'.repeat(65)],
    ['SHA-1 length', 'ab'.repeat(20)],
    ['non-hex', 'g'.repeat(64)],
    ['misplaced colons', `${'a'.repeat(3)}:${'a'.repeat(61)}`],
    ['empty', ''],
  ])('normalizeFingerprint rejects %s', (_label, input) => {
    expect(() => normalizeFingerprint(input)).toThrow(/expected 64 hex digits/);
  });

  it('canonicalSerial strips zeros, colons and case', () => {
    expect(canonicalSerial('00:9B:F6')).toBe('9bf6');
    expect(canonicalSerial('0A1b')).toBe('a1b');
    expect(canonicalSerial('00')).toBe('0');
    expect(() => canonicalSerial('xyz')).toThrow(/Invalid certificate serial/);
  });
});

describe('signAgentCsr', () => {
  it('issues a clientAuth certificate for the host', async () => {
    const { csrPem } = await createCsr();
    const issued = await signAgentCsr({ caCertPem: pki.caCertPem, caKeyPem: pki.caKeyPem, csrPem, hostId: 'host-42', validityDays: 90 });
    const certificate = new X509Certificate(issued.certPem);
    const ca = new X509Certificate(pki.caCertPem);

    expect(certificate.subject).toBe('CN=host-42');
    expect(certificate.subjectAltName).toBe('URI:urn:pm:host:host-42');
    expect(certificate.keyUsage).toEqual(['1.3.6.1.5.5.7.3.2']);
    expect(certificate.ca).toBe(false);
    expect(certificate.checkIssued(ca)).toBe(true);
    expect(certificate.verify(ca.publicKey)).toBe(true);
    expect(await opensslVerify(pki.caCertPem, issued.certPem)).toContain('OK');
    expect(issued.serial).toBe(canonicalSerial(certificate.serialNumber));
    expect(issued.serial).toMatch(/^[1-9a-f][0-9a-f]{0,31}$/);
    expect(issued.fingerprint).toBe(certificateFingerprint(issued.certPem));
    expect(issued.notBefore.getTime()).toBe(new Date(certificate.validFrom).getTime());
    expect(issued.notAfter.getTime()).toBe(new Date(certificate.validTo).getTime());
    expect(issued.notAfter.getTime() - issued.notBefore.getTime()).toBe(90 * DAY_MS);
  });

  it('sets the extensions and ignores what the CSR requests', async () => {
    const csrPem = await csrWithKey({ name: 'ECDSA', namedCurve: 'P-256' }, { name: 'ECDSA', hash: 'SHA-256' } as EcdsaParams);
    const issued = await signAgentCsr({ caCertPem: pki.caCertPem, caKeyPem: pki.caKeyPem, csrPem, hostId: 'host-7', validityDays: 30 });
    const certificate = new x509.X509Certificate(issued.certPem);
    const ca = new x509.X509Certificate(pki.caCertPem);
    const altNames = certificate.getExtension(x509.SubjectAlternativeNameExtension)?.names.toJSON();

    expect(certificate.subject).toBe('CN=host-7');
    expect(altNames).toEqual([{ type: 'url', value: 'urn:pm:host:host-7' }]);
    expect(certificate.getExtension(x509.ExtendedKeyUsageExtension)?.usages).toEqual([x509.ExtendedKeyUsage.clientAuth]);
    expect(certificate.getExtension(x509.KeyUsagesExtension)?.usages).toBe(x509.KeyUsageFlags.digitalSignature);
    expect(certificate.getExtension(x509.BasicConstraintsExtension)?.ca).toBe(false);
    expect(certificate.getExtension(x509.AuthorityKeyIdentifierExtension)?.keyId).toBe(
      ca.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId,
    );
    expect(certificate.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId).toMatch(/^[0-9a-f]{40}$/);
    expect(certificate.extensions).toHaveLength(6);
  });

  it('accepts an Ed25519 CSR', async () => {
    const csrPem = await csrWithKey({ name: 'Ed25519' } as unknown as EcKeyGenParams, { name: 'Ed25519' });
    const issued = await signAgentCsr({ caCertPem: pki.caCertPem, caKeyPem: pki.caKeyPem, csrPem, hostId: 'ed-host', validityDays: 30 });

    expect(new X509Certificate(issued.certPem).publicKey.asymmetricKeyType).toBe('ed25519');
  });

  it('serials differ between certificates', async () => {
    const { csrPem } = await createCsr();
    const serials = new Set<string>();
    for (let i = 0; i < 5; i++) {
      const issued = await signAgentCsr({ caCertPem: pki.caCertPem, caKeyPem: pki.caKeyPem, csrPem, hostId: 'h', validityDays: 1 });
      serials.add(issued.serial);
    }
    expect(serials.size).toBe(5);
  });

  it('rejects an RSA CSR', async () => {
    const csrPem = await csrWithKey(
      { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
      { name: 'RSASSA-PKCS1-v1_5' },
    );
    const attempt = signAgentCsr({ caCertPem: pki.caCertPem, caKeyPem: pki.caKeyPem, csrPem, hostId: 'h', validityDays: 30 });

    await expect(attempt).rejects.toBeInstanceOf(CsrRejectedError);
    await expect(attempt).rejects.toMatchObject({ reason: 'unsupported-key', message: expect.stringMatching(/RSA key/) });
  });

  it('rejects a P-384 CSR', async () => {
    const csrPem = await csrWithKey({ name: 'ECDSA', namedCurve: 'P-384' }, { name: 'ECDSA', hash: 'SHA-384' } as EcdsaParams);
    const attempt = signAgentCsr({ caCertPem: pki.caCertPem, caKeyPem: pki.caKeyPem, csrPem, hostId: 'h', validityDays: 30 });

    await expect(attempt).rejects.toMatchObject({ reason: 'unsupported-key', message: expect.stringMatching(/curve secp384r1/) });
  });

  it('rejects a CSR with a broken signature', async () => {
    const { csrPem } = await createCsr();
    const der = new Uint8Array(x509.PemConverter.decodeFirst(csrPem));
    der[der.length - 5] = (der[der.length - 5] ?? 0) ^ 0x01;
    const broken = x509.PemConverter.encode(der, 'CERTIFICATE REQUEST');
    const attempt = signAgentCsr({ caCertPem: pki.caCertPem, caKeyPem: pki.caKeyPem, csrPem: broken, hostId: 'h', validityDays: 30 });

    await expect(attempt).rejects.toMatchObject({ name: 'CsrRejectedError', reason: 'bad-signature' });
  });

  it('rejects a CSR whose subject was altered after signing', async () => {
    const csrPem = await csrWithKey({ name: 'ECDSA', namedCurve: 'P-256' }, { name: 'ECDSA', hash: 'SHA-256' } as EcdsaParams);
    const der = Buffer.from(x509.PemConverter.decodeFirst(csrPem));
    const at = der.indexOf('admin.example.test');
    expect(at).toBeGreaterThan(0);
    der.write('bdmin', at, 'latin1');
    const altered = x509.PemConverter.encode(der, 'CERTIFICATE REQUEST');
    expect(new x509.Pkcs10CertificateRequest(altered).subject).toBe('CN=bdmin.example.test');
    const attempt = signAgentCsr({ caCertPem: pki.caCertPem, caKeyPem: pki.caKeyPem, csrPem: altered, hostId: 'h', validityDays: 30 });

    await expect(attempt).rejects.toMatchObject({ reason: 'bad-signature' });
  });

  it.each([
    ['garbage', (): string => 'not a csr'],
    ['a certificate', (): string => pki.webCertPem],
    ['two requests', (csrPem: string): string => `${csrPem}${csrPem}`],
    ['bad DER', (): string => '-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n'],
  ])('rejects %s as malformed', async (_label, makeInput) => {
    const { csrPem } = await createCsr();
    const csr = makeInput(csrPem);
    const attempt = signAgentCsr({ caCertPem: pki.caCertPem, caKeyPem: pki.caKeyPem, csrPem: csr, hostId: 'h', validityDays: 30 });

    await expect(attempt).rejects.toMatchObject({ name: 'CsrRejectedError', reason: 'malformed' });
  });

  it('rejects an oversized CSR', async () => {
    const attempt = signAgentCsr({ caCertPem: pki.caCertPem, caKeyPem: pki.caKeyPem, csrPem: 'A'.repeat(20_000), hostId: 'h', validityDays: 30 });

    await expect(attempt).rejects.toMatchObject({ reason: 'too-large' });
  });

  it.each([
    ['host id with a space', 'bad host', 30],
    ['empty host id', '', 30],
    ['zero days', 'h', 0],
    ['fractional days', 'h', 1.5],
    ['too many days', 'h', 10_000],
  ])('rejects %s', async (_label, hostId, validityDays) => {
    const { csrPem } = await createCsr();
    const attempt = signAgentCsr({ caCertPem: pki.caCertPem, caKeyPem: pki.caKeyPem, csrPem, hostId, validityDays });

    await expect(attempt).rejects.toThrow(/Invalid (host id|validityDays)/);
    await expect(attempt).rejects.not.toBeInstanceOf(CsrRejectedError);
  });

  it('rejects a CA key that does not match the CA certificate', async () => {
    const other = await ensurePki({ configDir: await freshConfigDir('other-ca'), hostNames: ['localhost'] });
    const { csrPem } = await createCsr();
    const attempt = signAgentCsr({ caCertPem: pki.caCertPem, caKeyPem: other.caKeyPem, csrPem, hostId: 'h', validityDays: 30 });

    await expect(attempt).rejects.toThrow(/CA key does not match/);
  });
});
