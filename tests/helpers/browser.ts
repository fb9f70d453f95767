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
  /**
   * A fresh profile for one test; close it or the whole browser after use. The
   * browser records each Content Security Policy violation a page of the context
   * reports, unless `expectViolations` is set for a test that causes them.
   */
  newContext(options?: { expectViolations?: boolean }): Promise<BrowserContext>;
  /** Closes the browser, then fails when a page reported a policy violation. */
  close(): Promise<void>;
}

/** Chromium reports a blocked script, style or connection as a console error that names the policy. */
function isPolicyViolation(text: string): boolean {
  return text.includes('Content Security Policy');
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

  const violations: string[] = [];

  return {
    browser,
    async newContext(options = {}) {
      const context = await browser.newContext({ ignoreHTTPSErrors: true });
      if (!options.expectViolations) {
        context.on('console', (message) => {
          if (message.type() === 'error' && isPolicyViolation(message.text())) {
            violations.push(`${message.page()?.url() ?? 'unknown page'}: ${message.text()}`);
          }
        });
      }
      return context;
    },
    async close() {
      await browser.close();
      if (violations.length > 0) {
        throw new Error(`pages reported ${violations.length} Content Security Policy violations:\n${violations.join('\n')}`);
      }
    },
  };
}
