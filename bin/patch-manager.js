#!/usr/bin/env node
// Admin CLI entry: runs lib/cli/main.ts through tsx with the project's tsconfig.
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { register } from 'tsx/esm/api';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
register({ tsconfig: path.join(root, 'tsconfig.json') });
const { main } = await import(pathToFileURL(path.join(root, 'lib', 'cli', 'main.ts')).href);
await main(process.argv.slice(2));
