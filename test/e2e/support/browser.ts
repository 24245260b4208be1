// Debian's chromium driven by playwright-core: nothing downloads a browser.
import { type Browser, type BrowserContext, chromium } from 'playwright-core';

import { CHROMIUM } from './paths';

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/**
 * A browser context whose frames understand the functions these tests pass to `evaluate`: tsx
 * compiles them with esbuild's keepNames, which wraps named functions in `__name(fn, "name")`, a
 * helper that exists only in Node. The shim is added to every frame (webview iframes too).
 */
export async function newContext(browser: Browser, viewport = { width: 1400, height: 900 }): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport });
  await context.addInitScript({ content: 'globalThis.__name = globalThis.__name || ((fn) => fn);' });
  return context;
}
