#!/usr/bin/env node
/**
 * The `rally` command. In the workspace, first rebuild dist/ when a package's sources are newer
 * (scripts/ensure-built.mjs); in a production install there is nothing to build. Plain JavaScript
 * on purpose: it runs before anything is built.
 */
import { existsSync } from 'node:fs';

// The workspace has the sources next to dist/; a production install has dist/ only.
const ensureBuilt = new URL('../../../scripts/ensure-built.mjs', import.meta.url);
if (existsSync(new URL('../src/run.ts', import.meta.url)) && existsSync(ensureBuilt)) await import(ensureBuilt.href);
await import('../dist/run.js');
