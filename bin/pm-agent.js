#!/usr/bin/env node
// Starts the host agent from its TypeScript sources under tsx. Paths are resolved
// from this file, so the agent works from any working directory.
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

register({ tsconfig: fileURLToPath(new URL('../tsconfig.json', import.meta.url)) });

const { main } = await import(new URL('../agent/cli/main.ts', import.meta.url).href);
process.exit(await main(process.argv.slice(2)));
