import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getLogger } from '@/lib/log';
import { checkQueryParameters, listParam } from '@/lib/http/query';
import { hasValidPathEncoding, rejectInvalidPath } from '@/lib/net/reject-invalid-path';

describe('hasValidPathEncoding', () => {
  it.each(['/', '/hosts/abc', '/api/v1/hosts/%41%42', '/files/gr%C3%BC%C3%9Fe', '/pki/ocsp/MEow%2BQ%3D%3D', '/hosts?q=%ff', '/a%2Fb'])(
    'accepts %s',
    (target) => {
      expect(hasValidPathEncoding(target)).toBe(true);
    },
  );

  it.each(['/api/v1/jobs/%ff', '/hosts/%ff', '/api/v1/users/%ff/groups', '/a/%zz', '/a/%', '/a/%e2%82', '/a/%ed%a0%80?x=1'])('rejects %s', (target) => {
    expect(hasValidPathEncoding(target)).toBe(false);
  });
});

describe('rejectInvalidPath', () => {
  let server: http.Server;
  let port: number;
  let reachedNext: string[];

  beforeAll(async () => {
    const log = getLogger({ level: 'silent', name: 'test' });
    server = http.createServer((req, res) => {
      if (rejectInvalidPath(req, res, log, '127.0.0.1')) return;
      reachedNext.push(req.url ?? '');
      res.writeHead(204).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  function get(path: string): Promise<{ status: number; type: string; text: string }> {
    return new Promise((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, path, agent: false }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), text }));
      });
      req.on('error', reject);
      req.end();
    });
  }

  it('answers an API path with a JSON 400', async () => {
    reachedNext = [];
    const response = await get('/api/v1/hosts/%ff');

    expect(response.status).toBe(400);
    expect(response.type).toBe('application/json');
    expect(JSON.parse(response.text)).toEqual({ error: { code: 'invalid_input', message: 'path: invalid percent-encoding', field: 'path' } });
    expect(reachedNext).toEqual([]);
  });

  it('answers a page path with a plain 400', async () => {
    reachedNext = [];
    const response = await get('/hosts/%ff');

    expect(response.status).toBe(400);
    expect(response.type).toMatch(/^text\/plain/);
    expect(response.text).toMatch(/invalid percent-encoding/);
    expect(reachedNext).toEqual([]);
  });

  it('passes a valid path on', async () => {
    reachedNext = [];
    const response = await get('/hosts/%41');

    expect(response.status).toBe(204);
    expect(reachedNext).toEqual(['/hosts/%41']);
  });
});

describe('checkQueryParameters', () => {
  const allowed = ['page', 'pageSize'] as const;

  it('accepts known parameters', () => {
    expect(() => checkQueryParameters(new URLSearchParams('page=2&pageSize=10'), allowed)).not.toThrow();
    expect(() => checkQueryParameters(new URLSearchParams(''), allowed)).not.toThrow();
  });

  it('rejects an unknown parameter naming the allowed ones', () => {
    expect(() => checkQueryParameters(new URLSearchParams('page=1&status=bogus'), allowed)).toThrow(
      'status: unknown query parameter; expected page, pageSize',
    );
  });

  it('rejects a repeated parameter', () => {
    expect(() => checkQueryParameters(new URLSearchParams('page=1&page=2'), allowed)).toThrow('page: given more than once; send it once');
  });

  it('accepts a repeated parameter marked repeatable', () => {
    const query = new URLSearchParams('page=1&group=a&group=b');

    expect(() => checkQueryParameters(query, ['page', 'group'], { repeatable: ['group'] })).not.toThrow();
    expect(() => checkQueryParameters(new URLSearchParams('page=1&page=2&group=a'), ['page', 'group'], { repeatable: ['group'] })).toThrow(
      'page: given more than once; send it once',
    );
  });

  it('names the field of the error', () => {
    try {
      checkQueryParameters(new URLSearchParams('limit=-1'), allowed);
      expect.unreachable('limit was accepted');
    } catch (error) {
      expect((error as { field?: string }).field).toBe('limit');
    }
  });
});

describe('listParam', () => {
  it('reads repeated and comma-separated values', () => {
    expect(listParam(new URLSearchParams('group=a&group=b,c'), 'group')).toEqual(['a', 'b', 'c']);
  });

  it('trims entries and keeps empty ones', () => {
    expect(listParam(new URLSearchParams('group=%20a%20,,b'), 'group')).toEqual(['a', '', 'b']);
    expect(listParam(new URLSearchParams('group='), 'group')).toEqual(['']);
  });

  it('returns undefined when absent', () => {
    expect(listParam(new URLSearchParams('page=1'), 'group')).toBeUndefined();
  });
});
