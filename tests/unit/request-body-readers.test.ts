import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorBody, httpStatusFor } from '@/lib/errors';
import { readJsonRequest } from '@/lib/http/api';
import { jsonDepth, MAX_JSON_DEPTH, parseJsonBody } from '@/lib/http/parse-json-body';
import { readEmptyBody } from '@/lib/http/read-empty-body';
import { readJsonBody } from '@/lib/net/read-body';

const DEEP = `${'['.repeat(5000)}${']'.repeat(5000)}`;
const INVALID_UTF8 = Buffer.concat([Buffer.from('{"name":"bad'), Buffer.from([0xff, 0xfe]), Buffer.from('name"}')]);

function nested(depth: number): string {
  return `${'['.repeat(depth)}${']'.repeat(depth)}`;
}

/** Runs a body reader and returns the status and error body it leads to (200 and the value when it returns). */
async function outcome(read: () => Promise<unknown>): Promise<{ status: number; body: unknown }> {
  try {
    return { status: 200, body: await read() };
  } catch (error) {
    return { status: httpStatusFor(error), body: errorBody(error) };
  }
}

function webRequest(body: string | Buffer | undefined, contentType: string | undefined): Request {
  return new Request('https://console.test/api/v1/example', {
    method: 'POST',
    headers: contentType === undefined ? {} : { 'content-type': contentType },
    body: typeof body === 'string' || body === undefined ? body : new Uint8Array(body),
  });
}

describe('parseJsonBody', () => {
  it('accepts nesting up to the limit', () => {
    expect(parseJsonBody(Buffer.from(nested(MAX_JSON_DEPTH)))).toBeInstanceOf(Array);
  });

  it('rejects nesting past the limit naming body', () => {
    expect(() => parseJsonBody(Buffer.from(nested(MAX_JSON_DEPTH + 1)))).toThrow(
      `body: nested deeper than ${MAX_JSON_DEPTH} levels; send a flat JSON object`,
    );
    expect(() => parseJsonBody(Buffer.from(`{"a":${DEEP}}`))).toThrow(/^body: nested deeper/);
  });

  it('rejects invalid UTF-8', () => {
    expect(() => parseJsonBody(INVALID_UTF8)).toThrow('body: not valid UTF-8');
    expect(() => parseJsonBody(Buffer.from([0x22, 0xed, 0xa0, 0x80, 0x22]))).toThrow('body: not valid UTF-8');
  });

  it('rejects malformed JSON', () => {
    expect(() => parseJsonBody(Buffer.from('{"a":'))).toThrow('body: malformed JSON');
  });

  it('keeps valid multibyte text', () => {
    expect(parseJsonBody(Buffer.from('{"name":"grüße 😀"}'))).toEqual({ name: 'grüße 😀' });
  });
});

describe('jsonDepth', () => {
  it.each([
    ['1', 0],
    ['"x"', 0],
    ['[]', 1],
    ['{"a":[1,{"b":[]}]}', 4],
    ['[[],[[[]]]]', 4],
  ])('measures %s', (text, depth) => {
    expect(jsonDepth(JSON.parse(text))).toBe(depth);
  });

  it('stops once past the limit', () => {
    expect(jsonDepth(JSON.parse(nested(100_000)), 10)).toBe(11);
  });
});

describe('readJsonRequest', () => {
  it('rejects deep nesting with 400', async () => {
    const result = await outcome(() => readJsonRequest(webRequest(DEEP, 'application/json')));

    expect(result.status).toBe(400);
    expect(result.body).toMatchObject({ error: { field: 'body', message: expect.stringMatching(/^body: nested deeper than 64 levels/) } });
  });

  it('rejects invalid UTF-8 with 400', async () => {
    const result = await outcome(() => readJsonRequest(webRequest(INVALID_UTF8, 'application/json')));

    expect(result).toEqual({ status: 400, body: { error: { code: 'invalid_input', message: 'body: not valid UTF-8', field: 'body' } } });
  });

  it('rejects another content type with 415', async () => {
    const result = await outcome(() => readJsonRequest(webRequest('{}', 'text/plain')));

    expect(result.status).toBe(415);
    expect(result.body).toMatchObject({ error: { code: 'unsupported_media_type', field: 'content-type' } });
  });

  it('returns a valid body', async () => {
    expect(await readJsonRequest(webRequest('{"a":[1]}', 'application/json; charset=utf-8'))).toEqual({ a: [1] });
  });
});

describe('readEmptyBody', () => {
  it.each([
    ['no body', undefined, undefined],
    ['an empty body of any type', '', 'text/plain'],
    ['an empty object', '{}', 'application/json'],
    ['an empty object with whitespace', ' { }\n', 'application/json'],
  ])('accepts %s', async (_name, body, type) => {
    await expect(readEmptyBody(webRequest(body, type))).resolves.toBeUndefined();
  });

  it.each([
    ['an object with fields', '{"a":1}'],
    ['an array', '[]'],
    ['null', 'null'],
    ['malformed JSON', '{'],
    ['a large body', `{"a":"${'x'.repeat(2 * 1024 * 1024)}"}`],
  ])('rejects %s with 400', async (_name, body) => {
    const result = await outcome(() => readEmptyBody(webRequest(body, 'application/json')));

    expect(result.status).toBe(400);
    expect(result.body).toMatchObject({ error: { field: 'body' } });
  });

  it('names the rule in its message', async () => {
    const result = await outcome(() => readEmptyBody(webRequest('{"a":1}', 'application/json')));

    expect(result.body).toMatchObject({ error: { message: expect.stringMatching(/^body: this endpoint takes no body/) } });
  });

  it.each([
    ['text/plain', '{}'],
    ['application/x-www-form-urlencoded', 'a=1'],
    ['text/plain', 'x'.repeat(2 * 1024 * 1024)],
  ])('rejects a %s body with 415', async (type, body) => {
    const result = await outcome(() => readEmptyBody(webRequest(body, type)));

    expect(result.status).toBe(415);
  });

  it('rejects a body without content type with 415', async () => {
    const result = await outcome(() => readEmptyBody(webRequest('{}', undefined)));

    // fetch labels a string body text/plain when no type is given.
    expect(result.status).toBe(415);
  });
});

describe('readJsonBody', () => {
  let server: http.Server;
  let port: number;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      void outcome(() => readJsonBody(req, 64 * 1024)).then((result) => {
        res.writeHead(result.status, { 'content-type': 'application/json', connection: 'close' }).end(JSON.stringify(result.body));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  function post(body: Buffer | string, contentType: string): Promise<{ status: number; body: unknown }> {
    return new Promise((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/', agent: false, headers: { 'content-type': contentType } }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as unknown }));
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  it('rejects deep nesting with 400', async () => {
    const result = await post(DEEP, 'application/json');

    expect(result.status).toBe(400);
    expect(result.body).toMatchObject({ error: { field: 'body', message: expect.stringMatching(/^body: nested deeper than 64 levels/) } });
  });

  it('rejects invalid UTF-8 with 400', async () => {
    const result = await post(INVALID_UTF8, 'application/json');

    expect(result).toEqual({ status: 400, body: { error: { code: 'invalid_input', message: 'body: not valid UTF-8', field: 'body' } } });
  });

  it('rejects another content type with 415', async () => {
    expect((await post('{}', 'text/plain')).status).toBe(415);
  });

  it('returns a valid body', async () => {
    expect(await post('{"hostname":"web-1"}', 'application/json')).toEqual({ status: 200, body: { hostname: 'web-1' } });
  });
});
