import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { REDACT_PATHS, serializeError } from '@/lib/log';
import { findUnstorableText, toStorableJson, toStorableText } from '@/lib/text';
import { parseInput } from '@/lib/validation';
import { z } from 'zod';

describe('storable text', () => {
  it('replaces NUL and lone surrogates', () => {
    expect(toStorableText('a\u0000b')).toBe('a\uFFFDb');
    expect(toStorableText('x\ud83d')).toBe('x\uFFFD');
    expect(toStorableText('ok 😀')).toBe('ok 😀');
  });

  it('cleans nested JSON', () => {
    expect(toStorableJson({ lines: [{ line: 'a\u0000' }] })).toEqual({ lines: [{ line: 'a\uFFFD' }] });
  });

  it('finds the path of an unstorable string', () => {
    expect(findUnstorableText({ packages: [{ name: 'ok' }, { name: 'b\u0000' }] })).toBe('packages.1.name');
    expect(findUnstorableText({ a: ['fine'] })).toBeNull();
  });

  it('finds unstorable text in document order', () => {
    expect(findUnstorableText({ a: 'b\u0000', 'c\u0000': 'ok' })).toBe('a');
    expect(findUnstorableText({ ok: 1, 'c\u0000': 'd\u0000' })).toBe('(key)');
    expect(findUnstorableText(['fine', ['x\ud800']])).toBe('1.0');
    expect(findUnstorableText('a\u0000')).toBe('(value)');
  });

  it('walks deep nesting without exhausting the stack', () => {
    const depth = 50_000;
    const nested = JSON.parse(`${'['.repeat(depth)}"a\\u0000"${']'.repeat(depth)}`) as unknown;

    expect(findUnstorableText(nested)).toBe(Array.from({ length: depth }, () => '0').join('.'));
    expect(findUnstorableText(JSON.parse(`${'['.repeat(depth)}${']'.repeat(depth)}`))).toBeNull();
  });

  it('parseInput rejects NUL naming the field', () => {
    const schema = z.object({ description: z.string() });

    expect(() => parseInput(schema, { description: 'a\u0000b' }, 'request')).toThrow(/description: contains a NUL character/);
  });
});

describe('logger', () => {
  it('drops query parameters from logged errors', () => {
    const error = Object.assign(new Error('invalid byte sequence'), {
      query: 'insert into t values ($1)',
      parameters: ['secret-token-hash'],
    });

    const serialized = serializeError(error);

    expect(serialized.parameters).toBeUndefined();
    expect(JSON.stringify(serialized)).not.toContain('secret-token-hash');
    expect(serialized.query).toBe('insert into t values ($1)');
  });

  it('redacts secret fields', () => {
    let output = '';
    const sink = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        output += chunk.toString();
        callback();
      },
    });
    const log = pino({ redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, sink);

    log.info({ token: 'pmet_abc', headers: { cookie: 'pm_access=xyz' }, request: { password: 'hunter2' } }, 'event');

    expect(output).not.toContain('pmet_abc');
    expect(output).not.toContain('pm_access=xyz');
    expect(output).not.toContain('hunter2');
  });
});
