/**
 * Debian's Chromium driven by playwright-core (no browser download), plus a
 * watcher that fails a test on any uncaught exception or `console.error` from
 * the client (SPEC §7 rule 23).
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { ROOT } from '../../helpers/server.js';

export const CHROMIUM = '/usr/bin/chromium';
export const OUTPUT_DIR = path.join(ROOT, 'test', 'output');

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * Lines Chromium itself logs at error level for network outcomes the client
 * expects and handles: an expected 4xx answer (rule 23 excludes it) and a
 * WebSocket handshake that fails while the test has cut the network.
 */
const BROWSER_NETWORK_LINES = [/^Failed to load resource: the server responded with a status of 4\d\d/, /^WebSocket connection to '.*' failed/, /^Failed to load resource: net::ERR_/];

export interface WatchedPage {
  page: Page;
  /** Uncaught exceptions and console.error lines from the client, excluding the browser's own network lines. */
  problems: string[];
}

export async function openPage(context: BrowserContext, url: string): Promise<WatchedPage> {
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    const text = message.text();
    if (BROWSER_NETWORK_LINES.some((pattern) => pattern.test(text))) return;
    problems.push(`console.error: ${text}`);
  });
  await page.goto(url);
  return { page, problems };
}

/** Saves a screenshot under test/output/ (git-ignored) for a reviewer to look at. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(OUTPUT_DIR, { recursive: true });
  await page.screenshot({ path: path.join(OUTPUT_DIR, `client-${name}.png`), fullPage: true });
}
