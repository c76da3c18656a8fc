import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApplianceObservation } from '../../main/alerts/observation';
import { silentLogger } from '../../main/core/log';
import { startServeHost, type ServeHost } from '../../main/hosts/serve/serve-host';
import { chromiumMissingReason, launchChromium } from '../helpers/browser';
import { CTX, makeConsole } from '../helpers/console-fixture';
import { ROOT } from '../helpers/serve-process';

const UI_DIR = path.join(ROOT, 'out/renderer');
const missing = chromiumMissingReason() ?? (fs.existsSync(path.join(UI_DIR, 'index.html')) ? null : 'the UI is not built (npm test builds it; or run npm run build)');
if (missing) console.warn(`[skip] alerts end-to-end tests skipped: ${missing}`);

const ARTIFACTS = path.join(ROOT, 'test-results');

/**
 * The alert centre in Debian's Chromium against the real headless host and UI build. The console
 * runs in this process, so the test feeds its alert service observations the way the collectors
 * do — no test-only API in the product — and checks the badge, the live update, acknowledging
 * with a note and silencing, once in Chinese.
 */
describe.skipIf(missing)('alerts in a browser', () => {
  const c = makeConsole('e2e-alerts');
  let host: ServeHost;
  let browser: Browser;
  let page: Page;
  let applianceId = '';

  const observe = (over: Partial<ApplianceObservation>) =>
    c.alerts.observe([
      {
        applianceId,
        name: 'edge-7',
        at: c.clock.now().getTime(),
        connectivity: { state: 'online', since: 0, reason: null },
        agent: { health: 'ok', services: [{ name: 'kodo', state: 'running', restarts: 0, flapping: false }] },
        metrics: { 'fs.used_percent{mount=/srv/disks/d1}': 40 },
        disks: [],
        ...over,
      },
    ]);

  beforeAll(async () => {
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    const added = await c.dispatcher.call('fleet.add', { name: 'edge-7', address: '10.30.0.7' }, CTX);
    if (!added.ok) throw new Error(added.error.message);
    applianceId = (added.result as { id: string }).id;
    host = await startServeHost({ dispatcher: c.dispatcher, events: c.events, log: silentLogger, staticDir: UI_DIR, host: '127.0.0.1', port: 0, actor: 'e2e (web)' });
    browser = await launchChromium();
    const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1366, height: 800 } });
    page = await context.newPage();
    page.on('pageerror', (err) => {
      throw err;
    });
  });
  afterAll(async () => {
    await browser?.close();
    await host?.close();
    c.cleanup();
  });

  const rows = () => page.getByTestId('alert-row');

  it('shows no badge while all is well, then a live badge when a disk fills', async () => {
    await page.goto(host.loginUrl);
    await page.getByTestId('nav-alerts').waitFor();
    expect(await page.getByTestId('alerts-badge').count()).toBe(0);

    observe({ metrics: { 'fs.used_percent{mount=/srv/disks/d1}': 97 } });
    c.clock.advance(61_000);
    observe({ metrics: { 'fs.used_percent{mount=/srv/disks/d1}': 97 } });
    // No reload: the alerts.changed event over the WebSocket brings the count.
    await expect.poll(() => page.getByTestId('alerts-badge').innerText(), { timeout: 10_000 }).toBe('1');
  });

  it('lists the alert with its severity and value, and acknowledges it with a note', async () => {
    await page.getByTestId('nav-alerts').click();
    await expect.poll(() => rows().count()).toBe(1);
    const text = await rows().first().innerText();
    expect(text).toContain('Filesystem filling up');
    expect(text).toContain('/srv/disks/d1');
    expect(text).toContain('97 % used (threshold 95 %)');
    expect(await rows().first().getByTestId('severity-critical').count()).toBe(1);

    await rows().first().getByTestId('alert-ack').click();
    await page.getByTestId('ack-note').fill('moving recordings to d2');
    await page.getByTestId('ack-submit').click();
    await expect.poll(() => rows().first().getByTestId('alert-state').innerText()).toBe('Acknowledged');
    await expect.poll(() => page.getByTestId('alerts-badge').count()).toBe(0);

    const listed = await c.dispatcher.call('alerts.list', {}, CTX);
    expect(listed.ok && (listed.result as { alerts: { acknowledged: { by: string; note: string } | null }[] }).alerts[0]!.acknowledged).toEqual(
      expect.objectContaining({ by: 'e2e (web) (serve)', note: 'moving recordings to d2' }),
    );
  });

  it('in Chinese: a new critical alert raises the badge, is silenced from the dialog, and the badge drops', async () => {
    await page.getByTestId('language-zh-CN').click();
    await expect.poll(() => page.getByTestId('nav-alerts').innerText()).toBe('告警');
    observe({ metrics: { 'fs.used_percent{mount=/srv/disks/d1}': 97 }, agent: { health: 'ok', services: [{ name: 'kodo', state: 'failed', restarts: 5, flapping: false }] } });
    c.clock.advance(61_000);
    observe({ metrics: { 'fs.used_percent{mount=/srv/disks/d1}': 97 }, agent: { health: 'ok', services: [{ name: 'kodo', state: 'failed', restarts: 5, flapping: false }] } });
    await expect.poll(() => page.getByTestId('alerts-badge').innerText(), { timeout: 10_000 }).toBe('1');
    const kodo = rows().filter({ hasText: '服务停止' });
    await expect.poll(() => kodo.count()).toBe(1);
    expect(await kodo.innerText()).toContain('状态 失败，已重启 5 次');
    expect(await kodo.getByTestId('severity-critical').innerText()).toBe('严重');

    await kodo.getByTestId('alert-silence').click();
    await page.getByTestId('silence-preset').getByText('4 小时').first().click();
    await page.getByTestId('silence-reason').fill('正在更换 kodo 配置');
    await page.getByTestId('silence-submit').click();
    await expect.poll(() => kodo.getByTestId('alert-silenced').innerText()).toBe('已静默');
    await expect.poll(() => page.getByTestId('alerts-badge').count()).toBe(0);
    await page.screenshot({ path: path.join(ARTIFACTS, 'alerts-zh-CN.png'), fullPage: true });

    await page.getByTestId('alerts-tab-silences').click();
    await expect.poll(() => page.getByTestId('silence-row').count()).toBe(1);
    expect(await page.getByTestId('silence-row').innerText()).toContain('正在更换 kodo 配置');
  });

  it('resolving moves the alerts to History, and the audit log has the system transitions', async () => {
    observe({});
    await page.getByTestId('alerts-tab-history').click();
    await expect.poll(() => rows().count(), { timeout: 10_000 }).toBe(2);
    expect(await rows().first().innerText()).toContain('条件已解除');
    const audit = await c.dispatcher.call('audit.list', { limit: 50 }, CTX);
    const methods = audit.ok ? (audit.result as { entries: { method: string; actor: string }[] }).entries.map((e) => `${e.actor}:${e.method}`) : [];
    expect(methods).toEqual(expect.arrayContaining(['system:alert.firing', 'system:alert.resolved', 'e2e (web):alerts.acknowledge', 'e2e (web):alerts.silence']));
  });
});
