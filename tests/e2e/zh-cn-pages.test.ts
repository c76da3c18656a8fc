import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestbedStatus } from '../../appliance/testbed/state';
import { createTestbed } from '../../appliance/testbed/testbed';
import { chromiumMissingReason, launchChromium } from '../helpers/browser';
import { diagnoseFailures } from '../helpers/e2e-diagnostics';
import { latinRuns } from '../helpers/latin-runs';
import { testProvisionRoot } from '../helpers/provision-resources';
import { ROOT, startServe, type ServeProcess } from '../helpers/serve-process';
import { makeTempDir } from '../helpers/temp-dir';
import { testbedPrefix } from '../helpers/testbed-prefix';

const missing =
  chromiumMissingReason() ??
  (fs.existsSync(path.join(ROOT, 'out/renderer/index.html')) ? null : 'the UI is not built (npm test builds it)') ??
  (process.getuid?.() === 0 ? null : 'the testbed needs root (network namespaces)');
if (missing) console.warn(`[skip] zh-CN pages end-to-end test skipped: ${missing}`);

const ARTIFACTS = path.join(ROOT, 'test-results');
/** What a reinstall looks like from the console: another key accepted for the machine's endpoint. */
const OLD_KEY = 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

/**
 * The demo as a Chinese reader sees it: four testbed machines — one online with worn disks, one
 * provisioned and then cut off the network, one registered but never provisioned, one whose host
 * key changed — and every page and tab of the console in zh-CN (Fleet, each appliance with its
 * charts, disks and a disk drawer, the connection test and provisioning dialogs, Alerts, Storage
 * with what-if, Settings and the pages not built yet). Any run of two or more Latin words that is
 * not a name, unit, address, fingerprint or product term fails the test, listed with its page.
 */
describe.skipIf(missing)('every page in 简体中文, against testbed machines like the demo', () => {
  const tb = createTestbed({ prefix: testbedPrefix('zh') });
  const tmp = makeTempDir('e2e-zh-cn');
  const dataDir = path.join(tmp.dir, 'data');
  const env = { APPLIANCE_CONSOLE_RESOURCES: testProvisionRoot(tmp.dir) };
  let status: TestbedStatus;
  let host: ServeProcess;
  let browser: Browser;
  let page: Page;
  diagnoseFailures('zh-cn-pages', () => ({ page, hostOutput: host?.output }));
  /** By machine: a1 online, a2 offline (network down), a3 not provisioned, a4 host key changed. */
  const ids: string[] = [];
  const names = new Set<string>();
  const offenders: string[] = [];

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

  /** The names the machines report (hostnames, OS, CPU, devices, NICs, disk models): Latin in Chinese too. */
  async function collectNames(id: string): Promise<void> {
    const inv = await call<{ inventory: null | Record<string, unknown> & { hostname: string; os: Record<string, string | null>; cpu: Record<string, unknown>; blockDevices: Record<string, unknown>[]; filesystems: Record<string, unknown>[]; network: Record<string, unknown>[] } }>('status.inventory', { id });
    const add = (...values: unknown[]) => values.forEach((v) => typeof v === 'string' && names.add(v));
    if (inv.inventory) {
      const i = inv.inventory;
      add(i.hostname, i.os.distro, i.os.release, i.os.codename, i.os.kernel, i.os.arch, i.os.platform, i.cpu.model, i.cpu.manufacturer);
      if (i.os.distro && i.os.release) add(`${i.os.distro} ${i.os.release}`);
      for (const b of i.blockDevices) add(b.name, b.path, b.model, b.serial, b.label, b.fsType, b.type, b.mountpoint);
      for (const f of i.filesystems) add(f.source, f.fsType, f.mountpoint);
      for (const n of i.network) add(n.name, n.mac);
    }
    const disks = await call<{ disks: { device: string; identity: Record<string, string | null> }[] }>('disks.list', { applianceId: id });
    for (const d of disks.disks) add(d.device, d.identity.model, d.identity.serial, d.identity.firmware, d.identity.protocol, [d.identity.model, d.identity.serial, d.identity.firmware].filter(Boolean).join(' · '));
    const statuses = await call<{ statuses: { services: { name: string; user: string | null }[] | null; agent: { version: string } | null }[] }>('status.list', { ids: [id] });
    for (const s of statuses.statuses) {
      for (const svc of s.services ?? []) add(svc.name, svc.user);
      add(s.agent?.version);
    }
  }

  /** Reads what is on screen now and records every Latin run with where it was seen. */
  async function look(where: string): Promise<void> {
    // Let queries settle and late texts (reasons, charts) arrive.
    await page.waitForTimeout(600);
    const text = await page.evaluate(() => document.body.innerText);
    for (const run of latinRuns(text, { names })) offenders.push(`${where}: “${run}”`);
  }

  async function open(hash: string, ready: string): Promise<void> {
    await page.goto(`${host.url}/${hash}`);
    await page.getByTestId(ready).first().waitFor({ timeout: 20_000 });
  }

  beforeAll(async () => {
    const t0 = performance.now();
    const step = (what: string) => console.log(`[zh-cn e2e] ${((performance.now() - t0) / 1000).toFixed(1)} s: ${what}`);
    await tb.down();
    status = await tb.up({ appliances: 4, disks: 2, smartProfile: 'mixed' });
    step('testbed up');
    host = await startServe({ dataDir, env });
    for (const m of status.machines) {
      const a = await call<{ id: string }>('fleet.add', { name: m.name, address: m.address, auth: { kind: 'private-key', privateKey: fs.readFileSync(m.rootKeyPath, 'utf8') } });
      await call('onboarding.acceptHostKey', { id: a.id, fingerprint: m.hostKey.fingerprint });
      ids.push(a.id);
      names.add(m.name).add(m.hostname).add(m.address);
    }
    // An offline machine alerts at once (the default waits 2 minutes), so Alerts has one to show.
    await call('alerts.updateRule', { id: 'appliance-offline', durationSeconds: 0 });
    await call('settings.update', { locale: 'zh-CN' });
    const runs = await Promise.all(ids.slice(0, 2).map((id) => call<{ status: string; error: string | null }>('provision.install', { id })));
    for (const r of runs) expect(r.status, r.error ?? '').toBe('succeeded');
    step('a1 and a2 provisioned');
    // a2 goes offline only once its agent has answered the watch: its Health card then has a last report to show as stale.
    for (let tries = 0; tries < 40; tries++) {
      const seen = (await call<{ statuses: { agentSeenAt: string | null }[] }>('status.list', { ids: [ids[1]] })).statuses[0]?.agentSeenAt;
      if (seen) break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    step('a2 answered the watch');
    // The console stops before a2's network goes down: stopped after, it waited minutes on the
    // pooled connection to the unreachable machine (reported to the connectivity owner).
    await host.stop();
    await tb.fault(status.machines[1]!.name, 'net-down');
    // a4's host key "changes": the console had accepted another one for its endpoint.
    const db = new Database(path.join(dataDir, 'console.sqlite'));
    db.prepare('UPDATE known_host_keys SET fingerprint = ? WHERE address = ?').run(OLD_KEY, status.machines[3]!.address);
    db.close();
    host = await startServe({ dataDir, env });
    step('a4 host key changed, console restarted');
    for (const id of ids) await collectNames(id);
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' })).newPage();
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    await page.goto(host.loginUrl);
    step('browser ready');
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await host?.stop();
    await tb.down();
    tmp.cleanup();
  });

  const row = (name: string) => page.locator('[data-testid="fleet-row"]', { has: page.locator('[data-testid="fleet-row-name"]', { hasText: name }) });

  it('shows the fleet with each machine’s state in Chinese, headers and states whole at 1,440 px', async () => {
    await open('#/fleet', 'fleet-table');
    const state = (i: number) => row(status.machines[i]!.name).getByTestId('fleet-status').getAttribute('data-state');
    await expect.poll(() => state(0), { timeout: 40_000 }).toBe('online');
    await expect.poll(() => state(1), { timeout: 40_000 }).toBe('offline');
    await expect.poll(() => state(2), { timeout: 40_000 }).toBe('not-provisioned');
    // Never provisioned, and its key changed: not an availability alarm, the reason says why SSH fails.
    await expect.poll(() => state(3), { timeout: 40_000 }).toBe('not-provisioned');
    // The monitoring columns: a1's CPU and data disks from its samples, a2's offline alert.
    const a1 = row(status.machines[0]!.name);
    await expect.poll(() => a1.getByTestId('fleet-cpu').innerText(), { timeout: 40_000 }).toMatch(/^\d+ %$/);
    await expect.poll(() => a1.getByTestId('fleet-data-disks').innerText(), { timeout: 40_000 }).toMatch(/^\d+ %$/);
    await expect.poll(() => row(status.machines[1]!.name).getByTestId('fleet-alerts').getAttribute('data-count'), { timeout: 40_000 }).not.toBe('0');
    await look('Fleet');
    // Nothing in the header row or the status cells is cut off with an ellipsis.
    const cut = await page.evaluate(() =>
      [...document.querySelectorAll('[role="columnheader"] span, [data-testid="fleet-status"] span')]
        .filter((e) => e.scrollWidth > e.clientWidth + 1)
        .map((e) => (e as HTMLElement).innerText),
    );
    expect(cut, `truncated at 1,440 px: ${JSON.stringify(cut)}`).toEqual([]);
    const sideways = await page.getByTestId('fleet-table-scroll').evaluate((e) => e.scrollWidth - e.clientWidth);
    expect(sideways, 'the Fleet table scrolls sideways at 1,440 px').toBeLessThanOrEqual(0);
    await page.screenshot({ path: path.join(ARTIFACTS, 'zh-fleet-1440.png') });
  });

  it('words each appliance page in Chinese: header, health, inventory, services, events, charts, disks and a disk drawer', async () => {
    for (const [i, id] of ids.entries()) {
      const m = status.machines[i]!;
      await open(`#/fleet/${id}`, 'appliance-page');
      await page.getByTestId('appliance-inventory').waitFor();
      // Only a machine whose agent answers the current check may look healthy.
      await expect.poll(() => page.getByTestId('appliance-health').getAttribute('data-freshness'), { timeout: 20_000 }).toBe(['current', 'stale', 'not-provisioned', 'not-provisioned'][i]);
      if (i > 0) expect(await page.getByTestId('health-ok').count(), `${m.name}: green health while ${i === 1 ? 'offline' : 'not provisioned'}`).toBe(0);
      await look(`${m.name} (appliance page)`);
      await page.getByTestId('inventory-refresh').click();
      await expect.poll(() => page.getByTestId('inventory-refresh').getAttribute('class'), { timeout: 30_000 }).not.toMatch(/loading/);
      await look(`${m.name} (inventory refreshed)`);
      await page.getByTestId('tab-disks').click();
      await look(`${m.name} (disks tab)`);
      const disk = page.getByTestId('disk-row').first();
      if ((await disk.count()) > 0) {
        await disk.click();
        await page.getByTestId('disk-drawer').waitFor();
        // Every trend has its axes; temperature is plotted from the SMART readings (the testbed's drives report it).
        for (const trend of ['sectors', 'temperature', 'endurance']) {
          const chart = page.getByTestId(`disk-trend-${trend}`);
          await chart.waitFor({ timeout: 15_000 });
          expect(await chart.locator('.recharts-xAxis').count(), `${trend} has no axes`).toBe(1);
          expect(['drawn', 'empty']).toContain(await chart.getAttribute('data-state'));
        }
        if (i === 0) await expect.poll(() => page.getByTestId('disk-trend-temperature').getAttribute('data-state'), { timeout: 15_000 }).toBe('drawn');
        await look(`${m.name} (disk drawer)`);
        if (i === 0) await page.screenshot({ path: path.join(ARTIFACTS, 'zh-disk-drawer.png') });
        await page.keyboard.press('Escape');
      }
    }
    await page.screenshot({ path: path.join(ARTIFACTS, 'zh-appliance.png'), fullPage: true });
  });

  it('words the connection test and the provisioning of a machine whose host key changed in Chinese', async () => {
    await open(`#/fleet/${ids[3]}`, 'appliance-page');
    await page.getByTestId('appliance-test-connection').click();
    await page.getByTestId('connection-failure').waitFor({ timeout: 20_000 });
    // Old and new fingerprints side by side, with the action to trust the new one.
    const inTest = page.getByTestId('connection-dialog').getByTestId('host-key-changed');
    expect(await inTest.getByTestId('host-key-accepted').innerText()).toBe(OLD_KEY);
    expect(await inTest.getByTestId('host-key-presented').innerText()).toBe(status.machines[3]!.hostKey.fingerprint);
    await look('a4 connection test (host key changed)');
    await page.getByTestId('connection-close').click();
    await page.getByTestId('detail-provision').click();
    await page.getByTestId('provision-failed').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('provision-failed').getAttribute('data-code')).toBe('ssh.host-key-changed');
    expect(await page.getByTestId('provision-dialog').getByTestId('host-key-presented').innerText()).toBe(status.machines[3]!.hostKey.fingerprint);
    await look('a4 provisioning (host key changed)');
    await page.getByTestId('provision-close').click();
  });

  it('words Alerts, Storage with what-if, Settings and the pages not built yet in Chinese', async () => {
    await open('#/alerts', 'alerts-tab-active');
    await expect.poll(() => page.locator('[data-testid="alert-row"], .ant-table-row').count(), { timeout: 30_000 }).toBeGreaterThan(0);
    await look('Alerts (active)');
    for (const tab of ['silences', 'rules', 'history']) {
      await page.getByTestId(`alerts-tab-${tab}`).click();
      await look(`Alerts (${tab})`);
    }
    await open('#/storage', 'what-if');
    await page.getByTestId('what-if-count').fill('2');
    // The fleet has no single layout (each appliance its own, as the table shows): said, not "—".
    await expect.poll(() => page.getByTestId('what-if-after-layout').innerText(), { timeout: 20_000 }).toBe('按各设备自身（见上表）');
    await look('Storage (what-if)');
    await open('#/settings', 'settings-page');
    await look('Settings');
    for (const nav of ['cdn', 'streaming', 'production', 'dora', 'reports']) {
      await page.goto(`${host.url}/#/${nav}`);
      await page.waitForTimeout(300);
      await look(`${nav} (not built)`);
    }
  });

  it('trusts a changed host key from the appliance page: both fingerprints, a confirmation, an audited call', async () => {
    const m = status.machines[3]!;
    await open(`#/fleet/${ids[3]}`, 'appliance-page');
    const panel = page.getByTestId('host-key-changed');
    await panel.waitFor({ timeout: 20_000 });
    expect(await panel.getByTestId('host-key-accepted').innerText()).toBe(OLD_KEY);
    expect(await panel.getByTestId('host-key-presented').innerText()).toBe(m.hostKey.fingerprint);
    await panel.getByTestId('host-key-trust').click();
    // The confirmation says to compare it on the machine's own console, with the fingerprint to expect.
    const confirm = page.locator('.ant-modal-confirm');
    await confirm.waitFor();
    expect(await confirm.innerText()).toContain(m.hostKey.fingerprint);
    expect(await confirm.innerText()).toContain('ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub');
    await page.getByTestId('host-key-trust-confirm').click();
    await expect.poll(() => panel.count(), { timeout: 30_000 }).toBe(0);
    const audit = await call<{ entries: { method: string; result: string }[] }>('audit.list', { limit: 20 });
    expect(audit.entries.find((e) => e.method === 'onboarding.acceptHostKey')?.result).toBe('ok');
  });

  it('finds no English sentence on any of them', () => {
    expect(offenders, `English in zh-CN screens:\n${offenders.join('\n')}`).toEqual([]);
  });
});
