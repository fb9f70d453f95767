import fs from 'node:fs';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';

/** Debian's Chromium; the tests drive the packaged browser instead of downloading one. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

// Flags that keep Chromium from phoning home or updating itself, so a test run
// sends traffic only to the loopback server under test.
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

export interface TestBrowser {
  browser: Browser;
  /** A fresh profile for one test; close it or the whole browser after use. */
  newContext(): Promise<BrowserContext>;
  close(): Promise<void>;
}

/**
 * Starts headless Chromium for browser tests. Each context gets a fresh profile.
 * Contexts ignore certificate errors because the server under test presents a
 * certificate from a CA created for that test run, which the browser does not
 * trust. NOTE: Playwright cannot limit `ignoreHTTPSErrors` to one CA, so these
 * contexts accept any certificate; point them only at the test server on loopback.
 */
export async function launchBrowser(): Promise<TestBrowser> {
  if (!fs.existsSync(CHROMIUM_PATH)) {
    throw new Error(`Chromium not found at ${CHROMIUM_PATH}; install it with "apt-get install -y chromium".`);
  }

  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });

  return {
    browser,
    newContext: () => browser.newContext({ ignoreHTTPSErrors: true }),
    close: () => browser.close(),
  };
}
