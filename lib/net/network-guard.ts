import type { Database, Sql } from '@/lib/db/client';
import type { Logger } from '@/lib/log';
import { resolveClientAddress, type ClientAddressResult } from './client-address';
import { isAllowed, normaliseAddress } from './ip-allowlist';
import { parseStoredList, readNetworkSettings, SETTINGS_CHANNEL, type ParsedNetworkSettings } from './network-settings';

const KEY = Symbol.for('patch-manager.network-guard');

type GlobalWithGuard = typeof globalThis & { [KEY]?: NetworkGuard };

/**
 * The per-process copy of the IP allowlist and the trusted proxies. It loads
 * both at start and reloads them whenever a `pm_settings` notification
 * arrives, so every server and worker process applies a change to its next
 * connection without a restart. Listeners registered with `onChange` run
 * after each reload, for example to close connections that lost access.
 */
export class NetworkGuard {
  private current: ParsedNetworkSettings = { allowlist: [], trustedProxies: [] };
  private readonly listeners = new Set<(settings: ParsedNetworkSettings) => void>();
  private unlisten: (() => Promise<void>) | null = null;
  private loading: Promise<void> | null = null;
  private again = false;

  constructor(
    private readonly db: Database,
    private readonly log: Logger,
  ) {}

  /** Loads the settings, subscribes to changes and makes this guard the one `reloadLocalNetworkGuard` reaches. */
  async start(sql: Sql): Promise<void> {
    await this.load();
    const subscription = await sql.listen(SETTINGS_CHANNEL, () => void this.reload());
    this.unlisten = () => subscription.unlisten();
    (globalThis as GlobalWithGuard)[KEY] = this;
  }

  async stop(): Promise<void> {
    await this.unlisten?.();
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
    this.current = { allowlist: parseStoredList(stored.ipAllowlist), trustedProxies: parseStoredList(stored.trustedProxies) };
    if (this.current.allowlist.length === 0) {
      this.log.warn('the IP allowlist is empty, so every address may connect to the console and the agent listener; set it on the Settings page');
    } else {
      this.log.info({ allowlist: stored.ipAllowlist, trustedProxies: stored.trustedProxies }, 'network settings loaded');
    }
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
