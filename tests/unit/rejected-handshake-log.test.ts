import { describe, expect, it } from 'vitest';
import type { Logger } from '@/lib/log';
import { createRejectedHandshakeLog } from '@/lib/net/rejected-handshake-log';

/** Creates a log sink that keeps the warn lines it receives. */
function sink(): { log: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const log = { warn: (fields: Record<string, unknown>, message: string) => lines.push({ ...fields, message }) } as unknown as Logger;
  return { log, lines };
}

describe('rejected agent handshake log', () => {
  it('logs the first rejection of an address at warn', () => {
    const { log, lines } = sink();
    const record = createRejectedHandshakeLog(log, () => 1_000);

    record({ address: '192.0.2.7', port: 40100 }, 'peer did not return a certificate');

    expect(lines).toEqual([
      { address: '192.0.2.7', port: 40100, reason: 'peer did not return a certificate', suppressedSinceLast: 0, message: 'agent TLS handshake rejected' },
    ]);
  });

  it('logs one line a minute per address with the skipped count', () => {
    const { log, lines } = sink();
    let clock = 0;
    const record = createRejectedHandshakeLog(log, () => clock);

    for (let second = 0; second < 60; second += 1) {
      clock = second * 1000;
      record({ address: '192.0.2.7', port: 40000 + second }, 'certificate revoked');
    }
    clock = 60_000;
    record({ address: '192.0.2.7', port: 40100 }, 'certificate revoked');

    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatchObject({ port: 40100, suppressedSinceLast: 59 });
  });

  it('logs each address on its own', () => {
    const { log, lines } = sink();
    const record = createRejectedHandshakeLog(log, () => 5_000);

    record({ address: '192.0.2.7', port: 40100 }, 'unknown ca');
    record({ address: '192.0.2.8', port: 40100 }, 'unknown ca');
    record({ address: undefined, port: undefined }, 'unknown ca');

    expect(lines.map((line) => line.address)).toEqual(['192.0.2.7', '192.0.2.8', 'unknown']);
  });
});
