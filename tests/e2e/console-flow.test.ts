import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumMissingReason, launchChromium } from '../helpers/browser';
import { ROOT, startServe, type ServeProcess } from '../helpers/serve-process';
import { makeTempDir } from '../helpers/temp-dir';
import { diagnoseFailures } from '../helpers/e2e-diagnostics';

const missing = chromiumMissingReason() ?? (fs.existsSync(path.join(ROOT, 'out/renderer/index.html')) ? null : 'the UI is not built (npm test builds it; or run npm run build)');
if (missing) console.warn(`[skip] browser end-to-end tests skipped: ${missing}`);

const ARTIFACTS = path.join(ROOT, 'test-results');

/**
 * A person's first minutes with the console, in Debian's Chromium against the real headless host
 * and the real UI build: open it, switch to Chinese, add an appliance (with a mistake first), see it,
 * reload, edit it, remove it.
 */
describe.skipIf(missing)('console in a browser', () => {
  const tmp = makeTempDir('e2e');
  let host: ServeProcess;
  let browser: Browser;
  let page: Page;
  diagnoseFailures('console-flow', () => ({ page, hostOutput: host?.output }));

  beforeAll(async () => {
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    host = await startServe({ dataDir: path.join(tmp.dir, 'data') });
    browser = await launchChromium();
    const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1366, height: 800 } });
    page = await context.newPage();
    page.on('pageerror', (err) => {
      throw err;
    });
  });
  afterAll(async () => {
    await browser?.close();
    await host?.stop();
    tmp.cleanup();
  });

  const rows = () => page.getByTestId('fleet-row');

  it('opens on the Fleet page in the browser language, with an empty state', async () => {
    await page.goto(host.loginUrl);
    await expect.poll(() => page.url()).toMatch(/#\/fleet$/);
    await page.getByTestId('fleet-empty').waitFor();
    expect(await page.getByTestId('nav-fleet').innerText()).toMatch(/Fleet/);
    expect(await page.evaluate(() => performance.getEntriesByName('fleet-rendered').length)).toBe(1);
  });

  it('switches to 中文 and shows no English interface text', async () => {
    await page.getByTestId('language-zh-CN').click();
    await expect.poll(() => page.getByTestId('nav-fleet').innerText()).toBe('设备管理');
    expect(await page.title()).toMatch(/[\u4e00-\u9fff]/);
    const text = await page.locator('body').innerText();
    // Product and format names (CDN, Dora, 5G, CSV, the Fleet table's CPU column) and the language switcher's own "EN" stay as they are.
    const english = (text.match(/[A-Za-z]{3,}/g) ?? []).filter((w) => !['CDN', 'CSV', 'Dora', 'SSH', 'CPU'].includes(w));
    expect(english).toEqual([]);
  });

  it('validates input inline before sending, then shows a server-side conflict on the field', async () => {
    await page.getByTestId('fleet-empty-add').click();
    await page.getByTestId('appliance-name').fill('存储一体机-01');
    await page.getByTestId('appliance-address').fill('not an address');
    await page.getByTestId('appliance-submit').click();
    const addressError = page.locator('#appliance-form_address_help, .ant-form-item-explain-error').first();
    await addressError.waitFor();
    expect(await addressError.innerText()).toMatch(/[\u4e00-\u9fff]/);

    await page.getByTestId('appliance-address').fill('10.20.0.11');
    await page.getByTestId('appliance-port').fill('2222');
    await page.getByTestId('appliance-submit').click();
    await expect.poll(() => rows().count()).toBe(1);
    expect(await rows().first().innerText()).toContain('存储一体机-01');

    // The same endpoint again: the server refuses it, and says so under the address.
    await page.getByTestId('fleet-add').click();
    await page.getByTestId('appliance-name').fill('dup');
    await page.getByTestId('appliance-address').fill('10.20.0.11');
    await page.getByTestId('appliance-port').fill('2222');
    await page.getByTestId('appliance-submit').click();
    await expect.poll(() => page.locator('.ant-form-item-explain-error').allInnerTexts()).toEqual(expect.arrayContaining([expect.stringContaining('存储一体机-01')]));
    await page.getByTestId('appliance-cancel').click();
    await expect.poll(() => rows().count()).toBe(1);
  });

  it('keeps the appliance and the language after a reload', async () => {
    await page.reload();
    await expect.poll(() => rows().count()).toBe(1);
    expect(await rows().first().innerText()).toContain('存储一体机-01');
    expect(await page.getByTestId('nav-fleet').innerText()).toBe('设备管理');
    await page.screenshot({ path: path.join(ARTIFACTS, 'fleet-zh-CN.png'), fullPage: true });
  });

  it('edits and removes the appliance, and every change is in the audit log', async () => {
    await rows().first().getByTestId('appliance-edit').click();
    await page.getByTestId('appliance-port').fill('22');
    await page.getByTestId('appliance-submit').click();
    await expect.poll(() => rows().first().innerText()).toMatch(/10\.20\.0\.11:22(?!22)/);

    await rows().first().getByTestId('appliance-remove').click();
    await page.getByTestId('remove-confirm').click();
    await page.getByTestId('fleet-empty').waitFor();

    const audit = await page.evaluate(async () => {
      const r = await fetch('/api/call/audit.list', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"limit":50}' });
      return ((await r.json()) as { result: { entries: { method: string; result: string }[] } }).result.entries.map((e) => `${e.method}:${e.result}`);
    });
    expect(audit).toEqual(expect.arrayContaining(['fleet.add:ok', 'fleet.add:error', 'fleet.update:ok', 'fleet.remove:ok', 'settings.update:ok']));
  });

  it('works in English too, and in the dark theme', async () => {
    await page.getByTestId('language-en').click();
    await expect.poll(() => page.getByTestId('nav-fleet').innerText()).toMatch(/Fleet/);
    await page.getByTestId('theme-dark').click();
    await page.getByTestId('fleet-empty-add').click();
    await page.getByTestId('appliance-name').fill('box-1');
    await page.getByTestId('appliance-address').fill('box1.site');
    await page.getByTestId('appliance-role').click();
    await page.getByTestId('appliance-role-smartbox').click();
    await page.getByTestId('appliance-submit').click();
    await expect.poll(() => rows().count()).toBe(1);
    await page.screenshot({ path: path.join(ARTIFACTS, 'fleet-en-dark.png'), fullPage: true });
  });

  it('shows a change made elsewhere (a script with the token) without a reload, over the event socket', async () => {
    const r = await fetch(`${host.url}/api/call/fleet.add`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${host.token}` },
      body: JSON.stringify({ name: 'from-a-script', address: '10.99.0.1' }),
    });
    expect(r.status).toBe(200);
    await expect.poll(() => rows().count(), { timeout: 5000 }).toBe(2);
    expect(await page.getByTestId('connection-offline').count()).toBe(0);
  });

  it('shows a change made by the CLI, another process on the same data directory, within seconds', async () => {
    const r = spawnSync(process.execPath, [path.join(ROOT, 'scripts/appliance-console.mjs'), 'fleet', 'add', '--name', 'from-the-cli', '--address', '10.99.0.2', '--data-dir', path.join(tmp.dir, 'data')], {
      encoding: 'utf8',
    });
    expect(r.status, r.stderr).toBe(0);
    await expect.poll(() => rows().count(), { timeout: 10_000 }).toBe(3);
  });

  it('imports appliances from pasted CSV, all or none, naming the CSV line at fault', async () => {
    await page.getByTestId('fleet-import').click();
    await page.getByTestId('import-text').fill('name,address,role,tags\nsite-1,10.77.0.1,server,hall-1\nsite-2,10.99.0.2,smartbox,hall-1;mobile\n');
    await expect.poll(() => page.getByTestId('import-count').innerText()).toMatch(/2/);
    await page.getByTestId('import-submit').click();
    const error = page.getByTestId('import-error');
    await error.waitFor();
    expect(await error.innerText()).toMatch(/Line 3/);
    expect(await rows().count()).toBe(3);

    await page.getByTestId('import-text').fill('name,address,role,tags\nsite-1,10.77.0.1,server,hall-1\nsite-2,10.77.0.2,smartbox,hall-1;mobile\n');
    await page.getByTestId('import-submit').click();
    await expect.poll(() => rows().count()).toBe(5);
  });

  it('plans erasure coding on the Storage page: the 1.10 class appears once there are disks for it', async () => {
    await page.getByTestId('nav-storage').click();
    await page.getByTestId('ec-planner').waitFor();
    const planRows = page.getByTestId('planner-row');
    await expect.poll(() => planRows.count()).toBeGreaterThan(3);
    expect(await page.getByTestId('ec-planner').innerText()).toContain('10+2');
    expect(await page.getByTestId('ec-planner').innerText()).not.toContain('20+2');
    await page.getByTestId('planner-disks').fill('24');
    await expect.poll(() => page.getByTestId('ec-planner').innerText()).toMatch(/20\+2\s+1\.1\s/);
    await page.screenshot({ path: path.join(ARTIFACTS, 'ec-planner-en-dark.png'), fullPage: true });
  });
});
