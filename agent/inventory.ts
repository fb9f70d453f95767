import { readFile } from 'node:fs/promises';
import { z } from 'zod';

import { INVENTORY_SECTIONS, type InventoryReport, type InventorySection } from '../lib/agent-protocol/schema';
import { collectHostFacts } from './facts';
import { hashSections, normalizeSections, type InventorySections, type SectionHashes } from './inventory-hash';
import type { AgentLogger } from './log';
import type { PackageManagerBackend } from './package-managers/types';
import { writeFileAtomic } from './write-file-atomic';

/** Backend operations an inventory needs; `runningKernelNewest` is used when the backend has it. */
export type InventoryBackend = PackageManagerBackend & { runningKernelNewest?: () => Promise<string | null> };

/** Server response to one check-in. */
export interface InventoryAnswer {
  /** Sections whose hash the server does not have and whose body was not sent. */
  missing: InventorySection[];
  /** Sections the server stored from this request. */
  written: InventorySection[];
}

/** Sends one report to `POST /agent/v1/inventory`; throws unless the server responds with 200. */
export type PostInventory = (report: InventoryReport) => Promise<InventoryAnswer>;

const sectionName = z.enum(['facts', 'packages', 'updates', 'reboot']);
export const inventoryAnswerSchema = z.object({ missing: z.array(sectionName), written: z.array(sectionName) });

const stateSchema = z.object({
  ackedHashes: z.object({ facts: z.string(), packages: z.string(), updates: z.string(), reboot: z.string() }).partial(),
});

export interface InventoryReporterOptions {
  backend: InventoryBackend;
  agentVersion: string;
  /** `state.json`, which keeps the acknowledged hashes across restarts. */
  statePath: string;
  post: PostInventory;
  log: AgentLogger;
}

/**
 * Collects the inventory and sends only what the server does not have yet.
 *
 * Every report carries the hashes of all four sections. A section's body is
 * included when its hash differs from the last hash the server acknowledged, or
 * for every section on a full check-in. When the server lists sections as
 * `missing` (its stored hash differs, for example after a database restore), their
 * bodies follow at once in a second request. A section counts as acknowledged
 * once a successful response does not list it as missing, and the acknowledged
 * hashes are kept in `state.json` so a restart does not resend everything.
 */
export class InventoryReporter {
  constructor(private readonly options: InventoryReporterOptions) {}

  /** Runs one check-in; rejects when collecting or sending fails, leaving the acknowledged hashes unchanged. */
  async checkIn(mode: { full: boolean }): Promise<void> {
    const started = Date.now();
    const sections = normalizeSections(await this.collect());
    const hashes = hashSections(sections);
    const acked = await this.readAckedHashes();

    const changed = INVENTORY_SECTIONS.filter((section) => mode.full || acked[section] !== hashes[section]);
    const first = await this.options.post(buildReport(hashes, sections, changed));

    let missing = first.missing;
    let written = first.written;
    if (missing.length > 0) {
      const second = await this.options.post(buildReport(hashes, sections, missing));
      written = [...written, ...second.written];
      missing = second.missing;
    }

    if (missing.length > 0) {
      this.options.log.warn({ event: 'inventory.unacknowledged', sections: missing }, 'server still lists sections as missing after receiving them');
    }

    const nextAcked: Partial<SectionHashes> = {};
    for (const section of INVENTORY_SECTIONS) {
      nextAcked[section] = missing.includes(section) ? acked[section] : hashes[section];
    }
    await writeFileAtomic(this.options.statePath, `${JSON.stringify({ ackedHashes: nextAcked })}\n`, 0o600);

    this.options.log.info(
      {
        event: 'inventory.sent',
        full: mode.full,
        sent: [...new Set([...changed, ...first.missing])],
        written,
        packages: sections.packages.length,
        updates: sections.updates.length,
        durationMs: Date.now() - started,
      },
      'inventory sent',
    );
  }

  private async collect(): Promise<InventorySections> {
    const { backend, agentVersion } = this.options;

    const facts = await collectHostFacts({ agentVersion, packageManager: backend.name });
    if (backend.runningKernelNewest) {
      facts.kernelNewest = await backend.runningKernelNewest();
    }

    return {
      facts,
      packages: await backend.listInstalled(),
      updates: await backend.listPendingUpdates(),
      reboot: await backend.rebootState(),
    };
  }

  /** Returns the acknowledged hashes; a missing or damaged state file means none, so everything is sent. */
  private async readAckedHashes(): Promise<Partial<SectionHashes>> {
    try {
      return stateSchema.parse(JSON.parse(await readFile(this.options.statePath, 'utf8'))).ackedHashes;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        this.options.log.warn({ event: 'inventory.state-invalid', error: (error as Error).message }, 'ignoring unreadable state file; sending every section');
      }
      return {};
    }
  }
}

/** Builds a report with every hash and the bodies of `include`. */
export function buildReport(hashes: SectionHashes, sections: InventorySections, include: readonly InventorySection[]): InventoryReport {
  const report: InventoryReport = { hashes };
  if (include.includes('facts')) report.facts = sections.facts;
  if (include.includes('packages')) report.packages = sections.packages;
  if (include.includes('updates')) report.updates = sections.updates;
  if (include.includes('reboot')) report.reboot = sections.reboot;
  return report;
}
