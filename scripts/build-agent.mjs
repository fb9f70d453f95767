#!/usr/bin/env node
// Bundles the host agent (agent/cli/main.ts and everything it imports, npm
// packages included) into one ES module, dist/pm-agent.mjs, that runs with a
// plain `node` (version 20 or later) and nothing else installed.
// Usage: node scripts/build-agent.mjs [--outfile PATH]
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({ options: { outfile: { type: 'string' } } });
const outfile = path.resolve(values.outfile ?? path.join(root, 'dist', 'pm-agent.mjs'));

// The entry calls the CLI the same way bin/pm-agent.js does under tsx.
const entry = `import { main } from './agent/cli/main.ts';\nprocess.exit(await main(process.argv.slice(2)));\n`;

fs.mkdirSync(path.dirname(outfile), { recursive: true });
await build({
  stdin: { contents: entry, resolveDir: root, sourcefile: 'pm-agent-entry.ts', loader: 'ts' },
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  outfile,
  tsconfig: path.join(root, 'tsconfig.json'),
  // ws loads these native helpers only when they are installed, inside a try block.
  external: ['bufferutil', 'utf-8-validate'],
  // CommonJS packages bundled into an ES module still call require() for Node's built-ins.
  banner: {
    js: "#!/usr/bin/env node\nimport { createRequire as pmAgentCreateRequire } from 'node:module';\nconst require = pmAgentCreateRequire(import.meta.url);",
  },
  legalComments: 'eof',
  logLevel: 'warning',
});
fs.chmodSync(outfile, 0o755);
console.log(`built ${path.relative(process.cwd(), outfile) || outfile}`);
