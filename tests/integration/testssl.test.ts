import { execFile, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { createEnrollCommand, enrollAgent, tempAgentDir } from '../helpers/agent-process';
import { startServer, type ServerProcess } from '../helpers/server-process';

/** One finding of testssl.sh's JSON output. */
interface Finding {
  id: string;
  severity: string;
  finding: string;
}

/** Severities that testssl.sh uses for a weakness; OK, INFO, WARN and DEBUG are not. */
const PROBLEM_SEVERITIES = new Set(['LOW', 'MEDIUM', 'HIGH', 'CRITICAL']);

/**
 * Findings that a loopback scan cannot pass and that no server setting changes. A DNS
 * CAA record belongs to the operator's DNS zone, and 127.0.0.1 has none.
 */
const NOT_APPLICABLE = new Set(['DNS_CAArecord']);

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const RESULTS_DIR = path.join(ROOT, 'test-results');

let database: TestDatabase;
let server: ServerProcess;
let workDir: string;
let agentDir: string;

/** Finds the testssl.sh program: PM_TESTSSL, else Debian's `testssl` or upstream's `testssl.sh` on PATH. */
function testsslProgram(): string {
  if (process.env.PM_TESTSSL) return process.env.PM_TESTSSL;
  for (const name of ['testssl', 'testssl.sh']) {
    if (spawnSync('sh', ['-c', `command -v ${name}`]).status === 0) return name;
  }
  throw new Error('testssl.sh is not installed; install the Debian package testssl.sh (listed in scripts/test-packages.txt)');
}

/**
 * Writes an `openssl` wrapper that adds an enrolled agent's certificate and key to every
 * `s_client` call, because testssl.sh 3.0 has no option for a client certificate.
 * Without one, the agent listener ends each TLS 1.3 connection with a "certificate
 * required" alert right after the handshake. Whether `s_client` reports the handshake
 * before that alert arrives depends on timing, so the scan would sometimes stop at its
 * first probe.
 */
function opensslWithClientCertificate(): string {
  const wrapper = path.join(workDir, 'openssl-agent');
  const cert = path.join(agentDir, 'cert.pem');
  const key = path.join(agentDir, 'key.pem');
  const script = [
    '#!/bin/sh',
    'if [ "$1" = s_client ]; then',
    '  shift',
    `  exec /usr/bin/openssl s_client -cert '${cert}' -key '${key}' "$@"`,
    'fi',
    'exec /usr/bin/openssl "$@"',
    '',
  ].join('\n');
  fs.writeFileSync(wrapper, script, { mode: 0o700 });
  return wrapper;
}

/** Runs a full testssl.sh scan of one loopback listener and returns its JSON findings. */
function scan(port: number, name: string, extraArgs: string[] = []): Promise<Finding[]> {
  const jsonFile = path.join(workDir, `${name}.json`);
  const caFile = path.join(workDir, 'ca.pem');
  fs.writeFileSync(caFile, server.caCertPem);
  const args = ['--quiet', '--color', '0', '--warnings', 'batch', '--add-ca', caFile, ...extraArgs, '--jsonfile', jsonFile, `127.0.0.1:${port}`];

  return new Promise((resolve, reject) => {
    execFile(testsslProgram(), args, { timeout: 600_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout) => {
      if (!fs.existsSync(jsonFile)) {
        reject(new Error(`testssl.sh wrote no JSON (${error?.message ?? 'no error'}):\n${stdout}`));
        return;
      }
      resolve(JSON.parse(fs.readFileSync(jsonFile, 'utf8')) as Finding[]);
    });
  });
}

function protocolFindings(findings: Finding[]): Record<string, string> {
  const ids = ['SSLv2', 'SSLv3', 'TLS1', 'TLS1_1', 'TLS1_2', 'TLS1_3'];
  return Object.fromEntries(ids.map((id) => [id, findings.find((finding) => finding.id === id)?.finding ?? 'missing']));
}

function problems(findings: Finding[]): Finding[] {
  return findings.filter((finding) => PROBLEM_SEVERITIES.has(finding.severity) && !NOT_APPLICABLE.has(finding.id));
}

const summary: Record<string, unknown> = {};

beforeAll(async () => {
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pm-testssl-'));
  database = await createTestDatabase();
  server = await startServer({ databaseUrl: database.url });
  agentDir = tempAgentDir();
  enrollAgent({ enrollCommand: createEnrollCommand(server.env, 'testssl client'), agentDir });
}, 300_000);

afterAll(async () => {
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  fs.writeFileSync(path.join(RESULTS_DIR, 'testssl-summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  await server?.stop();
  await database?.drop();
  fs.rmSync(workDir, { recursive: true, force: true });
  if (agentDir) fs.rmSync(agentDir, { recursive: true, force: true });
});

describe('testssl.sh', () => {
  for (const listener of ['web', 'agent'] as const) {
    it(`${listener} listener offers TLS 1.3 only with no problem`, async () => {
      const findings =
        listener === 'web'
          ? await scan(server.webPort, listener)
          : await scan(server.agentPort, listener, ['--openssl', opensslWithClientCertificate()]);
      const protocols = protocolFindings(findings);
      const found = problems(findings);
      const curves = findings.find((finding) => finding.id === 'PFS_ECDHE_curves')?.finding ?? 'missing';
      const dhGroups = findings.filter((finding) => finding.id.startsWith('DH_group') || finding.id === 'PFS_DH_groups');
      summary[listener] = { protocols, curves, problems: found, findings: findings.length };

      const warnings = findings.filter((finding) => finding.severity === 'WARN').map((finding) => `${finding.id}: ${finding.finding}`);
      expect(protocols.TLS1_3, warnings.join('\n')).toMatch(/^offered/);
      for (const id of ['SSLv2', 'SSLv3', 'TLS1', 'TLS1_1', 'TLS1_2']) {
        expect(protocols[id], id).toMatch(/^not offered/);
      }
      expect(curves.split(/\s+/).sort()).toEqual(['X25519', 'prime256v1']);
      expect(dhGroups).toEqual([]);
      expect(found).toEqual([]);
    }, 600_000);
  }
});
