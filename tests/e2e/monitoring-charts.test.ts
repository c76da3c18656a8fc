import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultFixturesDir } from '../../appliance/testbed/smart-fixtures';
import { createConsole, type ConsoleServices } from '../../main/compose';
import { manualClock, systemClock } from '../../main/core/clock';
import { silentLogger } from '../../main/core/log';
import { assessDisk, smartctlJson } from '../../main/health/smart-verdict';
import { defaultResources } from '../../main/provision/provisioner';
import { createKeyFileSecretBox } from '../../main/secrets/key-file-secret-box';
import { startServeHost, type ServeHost } from '../../main/hosts/serve/serve-host';
import { DAY_MS, HOUR_MS, MINUTE_MS, openTelemetryStore, TELEMETRY_FILE, type IncomingSample } from '../../main/telemetry/telemetry-store';
import { chromiumMissingReason, launchChromium } from '../helpers/browser';
import { CTX } from '../helpers/console-fixture';
import { reportDataDisks } from '../helpers/reported-data-disks';
import { ROOT } from '../helpers/serve-process';
import { makeTempDir } from '../helpers/temp-dir';

const UI_DIR = path.join(ROOT, 'out/renderer');
const FIXTURE = path.join(defaultFixturesDir(), 'ST3500418AS_11.json'); // judged "warning": reallocated sectors
const missing = chromiumMissingReason() ?? (fs.existsSync(path.join(UI_DIR, 'index.html')) ? null : 'the UI is not built (npm test builds it; or run npm run build)');
if (missing) console.warn(`[skip] monitoring charts end-to-end tests skipped: ${missing}`);

const ARTIFACTS = path.join(ROOT, 'test-results');
const TB = 1e12;
const GB = 1e9;

/** One appliance's metrics at time t (ms), hour h since the start of the year: smooth and plausible. */
function sampleAt(applianceId: string, t: number, h: number): IncomingSample[] {
  const s = (metric: string, v: number, labels?: Record<string, string>): IncomingSample => ({ series: labels ? { applianceId, metric, labels } : { applianceId, metric }, t, v });
  const daily = Math.sin((h / 24) * 2 * Math.PI);
  const out = [
    s('cpu.busy_percent', 35 + 20 * daily + ((h * 7) % 11)),
    s('load.1m', 1.5 + daily),
    s('memory.total_bytes', 64 * 2 ** 30),
    s('memory.used_bytes', (30 + 5 * daily) * 2 ** 30),
    s('net.rx_bytes_per_s', (40 + 30 * daily) * 2 ** 20, { nic: 'eth0' }),
    s('net.tx_bytes_per_s', (20 + 10 * daily) * 2 ** 20, { nic: 'eth0' }),
    s('disk.read_bytes_per_s', (80 + 40 * daily) * 2 ** 20, { disk: 'sdb' }),
    s('disk.write_bytes_per_s', (60 + 30 * daily) * 2 ** 20, { disk: 'sdb' }),
    s('disk.util_percent', 30 + 20 * daily, { disk: 'sdb' }),
    s('temp.celsius', 45 + 5 * daily, { sensor: 'coretemp/Package id 0' }),
  ];
  // Two 4 TB data disks filling steadily: 0.5 TB each at the start, +6 GB a day each.
  for (const mount of ['/srv/disks/d1', '/srv/disks/d2']) {
    const used = 0.5 * TB + (6 * GB * h) / 24;
    out.push(s('fs.size_bytes', 4 * TB, { mount }), s('fs.used_bytes', used, { mount }), s('fs.used_percent', (used / (4 * TB)) * 100, { mount }));
  }
  return out;
}

/**
 * Writes a year of hourly samples and the last day at one a minute into the data directory's
 * telemetry store through its public write path, the clock following the samples (as collectors
 * would have over the year), then closes it for the console to open.
 */
function seedTelemetry(dataDir: string, applianceId: string, end: number): number {
  const start = end - 365 * DAY_MS;
  const clock = manualClock(new Date(start));
  const store = openTelemetryStore({ dataDir, clock, log: silentLogger });
  let written = 0;
  try {
    const rawFrom = end - DAY_MS;
    for (let dayStart = start; dayStart < end; dayStart += DAY_MS) {
      const batch: IncomingSample[] = [];
      const step = dayStart >= rawFrom - DAY_MS ? MINUTE_MS : HOUR_MS;
      for (let t = dayStart; t < Math.min(end, dayStart + DAY_MS); t += step) batch.push(...sampleAt(applianceId, t, (t - start) / HOUR_MS));
      clock.set(new Date(Math.min(end, dayStart + DAY_MS)));
      written += store.ingest(batch).added;
    }
    store.tick();
  } finally {
    store.close();
  }
  return written;
}

/**
 * The overview charts, the disk table with its SMART drawer and the Storage page's capacity, in
 * Debian's Chromium against the real headless host and UI build, over a year of telemetry written
 * through the store's own write path and a disk judged from a recorded drive.
 */
describe.skipIf(missing)('monitoring charts in a browser', () => {
  const tmp = makeTempDir('e2e-charts');
  let c: ConsoleServices;
  let host: ServeHost;
  let browser: Browser;
  let page: Page;
  let applianceId = '';
  const open = () =>
    createConsole({ host: 'cli', dataDir: tmp.dir, secretBox: createKeyFileSecretBox, clock: systemClock, log: silentLogger, osLocale: 'en-US', provisionResources: defaultResources(ROOT), watchFleet: false });

  beforeAll(async () => {
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    // The appliance first (its id names the series), then the year of history, then the console for good.
    const first = open();
    const added = await first.dispatcher.call('fleet.add', { name: 'edge-charts', address: '10.31.0.7' }, CTX);
    first.close();
    // A fresh telemetry file, so the year is written in time order as collectors would have.
    for (const suffix of ['', '-wal', '-shm']) fs.rmSync(path.join(tmp.dir, TELEMETRY_FILE + suffix), { force: true });
    if (!added.ok) throw new Error(added.error.message);
    applianceId = (added.result as { id: string }).id;
    const t0 = performance.now();
    const written = seedTelemetry(tmp.dir, applianceId, Math.floor(Date.now() / MINUTE_MS) * MINUTE_MS - MINUTE_MS);
    console.log(`[charts e2e] seeded ${written.toLocaleString('en')} samples (a year hourly + the last day per minute) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    c = open();
    // The agent reports its two data disks (what capacity counts), as its inventory.v1 would.
    reportDataDisks(c.db, applianceId, [{ device: 'sdb', mountpoint: '/srv/disks/d1', sizeBytes: 4 * TB }, { device: 'sdc', mountpoint: '/srv/disks/d2', sizeBytes: 4 * TB }], new Date().toISOString());
    const parsed = smartctlJson.parse(JSON.parse(fs.readFileSync(FIXTURE, 'utf8')));
    const health = assessDisk(parsed);
    const now = Date.now();
    c.monitoring.disks.replaceAll(applianceId, [
      {
        applianceId,
        device: '/dev/sdb',
        verdict: health.verdict,
        reasons: health.reasons,
        identity: { ...health.device },
        metrics: { ...health.metrics },
        selfTests: { inProgress: null, log: [{ type: 'Short offline', status: 'Completed without error', passed: true, lifetimeHours: 1200 }], requests: [], nextShortAt: null, nextLongAt: null },
        history: Array.from({ length: 10 }, (_, i) => ({ time: new Date(now - (10 - i) * DAY_MS).toISOString(), temperatureCelsius: 38 + (i % 3), reallocatedSectors: i, pendingSectors: 0 })),
        smartctl: parsed,
        error: null,
        readAt: new Date(now).toISOString(),
        judgedAt: new Date(now).toISOString(),
      },
    ]);
    host = await startServeHost({ dispatcher: c.dispatcher, events: c.events, log: silentLogger, staticDir: UI_DIR, host: '127.0.0.1', port: 0, actor: 'e2e (web)' });
    browser = await launchChromium();
    const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1400, height: 900 } });
    page = await context.newPage();
    page.on('pageerror', (err) => {
      throw err;
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await host?.close();
    await c?.close();
    tmp.cleanup();
  });

  const cpu = () => page.getByTestId('chart-cpu');

  it('draws the overview with units on the axis and the resolution named', async () => {
    await page.goto(host.loginUrl);
    await page.goto(`${new URL(host.loginUrl).origin}/#/fleet/${applianceId}`);
    await page.getByTestId('tab-charts').waitFor();
    await expect.poll(() => cpu().getByTestId('chart-cpu-chart').getAttribute('data-state'), { timeout: 20_000 }).toBe('drawn');
    expect(await cpu().getAttribute('data-resolution')).toBe('1m');
    expect(await cpu().getByTestId('chart-resolution').innerText()).toBe('1-minute averages');
    const ticks = await cpu().locator('.recharts-yAxis-tick-labels .recharts-cartesian-axis-tick-value').allTextContents();
    expect(ticks, `CPU y-axis ticks ${JSON.stringify(ticks)}`).toContainEqual(expect.stringMatching(/ %$/));
    const memTicks = await page.getByTestId('chart-memory').locator('.recharts-yAxis-tick-labels .recharts-cartesian-axis-tick-value').allTextContents();
    expect(memTicks.some((x) => /GiB$/.test(x))).toBe(true);
    expect(await page.getByTestId('chart-fs').innerText()).toContain('/srv/disks/d1');
  });

  it('switches to a year: the chart redraws from 1-hour rollups (time from click to drawn is printed)', async () => {
    const t0 = await page.evaluate(() => performance.now());
    await page.getByTestId('range-1y').click();
    // Measured in the page: from the click until the CPU chart shows 1-hour points and is not loading.
    const drawnAt = await page.waitForFunction(
      () => {
        const card = document.querySelector('[data-testid="chart-cpu"]');
        const chart = document.querySelector('[data-testid="chart-cpu-chart"]');
        return card?.getAttribute('data-resolution') === '1h' && card.getAttribute('data-loading') === 'false' && chart?.getAttribute('data-state') === 'drawn' ? performance.now() : false;
      },
      null,
      { timeout: 30_000, polling: 'raf' },
    );
    const ms = (await drawnAt.jsonValue()) as number;
    console.log(`[charts e2e] 1-year range: click → CPU chart drawn in ${(ms - t0).toFixed(0)} ms (8 charts, ${await cpu().getByTestId('chart-cpu-chart').getAttribute('data-points')} points drawn of 8,760 hourly)`);
    expect(await cpu().getByTestId('chart-resolution').innerText()).toBe('1-hour averages');
    await page.screenshot({ path: path.join(ARTIFACTS, 'charts-1y.png'), fullPage: true });
  });

  it('lists the disk with its verdict, and the drawer opens with the reasons', async () => {
    await page.getByTestId('tab-disks').click();
    const row = page.getByTestId('disk-row');
    await expect.poll(() => row.count(), { timeout: 10_000 }).toBe(1);
    expect(await row.getByTestId('disk-verdict').innerText()).toBe('Warning');
    expect(await row.innerText()).toContain('ST3500418AS');
    await row.click();
    const drawer = page.getByTestId('disk-drawer');
    await expect.poll(() => drawer.getByTestId('disk-reasons').innerText(), { timeout: 10_000 }).toContain('reallocated');
    expect(await drawer.getByTestId('disk-trend').count()).toBeGreaterThan(0);
    await page.keyboard.press('Escape');
  });

  it('shows days until full on the Storage page for the steadily growing disks', async () => {
    await page.goto(`${new URL(host.loginUrl).origin}/#/storage`);
    const full = page.getByTestId('fleet-capacity-summary').getByTestId('until-full');
    await expect.poll(() => full.innerText(), { timeout: 20_000 }).toMatch(/^In [\d,]+ days/);
    expect(await page.getByTestId('capacity-row').count()).toBe(1);
    expect(await page.getByTestId('capacity-chart').getAttribute('data-state')).toBe('drawn');
    await page.screenshot({ path: path.join(ARTIFACTS, 'storage-capacity.png'), fullPage: true });
  });

  it('in Chinese: the capacity card and its days until full read zh-CN', async () => {
    await page.getByTestId('language-zh-CN').click();
    const full = page.getByTestId('fleet-capacity-summary').getByTestId('until-full');
    await expect.poll(() => full.innerText(), { timeout: 10_000 }).toMatch(/^[\d,]+ 天后/);
    expect(await page.getByTestId('fleet-capacity').innerText()).toContain('集群容量');
  });
});
