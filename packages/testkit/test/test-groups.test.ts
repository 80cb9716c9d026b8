// @module-tag unit
/**
 * The suite's three groups (unit, integration, e2e; see vitest.shared.ts) split it only if every
 * test file names exactly one of them: a file without one would run in none of
 * `pnpm test:unit`, `test:integration`, `test:e2e`, and in `pnpm test` alone.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../src/index.ts';
import { testGroups } from '../../../vitest.shared.ts';

const GROUPS = testGroups.map((group) => group.name);
const MODULE_TAG = /^\s*(?:\/\/|\*)\s*@module-tag\s+([\w\-/]+)/gm;
const TEST_TAGS = /tags:\s*\[([^\]]*)\]/g;

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : testFiles(path);
    return entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

// The reliability suite is its own command (pnpm test:reliability), outside the three groups.
const files = readdirSync(join(REPO_ROOT, 'packages'))
  .filter((name) => name !== 'reliability')
  .flatMap((name) => {
    try {
      return testFiles(join(REPO_ROOT, 'packages', name, 'test'));
    } catch {
      return [];
    }
  });

describe('test groups', () => {
  it('finds the workspace’s test files', () => {
    expect(files.length).toBeGreaterThan(50);
  });

  it.each(files.map((file) => [relative(REPO_ROOT, file), file]))('%s names exactly one group, and only heavier tags on its tests', (_, file) => {
    const text = readFileSync(file, 'utf8');
    const tags = [...text.matchAll(MODULE_TAG)].map((match) => match[1]);
    expect(tags).toHaveLength(1);
    expect(GROUPS).toContain(tags[0]);
    const fileRank = GROUPS.indexOf(tags[0]);
    for (const match of text.matchAll(TEST_TAGS)) {
      for (const tag of match[1].split(',').map((word) => word.trim().replace(/['"]/g, '')).filter(Boolean)) {
        // A test may only be heavier than its file: the filters put it in the heaviest group it carries.
        expect(GROUPS.indexOf(tag), `${tag} in a ${tags[0]} file`).toBeGreaterThan(fileRank);
      }
    }
  });
});
