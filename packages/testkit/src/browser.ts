/**
 * A real headless browser for the tests that open a page (the HTML reports), found the way a
 * developer's machine has one, and otherwise arriving with `pnpm install` like every other
 * dependency: in order,
 *   1. `RALLY_BROWSER`, the path of a Chromium or Chrome executable (a path that is not one is an
 *      error, never a silent fallback);
 *   2. a system Chromium or Chrome at its usual place (Debian's /usr/bin/chromium, ...);
 *   3. the Chromium build that the registry package `@sparticuz/chromium` ships (Linux x64), with the
 *      shared libraries it ships too, so that it runs on a machine that has none of a browser's.
 * Where none is found (another platform with no browser installed), a browser test skips itself with
 * one visible line saying why and how to run it, except under CI=true, where it fails instead.
 */
import { accessSync, constants, mkdirSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import puppeteer, { type Browser } from 'puppeteer-core';

export type BrowserSource = 'RALLY_BROWSER' | 'system' | 'bundled';

export interface TestBrowser {
  source: BrowserSource;
  executablePath: string;
  /** Environment for the browser process (the bundled build's own shared libraries). */
  env?: Record<string, string>;
}

/** Where a system Chromium or Chrome usually is, in the order tried. */
export const SYSTEM_BROWSER_PATHS: readonly string[] = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
];

/** What running a browser test on a machine with no browser takes, said in the skip line. */
export const HOW_TO_GET_A_BROWSER = 'install Chromium or Chrome, or set RALLY_BROWSER to the path of one';

function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

export interface BrowserLookup {
  env: Record<string, string | undefined>;
  platform: string;
  arch: string;
  isExecutable: (path: string) => boolean;
}

/**
 * Which browser to use, before anything is extracted: an explicit path, a system browser, the
 * bundled build where the platform has one, or the reason there is none.
 */
export function chooseBrowser(lookup: BrowserLookup): { source: BrowserSource; executablePath?: string } | { missing: string } {
  const explicit = lookup.env.RALLY_BROWSER;
  if (explicit !== undefined && explicit !== '') {
    if (!lookup.isExecutable(explicit)) throw new Error(`RALLY_BROWSER is "${explicit}", which is not an executable file (give the path of a Chromium or Chrome executable, or unset it).`);
    return { source: 'RALLY_BROWSER', executablePath: explicit };
  }
  const system = SYSTEM_BROWSER_PATHS.find((path) => lookup.isExecutable(path));
  if (system) return { source: 'system', executablePath: system };
  if (lookup.platform === 'linux' && lookup.arch === 'x64') return { source: 'bundled' };
  return { missing: `no Chromium or Chrome found (${SYSTEM_BROWSER_PATHS.join(', ')}), and the bundled build is for Linux x64 only (this is ${lookup.platform} ${lookup.arch})` };
}

/**
 * Holds a folder-creation lock around `action`: the bundled build extracts itself into the temporary
 * folder on first use, and two test files doing that at once would read a half-written binary.
 */
async function withExtractionLock<T>(action: () => Promise<T>): Promise<T> {
  const lock = join(tmpdir(), 'rally-bundled-chromium.lock');
  for (let attempt = 0; ; attempt += 1) {
    try {
      mkdirSync(lock);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      // Extracting takes a few seconds: a lock older than two minutes is a dead process's.
      const since = statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now();
      if (Date.now() - since > 120_000 || attempt > 1_200) rmSync(lock, { recursive: true, force: true });
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  try {
    return await action();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** The bundled Chromium (Linux x64), extracted (once per machine) with its shared libraries. */
export async function bundledBrowser(): Promise<TestBrowser> {
  const { default: chromium, inflate } = await import('@sparticuz/chromium');
  const packageDir = dirname(dirname(createRequire(import.meta.url).resolve('@sparticuz/chromium')));
  return withExtractionLock(async () => {
    const executablePath = await chromium.executablePath();
    // Its libraries (NSS, NSPR, expat) are extracted only on AWS Lambda by default; here always, so
    // that a machine without a browser's libraries runs it too.
    const libraries = await inflate(join(packageDir, 'bin', 'al2023.tar.br'));
    return { source: 'bundled' as const, executablePath, env: { LD_LIBRARY_PATH: join(libraries, 'lib') } };
  });
}

/** This machine: where the tests look for a browser. */
const THIS_MACHINE: Omit<BrowserLookup, 'env'> = { platform: process.platform, arch: process.arch, isExecutable: isExecutableFile };

/** The browser the tests use here, or why there is none. */
export async function findTestBrowser(env: Record<string, string | undefined> = process.env, machine = THIS_MACHINE): Promise<TestBrowser | { missing: string }> {
  const choice = chooseBrowser({ ...machine, env });
  if ('missing' in choice) return choice;
  if (choice.source === 'bundled') return bundledBrowser();
  return { source: choice.source, executablePath: choice.executablePath! };
}

/**
 * The browser for a test file, or null where there is none: then it prints one line saying why and
 * how to run it, and the file's tests skip. Under CI=true a missing browser is an error instead, so
 * that CI never passes by skipping.
 */
export async function browserForTests(suite: string, env: Record<string, string | undefined> = process.env, machine = THIS_MACHINE): Promise<TestBrowser | null> {
  const found = await findTestBrowser(env, machine);
  if (!('missing' in found)) return found;
  if (env.CI === 'true') throw new Error(`${suite} needs a browser, and CI=true does not skip it: ${found.missing}.`);
  console.warn(`skipped: ${suite} needs a browser: ${found.missing}; to run it, ${HOW_TO_GET_A_BROWSER}.`);
  return null;
}

/** Starts the browser headless, with no sandbox (tests run as root here) and no GPU. */
export function launchTestBrowser(browser: TestBrowser): Promise<Browser> {
  return puppeteer.launch({
    executablePath: browser.executablePath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    env: { ...process.env, ...browser.env } as Record<string, string>,
  });
}
