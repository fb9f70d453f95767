import { X509Certificate, createPrivateKey, createPublicKey, timingSafeEqual } from 'node:crypto';
import { access, rm } from 'node:fs/promises';
import os from 'node:os';
import { z } from 'zod';

import { certificateFingerprint } from '../lib/pki/fingerprint';
import { createCsr } from '../lib/pki/issue-test-client';
import { httpsRequest, serverErrorMessage } from './https-request';
import { agentPaths } from './paths';
import { writeAgentSettings } from './settings';
import { ensurePrivateDirectory, writeFileAtomic } from './write-file-atomic';

/** An enrollment that failed for a reason the operator can fix; the message names the fix. */
export class EnrollError extends Error {
  override readonly name = 'EnrollError';
}

export interface EnrollOptions {
  /** Web listener base URL, `https://` only. */
  serverUrl: URL;
  token: string;
  /** Expected SHA-256 of the internal CA certificate, already normalised to 64 lowercase hex digits. */
  caFingerprint: string;
  agentDir: string;
  /** Replace an existing enrollment in `agentDir`. */
  force: boolean;
  /** Host name sent with the request; defaults to `os.hostname()`. */
  hostname?: string;
  timeoutMs?: number;
}

export interface EnrollResult {
  hostId: string;
  agentUrl: string;
  agentDir: string;
}

const enrollResponseSchema = z.object({
  hostId: z.string().min(1).max(128),
  certificate: z.string().min(1),
  caCertificate: z.string().min(1),
  agentPort: z.number().int().min(1).max(65_535),
  inventoryIntervalSeconds: z.number().int().min(10).max(86_400),
});

const MAX_PEM_BYTES = 64 * 1024;
const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * Enrolls this host with the patch manager server. The checks run in this order,
 * and each one stops the enrollment before anything secret is sent:
 *
 * 1. An existing enrollment in `agentDir` is kept unless `force` is set.
 * 2. `GET /pki/ca.pem` is fetched without verifying the server certificate (nothing
 *    is trusted yet), and the SHA-256 of the returned CA certificate is compared in
 *    constant time with `caFingerprint`. A mismatch rejects the enrollment.
 * 3. Only then is the token sent, in `POST /api/v1/enroll` over a connection whose
 *    certificate must chain to that CA and match the URL's host name.
 *
 * The key pair is generated here and only the CSR leaves the host. The returned
 * certificate must carry this key and be signed by the pinned CA. Files are written
 * only after every check passed: key.pem (0600), cert.pem, ca.pem, then agent.json
 * last, because its presence marks the host as enrolled. A forced enrollment also
 * deletes state.json and the result spool, because they belong to the previous host id.
 */
export async function enrollAgent(options: EnrollOptions): Promise<EnrollResult> {
  const paths = agentPaths(options.agentDir);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;

  if (!options.force && (await exists(paths.settings))) {
    throw new EnrollError(
      `this host is already enrolled (${paths.settings} exists); pass --force to replace the enrollment, ` +
        'or set PM_AGENT_DIR to another directory',
    );
  }

  const caPem = await fetchPinnedCa(options.serverUrl, options.caFingerprint, timeoutMs);
  const { keyPem, csrPem } = await createCsr();

  const response = await httpsRequest({
    url: new URL('/api/v1/enroll', options.serverUrl),
    method: 'POST',
    json: { token: options.token, csr: csrPem, hostname: options.hostname ?? os.hostname() },
    tls: { ca: caPem, rejectUnauthorized: true },
    timeoutMs,
    maxResponseBytes: MAX_PEM_BYTES * 4,
  }).catch((error: unknown) => {
    throw new EnrollError(`enrollment request to ${options.serverUrl.origin} failed: ${(error as Error).message}`);
  });

  if (response.status !== 201) {
    const hint = response.status === 401 ? '; create a new enrollment token in the console and run the command again' : '';
    throw new EnrollError(`the server rejected the enrollment (HTTP ${response.status}): ${serverErrorMessage(response)}${hint}`);
  }

  const enrolled = parseEnrollResponse(response.body);
  checkIssuedCertificate(enrolled.certificate, keyPem, caPem);
  if (certificateFingerprint(enrolled.caCertificate) !== options.caFingerprint) {
    throw new EnrollError('the enrollment response names another CA certificate than /pki/ca.pem; check the server configuration');
  }

  const agentUrl = new URL(options.serverUrl.origin);
  agentUrl.port = String(enrolled.agentPort);

  await ensurePrivateDirectory(paths.dir);
  if (options.force) {
    await rm(paths.state, { force: true });
    await rm(paths.spool, { recursive: true, force: true });
  }
  await writeFileAtomic(paths.key, keyPem, 0o600);
  await writeFileAtomic(paths.cert, enrolled.certificate, 0o644);
  await writeFileAtomic(paths.ca, caPem, 0o644);
  await writeAgentSettings(paths.settings, {
    serverUrl: options.serverUrl.origin,
    agentUrl: agentUrl.origin,
    hostId: enrolled.hostId,
    caFingerprint: options.caFingerprint,
    inventoryIntervalSeconds: enrolled.inventoryIntervalSeconds,
    enrolledAt: new Date().toISOString(),
  });

  return { hostId: enrolled.hostId, agentUrl: agentUrl.origin, agentDir: paths.dir };
}

/** Fetches `/pki/ca.pem` unverified and returns it only when its fingerprint equals the expected one. */
async function fetchPinnedCa(serverUrl: URL, expectedFingerprint: string, timeoutMs: number): Promise<string> {
  const url = new URL('/pki/ca.pem', serverUrl);
  const response = await httpsRequest({
    url,
    method: 'GET',
    tls: { rejectUnauthorized: false },
    timeoutMs,
    maxResponseBytes: MAX_PEM_BYTES,
  }).catch((error: unknown) => {
    throw new EnrollError(`cannot fetch the CA certificate from ${url.href}: ${(error as Error).message}; check --server`);
  });

  if (response.status !== 200) {
    throw new EnrollError(`cannot fetch the CA certificate from ${url.href}: HTTP ${response.status}; check --server`);
  }

  const pem = response.body;
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----/g)?.length ?? 0;
  let actualFingerprint: string;
  try {
    if (blocks !== 1) throw new Error(`expected one PEM certificate, found ${blocks}`);
    actualFingerprint = certificateFingerprint(pem);
  } catch (error) {
    throw new EnrollError(`${url.href} did not return a CA certificate (${(error as Error).message}); check --server`);
  }

  const expected = Buffer.from(expectedFingerprint, 'hex');
  const actual = Buffer.from(actualFingerprint, 'hex');
  if (expected.length !== 32 || actual.length !== expected.length || !timingSafeEqual(actual, expected)) {
    throw new EnrollError(
      `the server's CA fingerprint does not match --ca-fingerprint (server: ${actualFingerprint}, expected: ${expectedFingerprint}); ` +
        'check the command and the server URL, and copy the fingerprint from the console again. No token was sent.',
    );
  }

  if (!new X509Certificate(pem).ca) {
    throw new EnrollError(`${url.href} returned a certificate that is not a CA certificate; check the server configuration`);
  }

  return pem;
}

function parseEnrollResponse(body: string): z.infer<typeof enrollResponseSchema> {
  let data: unknown;
  try {
    data = JSON.parse(body);
  } catch {
    throw new EnrollError('the enrollment response is not JSON; check that --server names the patch manager web listener');
  }

  const parsed = enrollResponseSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new EnrollError(`the enrollment response is invalid at ${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'unexpected value'}`);
  }

  return parsed.data;
}

/** Checks that the issued certificate contains the public key of this host and was signed by the pinned CA. */
function checkIssuedCertificate(certificatePem: string, keyPem: string, caPem: string): void {
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(certificatePem);
  } catch (error) {
    throw new EnrollError(`the server returned an unreadable certificate: ${(error as Error).message}`);
  }

  const ownKey = createPublicKey(createPrivateKey(keyPem)).export({ type: 'spki', format: 'der' });
  const issuedKey = certificate.publicKey.export({ type: 'spki', format: 'der' });
  if (!ownKey.equals(issuedKey)) {
    throw new EnrollError('the issued certificate does not contain the public key of the CSR of this host; enrollment aborted');
  }

  const ca = new X509Certificate(caPem);
  if (!certificate.checkIssued(ca) || !certificate.verify(ca.publicKey)) {
    throw new EnrollError('the issued certificate is not signed by the pinned CA; enrollment aborted');
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}
