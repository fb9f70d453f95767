import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Context } from '@/lib/context';
import { getLogger } from '@/lib/log';
import { NetworkGuard } from '@/lib/net/network-guard';
import { updateNetworkSettings } from '@/lib/net/update-network-settings';
import { createTestDatabase, type TestDatabase } from '../helpers/database';

let database: TestDatabase;
const guards: NetworkGuard[] = [];

async function startGuard(): Promise<NetworkGuard> {
  const guard = new NetworkGuard(database.db, getLogger({ level: 'silent', name: 'network-guard-test' }));
  await guard.start(database.sql);
  guards.push(guard);
  return guard;
}

async function waitUntil(what: string, condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

beforeAll(async () => {
  database = await createTestDatabase();
}, 120_000);

afterAll(async () => {
  for (const guard of guards) await guard.stop();
  await database?.drop();
});

describe('NetworkGuard', () => {
  it('reloads on notification in every guard', async () => {
    const first = await startGuard();
    const second = await startGuard();
    const changes: number[] = [];
    second.onChange((settings) => changes.push(settings.allowlist.length));
    expect(second.allows('198.51.100.20')).toBe(true);

    const ctx: Context = { actor: { kind: 'system', name: 'network-guard-test' }, db: database.db };
    await updateNetworkSettings(ctx, { ipAllowlist: ['192.0.2.0/24'], trustedProxies: ['10.0.0.5'] });

    await waitUntil('the second guard to reload', () => changes.includes(1));
    expect(second.allows('198.51.100.20')).toBe(false);
    expect(second.allows('::ffff:192.0.2.7')).toBe(true);
    expect(second.resolve('10.0.0.5', { 'x-forwarded-for': '192.0.2.7' })).toEqual({ ok: true, address: '192.0.2.7' });
    await waitUntil('the first guard to reload', () => !first.allows('198.51.100.20'));
  });

  it('loads the stored lists at start', async () => {
    const late = await startGuard();

    expect(late.settings.allowlist.map((block) => block.text)).toEqual(['192.0.2.0/24']);
    expect(late.settings.trustedProxies.map((block) => block.text)).toEqual(['10.0.0.5']);
  });
});
