import PgBoss from 'pg-boss';
import { ConfigError, loadConfig } from '@/lib/config/load-config';
import { openDatabase } from '@/lib/db/client';
import { getLogger } from '@/lib/log';
import { NetworkGuard } from '@/lib/net/network-guard';
import type { Context } from '@/lib/context';
import { runMarkOfflineHosts } from './tasks/mark-offline-hosts';
import { runExpireJobs } from './tasks/expire-jobs';
import { auditPaths, type AuditPaths } from '@/lib/audit/checkpoint-files';
import { runAuditVerify } from './tasks/audit-verify';
import { runAuditCheckpoint } from './tasks/audit-checkpoint';
import { runCertificateMaintenance } from './tasks/certificate-maintenance';
import { checkSecretFileModes, FileModeError } from '@/lib/pki/check-file-modes';
import { runComplianceSnapshot } from './tasks/compliance-snapshot';
import { runNotifications } from './tasks/notifications';
import { runRotateSigningKey } from './tasks/rotate-signing-key';
import { startScheduleTicker } from './tasks/fire-schedules';

/** Scheduled tasks: queue name, cron expression (pg-boss resolves to the minute) and handler. */
function tasks(ctx: Context, log: ReturnType<typeof getLogger>, offlineAfterSeconds: number, audit: AuditPaths, configDir: string, consoleUrl: string) {
  return [
    { name: 'mark-offline-hosts', cron: '* * * * *', run: () => runMarkOfflineHosts(ctx, log, offlineAfterSeconds, consoleUrl) },
    { name: 'expire-jobs', cron: '* * * * *', run: () => runExpireJobs(ctx, log) },
    { name: 'audit-checkpoint', cron: '*/10 * * * *', run: () => runAuditCheckpoint(ctx, log, audit) },
    { name: 'audit-verify', cron: '0 * * * *', run: () => runAuditVerify(ctx, log, audit) },
    { name: 'notifications', cron: '* * * * *', run: () => runNotifications(ctx, log, consoleUrl) },
    // Daily just after midnight UTC; the run at worker start takes the day's snapshot when it is missing.
    { name: 'compliance-snapshot', cron: '5 0 * * *', run: () => runComplianceSnapshot(ctx, log) },
    { name: 'rotate-signing-key', cron: '17 3 * * *', run: () => runRotateSigningKey(configDir, log) },
    { name: 'certificate-maintenance', cron: '41 2 * * *', run: () => runCertificateMaintenance(ctx, log, configDir) },
  ];
}

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`patch-manager worker: ${error.message}`);
      process.exit(1);
    }
    throw error;
  }
  const log = getLogger({ level: config.logLevel, name: 'patch-manager-worker' });
  try {
    checkSecretFileModes({ configDir: config.configDir, configFile: config.configFile });
  } catch (error) {
    if (error instanceof FileModeError) {
      console.error(`patch-manager worker: ${error.message}`);
      process.exit(1);
    }
    throw error;
  }
  if (!config.databaseUrl) {
    console.error('patch-manager worker: DATABASE_URL is not set; start the worker through `npm start` or set database.url');
    process.exit(1);
  }

  // pg-boss keeps the owner URL because it creates and migrates its own schema;
  // everything else uses the restricted application role.
  if (!config.databaseAppUrl) {
    log.warn('PM_DATABASE_APP_URL is not set, so the worker connects as the database owner; set database.app_url');
  }
  const database = openDatabase(config.databaseAppUrl ?? config.databaseUrl, { max: 5, applicationName: 'patch-manager-worker' });
  // Tasks that act on client addresses read the same live lists as the server.
  const networkGuard = new NetworkGuard(database.db, log);
  await networkGuard.start(database.sql);
  const audit = auditPaths(config);
  const ctx: Context = { actor: { kind: 'system', name: 'worker' }, db: database.db };
  const boss = new PgBoss({ connectionString: config.databaseUrl, schema: 'pgboss', max: 5 });
  boss.on('error', (error) => log.error({ err: error }, 'job queue error'));
  await boss.start();

  for (const task of tasks(ctx, log, config.offlineAfterSeconds, audit, config.configDir, config.publicUrl)) {
    await boss.createQueue(task.name);
    await boss.schedule(task.name, task.cron, {}, { singletonKey: task.name });
    await boss.work(task.name, async () => {
      try {
        await task.run();
      } catch (error) {
        log.error({ err: error, task: task.name }, 'scheduled task failed');
        throw error;
      }
    });
  }
  // Run each task once at start, so a restart does not wait for the next minute.
  for (const task of tasks(ctx, log, config.offlineAfterSeconds, audit, config.configDir, config.publicUrl)) {
    await task.run().catch((error: unknown) => log.error({ err: error, task: task.name }, 'startup task failed'));
  }
  const stopScheduleTicker = startScheduleTicker(ctx, log, {
    graceSeconds: config.scheduleGraceSeconds,
    limits: { defaultTimeoutSeconds: config.jobDefaultTimeoutSeconds, hostWaitSeconds: config.jobHostWaitSeconds },
    consoleUrl: config.publicUrl,
  });
  log.info('worker started');

  const parent = Number(process.env.PM_WORKER_PARENT ?? '0');
  const watchdog = parent
    ? setInterval(() => {
        try {
          process.kill(parent, 0);
        } catch {
          log.warn('server process is gone; worker stopping');
          void shutdown();
        }
      }, 5000)
    : null;

  let stopping = false;
  async function shutdown(): Promise<void> {
    if (stopping) return;
    stopping = true;
    if (watchdog) clearInterval(watchdog);
    await stopScheduleTicker();
    await boss.stop({ graceful: true, timeout: 10_000 }).catch(() => undefined);
    await networkGuard.stop();
    await database.close();
    log.info('worker stopped');
    process.exit(0);
  }
  process.on('SIGTERM', () => void shutdown());
  process.on('SIGINT', () => void shutdown());
}

main().catch((error: unknown) => {
  getLogger().fatal({ err: error }, 'worker failed to start');
  process.exit(1);
});
