import { sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Database } from '@/lib/db/client';
import { ALLOWED_ORIGINS_KEY, allowedOriginList } from './allowed-origins';
import { CidrError, parseCidr, type CidrBlock } from './ip-allowlist';

/** Settings key of the CIDR blocks that may connect to the web and agent listeners; empty allows every address. */
export const IP_ALLOWLIST_KEY = 'security.ip_allowlist';
/** Settings key of the CIDR blocks whose X-Forwarded-For and X-Real-IP headers are believed. */
export const TRUSTED_PROXIES_KEY = 'security.trusted_proxies';
/** PostgreSQL NOTIFY channel on which a settings change is announced; the payload is the changed key. */
export const SETTINGS_CHANNEL = 'pm_settings';

/** Most entries one list may hold; the check runs on every connection. */
export const MAX_CIDR_ENTRIES = 500;

/** The network guard settings as stored and as the audit log records them. */
export interface NetworkSettings {
  ipAllowlist: string[];
  trustedProxies: string[];
  /** Stored browser origins; empty means the config file list or the public URL's origin. */
  allowedOrigins: string[];
}

/** The stored settings plus the allowed origins in force, as the API and the Settings page show them. */
export interface NetworkSettingsView extends NetworkSettings {
  effectiveAllowedOrigins: string[];
}

/** The settings with every entry parsed, as the listeners use them. */
export interface ParsedNetworkSettings {
  allowlist: CidrBlock[];
  trustedProxies: CidrBlock[];
  /** The allowed origins in force, after the fallback to the config file and the public URL. */
  allowedOrigins: string[];
}

function cidrList(field: string) {
  return z
    .array(z.string({ error: `${field}: expected a list of CIDR blocks as strings` }).max(64, { error: `${field}: an entry is longer than 64 characters` }), {
      error: `${field}: expected a list of CIDR blocks, such as ["192.0.2.0/24"]`,
    })
    .max(MAX_CIDR_ENTRIES, { error: `${field}: at most ${MAX_CIDR_ENTRIES} entries` })
    .transform((entries, issue) => {
      const unique: string[] = [];
      for (const entry of entries) {
        try {
          const block = parseCidr(entry);
          if (!unique.includes(block.text)) unique.push(block.text);
        } catch (error) {
          if (!(error instanceof CidrError)) throw error;
          issue.addIssue({ code: 'custom', message: `${field}: ${error.message}` });
          return z.NEVER;
        }
      }
      return unique;
    });
}

/**
 * Request body of `PUT /api/v1/settings`: both CIDR lists, each entry an
 * address or CIDR block, and optionally the allowed origins. A body without
 * `allowedOrigins` leaves the stored origins unchanged, so clients written
 * before the field existed keep working.
 */
export const networkSettingsInput = z
  .object({
    ipAllowlist: cidrList('ipAllowlist'),
    trustedProxies: cidrList('trustedProxies'),
    allowedOrigins: allowedOriginList.optional(),
  })
  .strict();

export type NetworkSettingsInput = z.input<typeof networkSettingsInput>;

/**
 * Parses stored entries and drops any that no longer parse, so one bad row
 * cannot stop the server. `onInvalid` gets each dropped entry and its error.
 */
export function parseStoredList(entries: readonly string[], onInvalid: (entry: string, error: CidrError) => void = () => {}): CidrBlock[] {
  const blocks: CidrBlock[] = [];
  for (const entry of entries) {
    try {
      blocks.push(parseCidr(entry));
    } catch (error) {
      if (!(error instanceof CidrError)) throw error;
      onInvalid(entry, error);
    }
  }
  return blocks;
}

function storedList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((entry): entry is string => typeof entry === 'string') : [];
}

/** Reads the three lists from the settings table; a missing row is an empty list. */
export async function readNetworkSettings(db: Pick<Database, 'execute'>): Promise<NetworkSettings> {
  const rows = await db.execute<{ key: string; value: unknown }>(
    sql`select key, value from settings where key in (${IP_ALLOWLIST_KEY}, ${TRUSTED_PROXIES_KEY}, ${ALLOWED_ORIGINS_KEY})`,
  );
  const value = (key: string) => storedList(rows.find((row) => row.key === key)?.value);
  return { ipAllowlist: value(IP_ALLOWLIST_KEY), trustedProxies: value(TRUSTED_PROXIES_KEY), allowedOrigins: value(ALLOWED_ORIGINS_KEY) };
}
