import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestbed } from '../../appliance/testbed/testbed';
import { chromiumMissingReason, launchChromium } from '../helpers/browser';
import { diagnoseFailures } from '../helpers/e2e-diagnostics';
import { testProvisionRoot } from '../helpers/provision-resources';
import { ROOT, startServe, type ServeProcess } from '../helpers/serve-process';
import { makeTempDir } from '../helpers/temp-dir';
import { testbedPrefix } from '../helpers/testbed-prefix';

/** The UI build the host serves: out/renderer (npm test builds it), or another build named by the variable. */
const UI_DIR = process.env.APPLIANCE_CONSOLE_UI_DIR ?? path.join(ROOT, 'out/renderer');
const missing =
  chromiumMissingReason() ??
  (fs.existsSync(path.join(UI_DIR, 'index.html')) ? null : 'the UI is not built (npm test builds it)') ??
  (process.getuid?.() === 0 ? null : 'the testbed needs root (network namespaces)');
if (missing) console.warn(`[skip] storage page end-to-end test skipped: ${missing}`);

/**
 * Kodo on the Storage page as a person uses it, in Chromium against the built headless host and a
 * real testbed appliance (4 data disks) whose provisioning enabled the real Kodo: the layout chooser
 * with the planner's pick, initializing with its confirmation, a bucket created and browsed, an
 * access key whose secret is shown once and is gone when the dialog closes, and the key revoked.
 */
describe.skipIf(missing)('the Storage page manages Kodo on a testbed appliance', () => {
  const tb = createTestbed({ prefix: testbedPrefix('sk') });
  const tmp = makeTempDir('e2e-storage-kodo');
  let host: ServeProcess;
  let browser: Browser;
  let page: Page;
  let applianceId: string;
  diagnoseFailures('storage-page-kodo', () => ({ page, hostOutput: host?.output }));

  async function call<T>(method: string, input: unknown): Promise<T> {
    const r = await fetch(`${host.url}/api/call/${method}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${host.token}` },
      body: JSON.stringify(input),
    });
    const body = (await r.json()) as { ok: boolean; result?: T; error?: { message: string } };
    if (!body.ok) throw new Error(`${method}: ${body.error?.message ?? r.status}`);
    return body.result as T;
  }

  beforeAll(async () => {
    await tb.down();
    const m = (await tb.up({ appliances: 1, disks: 4, diskSize: '1G' })).machines[0]!;
    host = await startServe({ dataDir: path.join(tmp.dir, 'data'), uiDir: UI_DIR, env: { APPLIANCE_CONSOLE_RESOURCES: testProvisionRoot(tmp.dir) } });
    const { id } = await call<{ id: string }>('fleet.add', { name: 'sk-1', address: m.address, auth: { kind: 'private-key', privateKey: fs.readFileSync(m.rootKeyPath, 'utf8') } });
    applianceId = id;
    await call('onboarding.acceptHostKey', { id, fingerprint: m.hostKey.fingerprint });
    const run = await call<{ status: string; error: string | null }>('provision.install', { id });
    if (run.status !== 'succeeded') throw new Error(`provisioning failed: ${run.error}`);
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: { width: 1440, height: 1000 } })).newPage();
    await page.goto(host.loginUrl);
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await host?.stop();
    await tb.down();
    tmp.cleanup();
  });

  it('initializes Kodo from the layout chooser, after a confirmation that says it is for good', async () => {
    await page.goto(`${host.url}/#/storage`);
    // Kodo starts with the agent after provisioning; the page reads it again every 15 s, Refresh at once.
    await expect
      .poll(
        async () => {
          if (await page.getByTestId('kodo-layout-chooser').isVisible()) return 'chooser';
          await page.getByTestId('kodo-refresh').click();
          return page.getByTestId('kodo-section').innerText();
        },
        { timeout: 90_000, interval: 3000 },
      )
      .toBe('chooser');
    // 4 data disks: 3+1 and 2+2. Even 1 GB disks (rebuilt in 11 s) give 3+1 only 9 nines by the
    // planner's model, so 2+2 (17 nines) is the cheapest layout reaching the target of 11.
    // Until the agent's first inventory reaches the console the planner assumes large disks (and says
    // so); the figures follow the real 1 GB disks after a refresh.
    await expect
      .poll(
        async () => {
          const row = await page.getByTestId('kodo-layout-3+1').innerText();
          if (!/9\.0 nines/.test(row)) await page.getByTestId('kodo-refresh').click();
          return row;
        },
        { timeout: 60_000, interval: 2000 },
      )
      .toMatch(/9\.0 nines\s+Below target/);
    expect(await page.getByTestId('kodo-layout-2+2').innerText()).toMatch(/Recommended[\s\S]*17\.0 nines/);
    expect(await page.getByTestId('kodo-init').innerText()).toBe('Initialize as 2+2');
    await page.getByTestId('kodo-init').click();
    await page.getByText('This cannot be changed later.', { exact: false }).waitFor();
    await page.getByTestId('kodo-init-confirm').click();
    await page.getByTestId('kodo-layout').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('kodo-layout').innerText()).toBe('2+2');
    expect(await page.getByTestId('kodo-disks').locator('.ant-table-row').count()).toBe(4);
    expect(await page.getByTestId('kodo-endpoint').innerText()).toContain(':9000');
  });

  it('creates a bucket and browses it', async () => {
    await page.getByTestId('kodo-bucket-create-open').click();
    await page.getByTestId('kodo-bucket-name').fill('photos');
    await page.getByTestId('kodo-bucket-create').click();
    await page.getByTestId('kodo-bucket-browse-photos').waitFor({ timeout: 20_000 });
    await page.getByTestId('kodo-bucket-browse-photos').click();
    await expect.poll(() => page.getByTestId('kodo-objects').innerText(), { timeout: 20_000 }).toContain('Nothing here.');
  });

  it('uploads files into the folder shown and downloads them through the console, byte-identical, and a cancelled upload stores nothing', async () => {
    const file = path.join(tmp.dir, 'take-1.bin');
    const body = crypto.randomBytes(2 * 1024 * 1024 + 777);
    fs.writeFileSync(file, body);
    await page.getByTestId('kodo-upload-input').setInputFiles(file);
    const transfer = page.getByTestId('kodo-transfer');
    await expect.poll(() => transfer.first().getAttribute('data-state'), { timeout: 60_000 }).toBe('done');
    expect(await transfer.first().getByTestId('kodo-transfer-figures').innerText()).toMatch(/^2\.1 MB of 2\.1 MB/);
    await expect.poll(() => page.getByTestId('kodo-object-name').allInnerTexts(), { timeout: 20_000 }).toEqual(['take-1.bin']);

    const [download] = await Promise.all([page.waitForEvent('download', { timeout: 60_000 }), page.getByTestId('kodo-object-download').click()]);
    expect(download.suggestedFilename()).toBe('take-1.bin');
    const saved = path.join(tmp.dir, 'downloaded.bin');
    await download.saveAs(saved);
    expect(crypto.createHash('sha256').update(fs.readFileSync(saved)).digest('hex')).toBe(crypto.createHash('sha256').update(body).digest('hex'));

    // A large file, cancelled while it goes: listed as cancelled, and no object appears.
    const big = path.join(tmp.dir, 'big-take.bin');
    fs.writeFileSync(big, crypto.randomBytes(96 * 1024 * 1024));
    await page.getByTestId('kodo-upload-input').setInputFiles(big);
    const running = page.locator('[data-testid="kodo-transfer"][data-state="running"]');
    await running.waitFor({ timeout: 30_000 });
    await running.getByTestId('kodo-transfer-cancel').click();
    await expect.poll(() => transfer.last().getAttribute('data-state'), { timeout: 30_000 }).toBe('cancelled');
    const listing = await call<{ objects: { key: string }[] }>('kodo.listObjects', { applianceId, bucket: 'photos' });
    expect(listing.objects.map((o) => o.key)).toEqual(['take-1.bin']);
  });

  it('shows a new key’s secret once, and revokes the key after a confirmation', async () => {
    // The uploads above made Kodo's own "Presigned links" key (the console's requests are signed with it).
    const revoke = page.locator('[data-testid^="kodo-key-revoke-"]');
    const before = await revoke.evaluateAll((els) => els.map((e) => e.getAttribute('data-testid')));
    await page.getByTestId('kodo-key-create-open').click();
    await page.getByTestId('kodo-key-create').click();
    const secret = page.getByTestId('kodo-key-secret-value');
    await secret.waitFor({ timeout: 20_000 });
    const value = (await secret.innerText()).trim();
    expect(value.length).toBeGreaterThanOrEqual(16);
    await page.getByTestId('kodo-key-secret-done').click();
    await page.getByTestId('kodo-key-secret').waitFor({ state: 'detached' });
    expect(await page.content()).not.toContain(value);
    await expect.poll(() => revoke.count(), { timeout: 20_000 }).toBe(before.length + 1);
    const created = (await revoke.evaluateAll((els) => els.map((e) => e.getAttribute('data-testid')))).find((t) => !before.includes(t))!;
    await page.getByTestId(created).click();
    await page.locator('.ant-popconfirm .ant-btn-dangerous').click();
    await expect.poll(() => revoke.evaluateAll((els) => els.map((e) => e.getAttribute('data-testid'))), { timeout: 20_000 }).toEqual(before);
  });
});
