import https from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totpAt } from '@/lib/auth/mfa/totp-code';
import { createCsr } from '@/lib/pki/issue-test-client';
import { createTestUser, setCookies, signedInFrom, signIn, type SignedIn, type TestUser } from '../helpers/auth-session';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { requestJson, type JsonResponse } from '../helpers/https-json';
import { startServer, type ServerProcess } from '../helpers/server-process';

// One row per event kind that the audit log must record: configuration changes,
// enrollment tokens, certificate operations, authentication, users and groups,
// hosts and patch jobs.
// Each case causes its event through the real server, as a console user or an agent
// would, and finds the row it wrote. The detail checks (old and new values, no
// secrets) are in the tests of each feature; this table makes sure no kind is
// missing.

let database: TestDatabase;
let server: ServerProcess;
let admin: TestUser;
let adminSession: SignedIn;

/** State that earlier cases create and later cases use. */
const state: {
  hostId?: string;
  certificateId?: string;
  certPem?: string;
  keyPem?: string;
  groupId?: string;
  jobId?: string;
  tokenId?: string;
  user?: TestUser;
  userSession?: SignedIn;
} = {};

function call(path: string, options: { method?: string; body?: unknown; session?: SignedIn | null; cookie?: string } = {}): Promise<JsonResponse> {
  const session = options.session === undefined ? adminSession : options.session;
  return requestJson(`${server.webUrl}${path}`, {
    method: options.method,
    body: options.body,
    authorization: session?.bearer,
    cookie: options.cookie,
    ca: server.caCertPem,
  });
}

async function expectStatus(response: JsonResponse, status: number): Promise<JsonResponse> {
  expect(response.status, response.text).toBe(status);
  return response;
}

/** Sends one request over the agent listener with the host's client certificate. */
function agentPost(path: string, body: unknown): Promise<{ status: number; text: string }> {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const request = https.request(
      {
        host: '127.0.0.1',
        port: server.agentPort,
        servername: 'localhost',
        path,
        method: 'POST',
        ca: server.caCertPem,
        cert: state.certPem,
        key: state.keyPem,
        agent: false,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, text }));
      },
    );
    request.on('error', reject);
    request.end(payload);
  });
}

async function enrollHost(hostname: string): Promise<void> {
  const created = await expectStatus(await call('/api/v1/enrollment-tokens', { body: { description: hostname } }), 201);
  const { token } = created.body as { token: string };
  const { csrPem, keyPem } = await createCsr();
  const enrolled = await expectStatus(await call('/api/v1/enroll', { body: { token, csr: csrPem, hostname }, session: null }), 201);
  const result = enrolled.body as { hostId: string; certificate: string };
  state.hostId = result.hostId;
  state.certPem = result.certificate;
  state.keyPem = keyPem;
  const [row] = await database.sql<{ id: string }[]>`select id from certificates where host_id = ${result.hostId} and revoked_at is null`;
  state.certificateId = row!.id;
}

interface EventCase {
  /** The event as the audit requirements name it. */
  event: string;
  action: string;
  targetKind: string | null;
  run: () => Promise<void>;
}

const cases: EventCase[] = [
  // Configuration
  {
    event: 'configuration: Azure SSO',
    action: 'settings.azure_sso',
    targetKind: 'settings',
    run: async () => {
      const body = { enabled: false, tenantId: '', clientId: '', groupMappings: [], restrictLocalLogin: false, breakGlassUsernames: [] };
      await expectStatus(await call('/api/v1/settings/azure-sso', { method: 'PUT', body }), 200);
    },
  },
  {
    event: 'configuration: SMTP',
    action: 'settings.smtp',
    targetKind: 'settings',
    run: async () => {
      const body = { enabled: false, host: 'smtp.example.test', port: 587, secure: false, requireTls: true, username: '', from: '', recipients: [] };
      await expectStatus(await call('/api/v1/settings/smtp', { method: 'PUT', body }), 200);
    },
  },
  {
    event: 'configuration: IP allowlist',
    action: 'settings.update',
    targetKind: 'settings',
    run: async () => {
      await expectStatus(await call('/api/v1/settings', { method: 'PUT', body: { ipAllowlist: ['127.0.0.0/8', '::1/128'], trustedProxies: [] } }), 200);
    },
  },
  {
    event: 'configuration: allowed origins',
    action: 'settings.update',
    targetKind: 'settings',
    run: async () => {
      const body = { ipAllowlist: ['127.0.0.0/8', '::1/128'], trustedProxies: [], allowedOrigins: [new URL(server.webUrl).origin, 'https://console.example.test'] };
      await expectStatus(await call('/api/v1/settings', { method: 'PUT', body }), 200);
    },
  },
  {
    event: 'configuration: TLS certificate strategy',
    action: 'settings.tls_strategy',
    targetKind: 'settings',
    run: async () => {
      await expectStatus(await call('/api/v1/settings/tls', { method: 'PUT', body: { strategy: 'internal' } }), 200);
    },
  },
  // Enrollment tokens
  {
    event: 'enrollment token: create',
    action: 'enrollment_token.create',
    targetKind: 'enrollment_token',
    run: async () => {
      const created = await expectStatus(await call('/api/v1/enrollment-tokens', { body: { description: 'audit kinds token' } }), 201);
      state.tokenId = (created.body as { id: string }).id;
    },
  },
  {
    event: 'enrollment token: revoke',
    action: 'enrollment_token.revoke',
    targetKind: 'enrollment_token',
    run: async () => {
      await expectStatus(await call(`/api/v1/enrollment-tokens/${state.tokenId!}/revoke`, { body: {} }), 200);
    },
  },
  // Hosts and certificates
  {
    event: 'host: add',
    action: 'host.enroll',
    targetKind: 'host',
    run: () => enrollHost('audit-kinds-1'),
  },
  {
    event: 'certificate: issue',
    action: 'certificate.issue',
    targetKind: 'certificate',
    run: () => enrollHost('audit-kinds-2'),
  },
  {
    event: 'certificate: renew',
    action: 'certificate.renew',
    targetKind: 'certificate',
    run: async () => {
      const { csrPem, keyPem } = await createCsr();
      const renewed = await agentPost('/agent/v1/certificate/renew', { csr: csrPem });
      expect(renewed.status, renewed.text).toBe(201);
      state.certPem = (JSON.parse(renewed.text) as { certificate: string }).certificate;
      state.keyPem = keyPem;
      const [row] = await database.sql<{ id: string }[]>`select id from certificates where host_id = ${state.hostId!} and revoked_at is null`;
      state.certificateId = row!.id;
    },
  },
  {
    event: 'certificate: download',
    action: 'certificate.download',
    targetKind: 'certificate',
    run: async () => {
      await expectStatus(await call(`/api/v1/certificates/${state.certificateId!}/bundle`), 200);
    },
  },
  {
    event: 'certificate: revoke',
    action: 'certificate.revoke',
    targetKind: 'certificate',
    run: async () => {
      await expectStatus(await call(`/api/v1/certificates/${state.certificateId!}/revoke`, { body: { reason: 'superseded' } }), 200);
    },
  },
  // Users and groups
  {
    event: 'group: create',
    action: 'group.create',
    targetKind: 'group',
    run: async () => {
      const created = await expectStatus(await call('/api/v1/groups', { body: { name: 'audit kinds' } }), 201);
      state.groupId = (created.body as { id: string }).id;
    },
  },
  {
    event: 'group: change',
    action: 'group.update',
    targetKind: 'group',
    run: async () => {
      await expectStatus(await call(`/api/v1/groups/${state.groupId!}`, { method: 'PATCH', body: { description: 'hosts of the audit table' } }), 204);
    },
  },
  {
    event: 'host: group assignment',
    action: 'host.groups',
    targetKind: 'host',
    run: async () => {
      await expectStatus(await call(`/api/v1/hosts/${state.hostId!}/groups`, { method: 'PUT', body: { groupIds: [state.groupId!] } }), 200);
    },
  },
  {
    event: 'user: create',
    action: 'user.create',
    targetKind: 'user',
    run: async () => {
      await expectStatus(await call('/api/v1/users', { body: { username: 'audit-kinds-user', password: 'a long enough initial passphrase', role: 'operator' } }), 201);
    },
  },
  {
    event: 'user: group assignment',
    action: 'user.groups',
    targetKind: 'user',
    run: async () => {
      state.user = await createTestUser(database.db, { role: 'operator' });
      await expectStatus(await call(`/api/v1/users/${state.user.id}/groups`, { method: 'PUT', body: { groupIds: [state.groupId!] } }), 200);
    },
  },
  {
    event: 'user: role change',
    action: 'user.role_change',
    targetKind: 'user',
    run: async () => {
      await expectStatus(await call(`/api/v1/users/${state.user!.id}`, { method: 'PATCH', body: { role: 'admin' } }), 204);
      await expectStatus(await call(`/api/v1/users/${state.user!.id}`, { method: 'PATCH', body: { role: 'operator' } }), 204);
    },
  },
  {
    event: 'user: second factor reset',
    action: 'user.mfa_reset',
    targetKind: 'user',
    run: async () => {
      const other = await createTestUser(database.db, { role: 'operator' });
      await expectStatus(await call(`/api/v1/users/${other.id}/mfa-reset`, { body: {} }), 204);
    },
  },
  {
    event: 'user: disable',
    action: 'user.disable',
    targetKind: 'user',
    run: async () => {
      const other = await createTestUser(database.db, { role: 'operator' });
      await expectStatus(await call(`/api/v1/users/${other.id}`, { method: 'PATCH', body: { disabled: true } }), 204);
    },
  },
  // Authentication
  {
    event: 'authentication: login',
    action: 'auth.login',
    targetKind: 'user',
    run: async () => {
      state.userSession = await signIn(server, state.user!);
    },
  },
  {
    event: 'authentication: MFA verification',
    action: 'auth.mfa_verify',
    targetKind: 'user',
    run: async () => {
      state.userSession = await signIn(server, state.user!);
    },
  },
  {
    event: 'authentication: failed login',
    action: 'auth.login_failed',
    targetKind: 'user',
    run: async () => {
      await expectStatus(await call('/api/v1/auth/login', { body: { username: state.user!.username, password: 'not the password at all' }, session: null }), 401);
    },
  },
  {
    event: 'authentication: token refresh',
    action: 'auth.refresh',
    targetKind: 'user',
    run: async () => {
      const previous = state.userSession!;
      const cookie = `pm_refresh=${previous.refreshToken}; pm_bind=${previous.binding}`;
      const refreshed = await expectStatus(await call('/api/v1/auth/refresh', { body: {}, cookie, session: null }), 200);
      // The binding stays with the session, so the refresh sets no new pm_bind cookie.
      state.userSession = signedInFrom(new Map([...setCookies(refreshed), ['pm_bind', previous.binding]]));
    },
  },
  {
    event: 'user: password change',
    action: 'user.password_change',
    targetKind: 'user',
    run: async () => {
      const body = { currentPassword: state.user!.password, newPassword: 'a replacement passphrase for the table' };
      await expectStatus(await call('/api/v1/account/password', { body, session: state.userSession! }), 200);
    },
  },
  {
    event: 'authentication: logout',
    action: 'auth.logout',
    targetKind: 'user',
    run: async () => {
      const session = await signIn(server, admin);
      await expectStatus(await call('/api/v1/auth/logout', { body: {}, cookie: `pm_refresh=${session.refreshToken}`, session }), 200);
    },
  },
  {
    event: 'authentication: MFA enrollment',
    action: 'auth.mfa_enroll',
    targetKind: 'user',
    run: async () => {
      const username = 'audit-kinds-enroll';
      const password = 'a passphrase for the first factor';
      await expectStatus(await call('/api/v1/users', { body: { username, password, role: 'operator' } }), 201);
      const login = await expectStatus(await call('/api/v1/auth/login', { body: { username, password }, session: null }), 200);
      const challenge = setCookies(login).get('pm_mfa') ?? '';
      const start = await expectStatus(await call('/api/v1/auth/enroll/totp/start', { body: {}, cookie: `pm_mfa=${challenge}`, session: null }), 200);
      const code = await totpAt((start.body as { secret: string }).secret, new Date());
      await expectStatus(await call('/api/v1/auth/enroll/totp/confirm', { body: { code }, cookie: `pm_mfa=${challenge}`, session: null }), 200);
    },
  },
  // Patch jobs
  {
    event: 'job: create',
    action: 'job.create',
    targetKind: 'job',
    run: async () => {
      await enrollHost('audit-kinds-3');
      const created = await expectStatus(await call('/api/v1/jobs', { body: { hostIds: [state.hostId!], action: 'security' } }), 201);
      state.jobId = (created.body as { id: string }).id;
    },
  },
  {
    event: 'job: cancel',
    action: 'job.cancel',
    targetKind: 'job',
    run: async () => {
      await expectStatus(await call(`/api/v1/jobs/${state.jobId!}/cancel`, { body: {} }), 200);
    },
  },
  {
    event: 'job: finish',
    action: 'job.finish',
    targetKind: 'job',
    run: async () => {
      // A job whose hosts never started finishes as soon as it is cancelled.
      const created = await expectStatus(await call('/api/v1/jobs', { body: { hostIds: [state.hostId!], action: 'refresh' } }), 201);
      const jobId = (created.body as { id: string }).id;
      await expectStatus(await call(`/api/v1/jobs/${jobId}/cancel`, { body: {} }), 200);
      const job = await expectStatus(await call(`/api/v1/jobs/${jobId}`), 200);
      expect((job.body as { status: string }).status).toBe('cancelled');
    },
  },
  {
    event: 'host: remove',
    action: 'host.remove',
    targetKind: 'host',
    run: async () => {
      await expectStatus(await call(`/api/v1/hosts/${state.hostId!}`, { method: 'DELETE' }), 200);
    },
  },
  {
    event: 'group: delete',
    action: 'group.delete',
    targetKind: 'group',
    run: async () => {
      await expectStatus(await call(`/api/v1/groups/${state.groupId!}`, { method: 'DELETE' }), 204);
    },
  },
];

/** The event groups the audit log must cover, each with at least one case above. */
const REQUIRED_EVENTS = [
  'configuration: Azure SSO',
  'configuration: SMTP',
  'configuration: IP allowlist',
  'configuration: allowed origins',
  'configuration: TLS certificate strategy',
  'enrollment token: create',
  'enrollment token: revoke',
  'certificate: issue',
  'certificate: renew',
  'certificate: download',
  'certificate: revoke',
  'authentication: login',
  'authentication: failed login',
  'authentication: logout',
  'authentication: token refresh',
  'authentication: MFA enrollment',
  'authentication: MFA verification',
  'user: create',
  'user: role change',
  'group: create',
  'group: change',
  'group: delete',
  'host: add',
  'host: remove',
  'host: group assignment',
  'job: create',
  'job: cancel',
  'job: finish',
];

beforeAll(async () => {
  database = await createTestDatabase();
  server = await startServer({ databaseUrl: database.url });
  admin = await createTestUser(database.db, { role: 'admin' });
  adminSession = await signIn(server, admin);
}, 180_000);

afterAll(async () => {
  await server?.stop();
  await database?.drop();
});

describe('audit event kinds', () => {
  it('table covers every required event', () => {
    const covered = new Set(cases.map((testCase) => testCase.event));
    expect(REQUIRED_EVENTS.filter((event) => !covered.has(event))).toEqual([]);
  });

  // The cases run in order: later ones use the host, group and user that earlier ones made.
  for (const testCase of cases) {
    it(`${testCase.event} writes ${testCase.action}`, async () => {
      const [before] = await database.sql<{ id: string | null }[]>`select max(id)::text as id from audit_log`;
      const since = Number(before?.id ?? 0);

      await testCase.run();

      const rows = await database.sql<{ action: string; target_kind: string | null }[]>`
        select action, target_kind from audit_log where id > ${since} order by id`;
      const row = rows.find((candidate) => candidate.action === testCase.action);
      expect(row, `no ${testCase.action} row among ${rows.map((candidate) => candidate.action).join(', ')}`).toBeDefined();
      expect(row?.target_kind ?? null).toBe(testCase.targetKind);
    }, 60_000);
  }

  it('leaves one intact chain', async () => {
    const response = await expectStatus(await call('/api/v1/reports/audit/verify', { body: {} }), 200);
    expect((response.body as { integrity: boolean }).integrity).toBe(true);
  });
});
