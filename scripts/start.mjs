#!/usr/bin/env node
// `npm start`: builds the web console when needed and the agent bundle that the
// console serves for download, then runs the server, which starts the worker beside it.
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const build = spawnSync(process.execPath, [path.join(root, 'scripts', 'build-console.mjs')], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

const agentBuild = spawnSync(process.execPath, [path.join(root, 'scripts', 'build-agent.mjs')], { stdio: 'inherit' });
if (agentBuild.status !== 0) process.exit(agentBuild.status ?? 1);

const server = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'server.ts'), '--with-worker'], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1' },
});
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => server.kill(signal));
}
server.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
