import type { Database, Sql } from '@/lib/db/client';
import type { Logger } from '@/lib/log';
import { effectiveAllowedOrigins, parseAllowedOrigin, type OriginDefaults } from './allowed-origins';
import { resolveClientAddress, type ClientAddressResult } from './client-address';
import { isAllowed, normaliseAddress } from './ip-allowlist';
import { parseStoredList, readNetworkSettings, SETTINGS_CHANNEL, type ParsedNetworkSettings } from './network-settings';

const KEY = Symbol.for('patch-manager.network-guard');

/** Time within which rejections of the same address are logged once, in milliseconds. */
const REJECTION_LOG_INTERVAL_MS = 60_000;
/** Addresses remembered for rejection logging; the memory is cleared when it grows past this. */
const MAX_REMEMBERED_REJECTIONS = 10_000;

/** Outcome of the checks on a web request or WebSocket upgrade. */
export type Admission = { admitted: true; address: string } | { admitted: false; status: 400 | 403; reason: string };

type GlobalWithGuard = typeof globalThis & { [KEY]?: NetworkGuard };

/**
 * The per-process copy of the IP allowlist, the trusted proxies and the
 * allowed origins. It loads them at start and reloads them whenever a
 * `pm_settings` notification arrives, so every server and worker process
 * applies a change to its next connection without a restart. Listeners
 * registered with `onChange` run after each reload, for example to close
 * connections that lost access. `originDefaults` supplies the allowed origins
 * while the stored list is empty. Without it (the worker, which serves no
 * browser) the allowed origins are the stored list alone and are not logged.
 */
export class NetworkGuard {
  private current: ParsedNetworkSettings = { allowlist: [], trustedProxies: [], allowedOrigins: [] };
  private readonly listeners = new Set<(settings: ParsedNetworkSettings) => void>();
  private unlisten: (() => Promise<void>) | null = null;
  private loading: Promise<void> | null = null;
  private again = false;
  /** Per address: when a rejection was last logged and how many were skipped since. */
  private readonly rejections = new Map<string, { loggedAt: number; skipped: number }>();

  constructor(
    private readonly db: Database,
    private readonly log: Logger,
    private readonly originDefaults: OriginDefaults | null = null,
  ) {}

  /** Loads the settings, subscribes to changes and makes this guard the one `reloadLocalNetworkGuard` reaches. */
  async start(sql: Sql): Promise<void> {
    await this.load();
    const subscription = await sql.listen(SETTINGS_CHANNEL, () => void this.reload());
    this.unlisten = () => subscription.unlisten();
    (globalThis as GlobalWithGuard)[KEY] = this;
  }

  async stop(): Promise<void> {
    // The database may already be gone at shutdown, and nothing is left to unsubscribe then.
    await this.unlisten?.().catch(() => undefined);
    this.unlisten = null;
  }

  get settings(): ParsedNetworkSettings {
    return this.current;
  }

  /** Registers a function called after every reload; returns its removal. */
  onChange(listener: (settings: ParsedNetworkSettings) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves the client address of a connection under the current trusted proxies. */
  resolve(peer: string | undefined, headers: Record<string, string | string[] | undefined>): ClientAddressResult {
    return resolveClientAddress({ peer, headers, trustedProxies: this.current.trustedProxies });
  }

  /** True when the current allowlist lets the address connect; an empty list allows all. */
  allows(address: string | undefined): boolean {
    const normalised = normaliseAddress(address ?? '');
    if (normalised === null) return this.current.allowlist.length === 0;
    return isAllowed(normalised, this.current.allowlist);
  }

  /**
   * Checks a web request or upgrade: resolves the client address (400 when the
   * forwarding headers are malformed) and applies the allowlist (403). Each
   * rejected address is logged at most once a minute, with the number skipped.
   */
  admitWeb(peer: string | undefined, headers: Record<string, string | string[] | undefined>, what: string): Admission {
    const client = this.resolve(peer, headers);
    if (!client.ok) {
      this.logRejection(peer ?? 'unknown', `rejected ${what} with malformed forwarding headers`, client.reason);
      return { admitted: false, status: 400, reason: client.reason };
    }
    if (!this.allows(client.address)) {
      this.logRejection(client.address, `rejected ${what} from an address outside the IP allowlist`);
      return { admitted: false, status: 403, reason: 'this address may not use the console' };
    }
    return { admitted: true, address: client.address };
  }

  /** Destroys an agent connection whose peer address the allowlist excludes; returns true when it did. */
  dropAgentSocket(socket: { remoteAddress?: string | undefined; destroy(): void }): boolean {
    if (this.allows(socket.remoteAddress)) return false;
    this.logRejection(socket.remoteAddress ?? 'unknown', 'dropped agent connection from an address outside the IP allowlist');
    socket.destroy();
    return true;
  }

  private logRejection(address: string, message: string, reason?: string): void {
    const now = Date.now();
    const last = this.rejections.get(address);
    if (last && now - last.loggedAt < REJECTION_LOG_INTERVAL_MS) {
      last.skipped += 1;
      return;
    }
    if (this.rejections.size >= MAX_REMEMBERED_REJECTIONS) this.rejections.clear();
    this.rejections.set(address, { loggedAt: now, skipped: 0 });
    this.log.warn({ address, ...(reason ? { reason } : {}), skippedSinceLastLog: last?.skipped ?? 0 }, message);
  }

  private logAllowedOrigins(fromSettings: boolean): void {
    const origins = this.current.allowedOrigins;
    if (origins.length === 0) {
      this.log.warn(
        'no allowed origin is set, so every jobs WebSocket upgrade will be rejected; set the allowed origins on the Settings page, security.allowed_origins or server.public_url',
      );
      return;
    }
    this.log.info({ allowedOrigins: origins, source: fromSettings ? 'settings' : 'config file or public URL' }, 'allowed origins loaded');
  }

  /** Reads the settings again; overlapping calls collapse into one extra read. */
  reload(): Promise<void> {
    if (this.loading) {
      this.again = true;
      return this.loading;
    }
    this.loading = this.load()
      .catch((error: unknown) => this.log.error({ err: error }, 'could not reload the network settings; the previous lists stay in force'))
      .finally(() => {
        this.loading = null;
        if (this.again) {
          this.again = false;
          void this.reload();
        }
      });
    return this.loading;
  }

  private async load(): Promise<void> {
    const stored = await readNetworkSettings(this.db);
    const onInvalid = (entry: string, error: Error) =>
      this.log.error({ entry, reason: error.message }, 'ignored an invalid stored network settings entry; save the settings again to fix it');
    const origins: string[] = [];
    for (const entry of stored.allowedOrigins) {
      const parsed = parseAllowedOrigin(entry);
      if (parsed.ok) origins.push(parsed.origin);
      else onInvalid(entry, new Error(parsed.problem));
    }
    this.current = {
      allowlist: parseStoredList(stored.ipAllowlist, onInvalid),
      trustedProxies: parseStoredList(stored.trustedProxies, onInvalid),
      allowedOrigins: this.originDefaults ? effectiveAllowedOrigins(origins, this.originDefaults) : origins,
    };
    if (this.current.allowlist.length === 0) {
      this.log.warn('the IP allowlist is empty, so every address may connect to the console and the agent listener; set it on the Settings page');
    } else {
      this.log.info({ allowlist: stored.ipAllowlist, trustedProxies: stored.trustedProxies }, 'network settings loaded');
    }
    if (this.originDefaults !== null) this.logAllowedOrigins(stored.allowedOrigins.length > 0);
    for (const listener of this.listeners) {
      try {
        listener(this.current);
      } catch (error) {
        this.log.error({ err: error }, 'network settings listener failed');
      }
    }
  }
}

/**
 * Reloads this process's guard at once, so the request after a settings
 * change is checked against the new lists without waiting for the
 * notification. Other processes reload when the notification arrives.
 */
export async function reloadLocalNetworkGuard(): Promise<void> {
  await (globalThis as GlobalWithGuard)[KEY]?.reload();
}

/**
 * Returns the allowed origins in force in this process, as the started guard
 * last loaded them, or null when no guard has started here (such as during
 * `next build`).
 */
export function currentAllowedOrigins(): readonly string[] | null {
  return (globalThis as GlobalWithGuard)[KEY]?.settings.allowedOrigins ?? null;
}
