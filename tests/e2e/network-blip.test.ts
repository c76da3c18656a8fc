import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumMissingReason, launchChromium } from '../helpers/browser';
import { diagnoseFailures } from '../helpers/e2e-diagnostics';
import { ROOT, startServe, type ServeProcess } from '../helpers/serve-process';
import { makeTempDir } from '../helpers/temp-dir';

const missing = chromiumMissingReason() ?? (fs.existsSync(path.join(ROOT, 'out/renderer/index.html')) ? null : 'the UI is not built (npm test builds it; or run npm run build)');
if (missing) console.warn(`[skip] network-blip end-to-end test skipped: ${missing}`);

/**
 * A laptop that changes networks (Wi-Fi to a 5G hotspot, a VPN coming up) makes the browser fail
 * the requests in flight. A page whose code was being fetched then must load anyway, or at least
 * come back with Retry, in Debian's Chromium against the real headless host and UI build. The
 * failures are made by Playwright aborting the page chunk's request as the browser would.
 */
describe.skipIf(missing)('a page whose code fails to load', () => {
  const tmp = makeTempDir('e2e-blip');
  let host: ServeProcess;
  let browser: Browser;
  let page: Page;
  diagnoseFailures('network-blip', () => ({ page, hostOutput: host?.output }));

  /**
   * Fails requests for the Storage page's chunk: the next `times` of them, or every one until
   * `stop()`. Returns how many it failed (Vite's modulepreload link and the import itself both count).
   */
  async function failStorageChunk(times: number): Promise<{ failed: () => number; stop: () => void }> {
    let failed = 0;
    let limit = times;
    await page.unroute('**/assets/storage-page-*.js');
    await page.route('**/assets/storage-page-*.js', async (route) => {
      if (failed < limit) {
        failed += 1;
        await route.abort('internetdisconnected');
      } else await route.continue();
    });
    return { failed: () => failed, stop: () => (limit = failed) };
  }

  beforeAll(async () => {
    host = await startServe({ dataDir: path.join(tmp.dir, 'data') });
    browser = await launchChromium();
    page = await (await browser.newContext({ locale: 'en-US', viewport: { width: 1366, height: 800 } })).newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await host?.stop();
    tmp.cleanup();
  });

  it('loads the page anyway when its code fails once (fetched again after a moment)', async () => {
    await page.goto(host.loginUrl);
    await page.getByTestId('fleet-empty').waitFor();
    const blip = await failStorageChunk(1);
    await page.getByTestId('nav-storage').click();
    await page.getByTestId('ec-planner').waitFor({ timeout: 10_000 });
    expect(blip.failed()).toBe(1);
  });

  it('shows the page error when every attempt fails, and Retry then loads it', async () => {
    // A fresh document: the Storage chunk is not in its module map (and routing bypasses the HTTP cache).
    await page.goto(host.loginUrl);
    await page.getByTestId('fleet-empty').waitFor();
    const outage = await failStorageChunk(Number.MAX_SAFE_INTEGER);
    await page.getByTestId('nav-storage').click();
    const retry = page.getByRole('button', { name: 'Try again' });
    await retry.waitFor({ timeout: 10_000 });
    expect(await page.getByText('This page stopped working').count()).toBe(1);
    // The first try and three more, a moment apart.
    expect(outage.failed()).toBeGreaterThanOrEqual(4);
    outage.stop();
    await retry.click();
    await page.getByTestId('ec-planner').waitFor({ timeout: 10_000 });
  });
});
