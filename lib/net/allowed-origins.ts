import { z } from 'zod';
import { deriveAllowedOrigins } from './origins';

/** Settings key of the browser origins that may open the jobs WebSocket and send API writes; empty falls back to the config file. */
export const ALLOWED_ORIGINS_KEY = 'security.allowed_origins';

/** Maximum number of entries in the allowed origins list; each upgrade and API write scans it. */
export const MAX_ALLOWED_ORIGINS = 50;

/** Maximum length of one entry: a 253-character host name plus scheme and port fits. */
const MAX_ORIGIN_LENGTH = 300;

const EXAMPLE = 'expected an origin such as https://patch.example.com:8443';

/** The sources of the allowed origins when the settings table contains no list. */
export interface OriginDefaults {
  /** `security.allowed_origins` from config.toml. */
  configured: string[];
  /** `server.public_url`, the address the console is served at. */
  publicUrl: string | null;
}

/** Defaults with no config list and no public URL, for callers without a runtime such as the worker. */
export const NO_ORIGIN_DEFAULTS: OriginDefaults = { configured: [], publicUrl: null };

export type OriginParseResult = { ok: true; origin: string } | { ok: false; problem: string };

/**
 * Parses one allowed origin entry: scheme https, a host and an optional port,
 * with no path, query, fragment, userinfo, wildcard or trailing dot. Returns
 * the origin lower-cased with the default port 443 dropped, as browsers send it
 * in the Origin header, or the problem as the end of an error message.
 */
export function parseAllowedOrigin(value: string): OriginParseResult {
  const text = value.trim().toLowerCase();
  const fail = (fix: string): OriginParseResult => ({ ok: false, problem: `${EXAMPLE}, ${fix} (got ${JSON.stringify(value)})` });
  if (text.length > MAX_ORIGIN_LENGTH) {
    return { ok: false, problem: `${EXAMPLE}; the entry is longer than ${MAX_ORIGIN_LENGTH} characters` };
  }

  const scheme = /^([a-z][a-z0-9+.-]*):\/\/(.*)$/s.exec(text);
  if (!scheme) return fail('starting with https://');
  if (scheme[1] !== 'https') return fail(`with the https scheme instead of ${scheme[1]}`);

  const rest = scheme[2] ?? '';
  const end = rest.search(/[/?#\\]/);
  const authority = end === -1 ? rest : rest.slice(0, end);
  const tail = end === -1 ? '' : rest.slice(end);
  if (authority.includes('@')) return fail('without a user name or password');
  if (authority.includes('*')) return fail('without a wildcard; list each origin on its own');
  if (tail.startsWith('?')) return fail('without a query');
  if (tail.startsWith('#')) return fail('without a fragment');
  if (tail !== '') return fail('without a path');
  if (authority === '') return fail('with a host name or address');

  let url: URL;
  try {
    url = new URL(`https://${authority}`);
  } catch {
    return fail('with a valid host name or address and a port from 1 to 65535');
  }
  if (url.hostname.endsWith('.')) return fail('without the trailing dot after the host name');
  if (url.port === '0') return fail('with a port from 1 to 65535');
  return { ok: true, origin: url.origin };
}

/**
 * Schema of the `allowedOrigins` field: a list of at most 50 origins, each
 * normalised by `parseAllowedOrigin`, with duplicates removed. Errors name the
 * entry as `allowedOrigins[index]`.
 */
export const allowedOriginList = z
  .array(z.string({ error: 'allowedOrigins: expected a list of origins as strings' }), {
    error: 'allowedOrigins: expected a list of origins, such as ["https://patch.example.com:8443"]',
  })
  .max(MAX_ALLOWED_ORIGINS, { error: `allowedOrigins: at most ${MAX_ALLOWED_ORIGINS} entries; remove some` })
  .transform((entries, issue) => {
    const unique: string[] = [];
    for (const [index, entry] of entries.entries()) {
      const parsed = parseAllowedOrigin(entry);
      if (!parsed.ok) {
        issue.addIssue({ code: 'custom', message: `allowedOrigins[${index}]: ${parsed.problem}` });
        return z.NEVER;
      }
      if (!unique.includes(parsed.origin)) unique.push(parsed.origin);
    }
    return unique;
  });

/**
 * Returns the origins in force: the stored list when it has entries,
 * otherwise the config file list, otherwise the public URL's origin.
 */
export function effectiveAllowedOrigins(stored: readonly string[], defaults: OriginDefaults): string[] {
  if (stored.length > 0) return [...stored];
  return deriveAllowedOrigins(defaults.configured, defaults.publicUrl);
}

/** Returns the defaults from the loaded configuration. */
export function originDefaultsFromConfig(config: { allowedOrigins: string[]; publicUrl: string }): OriginDefaults {
  return { configured: config.allowedOrigins, publicUrl: config.publicUrl };
}
