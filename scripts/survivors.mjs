#!/usr/bin/env node
/** `node scripts/survivors.mjs <package> [file-substring]`: the mutants a package's last Stryker run left alive, one line each. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const [name, filter = ''] = process.argv.slice(2);
const report = JSON.parse(readFileSync(join('packages', name, 'reports/mutation/mutation.json'), 'utf8'));
for (const [file, { source, mutants }] of Object.entries(report.files)) {
  if (!file.includes(filter)) continue;
  const lines = source.split('\n');
  for (const m of mutants.filter((m) => m.status === 'Survived' || m.status === 'NoCoverage').sort((a, b) => a.location.start.line - b.location.start.line)) {
    const line = lines[m.location.start.line - 1].trim().slice(0, 110);
    console.log(`${m.status === 'NoCoverage' ? 'NC' : 'S '} ${file}:${m.location.start.line} ${m.mutatorName} -> ${JSON.stringify(m.replacement ?? '').slice(0, 60)}   | ${line}`);
  }
}
