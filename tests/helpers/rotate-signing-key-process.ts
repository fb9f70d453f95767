// Child process entry that rotates the access token signing key of a config
// directory, standing in for the worker's scheduled rotation in another process.
// It prints one JSON line with the new and the retired kid.
import { rotateSigningKey } from '@/lib/auth/signing-keys';

const [configDir, now] = process.argv.slice(2);
if (!configDir) {
  console.error('usage: rotate-signing-key-process.ts CONFIG_DIR [ISO_TIME]');
  process.exit(2);
}

const result = await rotateSigningKey(configDir, now ? new Date(now) : new Date());
process.stdout.write(`${JSON.stringify(result)}\n`);
