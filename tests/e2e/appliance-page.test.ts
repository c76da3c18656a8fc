import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestbed } from '../../appliance/testbed/testbed';
import { verifyBundle } from '../../main/support/bundle-file';
import type { TestbedStatus } from '../../appliance/testbed/state';
import { chromiumMissingReason, launchChromium } from '../helpers/browser';
import { testProvisionRoot } from '../helpers/provision-resources';
import { ROOT, startServe, type ServeProcess } from '../helpers/serve-process';
import { makeTempDir } from '../helpers/temp-dir';
import { diagnoseFailures } from '../helpers/e2e-diagnostics';
import { addPlainServices, loopbackWebService } from '../helpers/machine-shell';
import { testbedPrefix } from '../helpers/testbed-prefix';

const missing =
  chromiumMissingReason() ??
  (fs.existsSync(path.join(ROOT, 'out/renderer/index.html')) ? null : 'the UI is not built (npm test builds it)') ??
  (process.getuid?.() === 0 ? null : 'the testbed needs root (network namespaces)');
if (missing) console.warn(`[skip] appliance page end-to-end test skipped: ${missing}`);

const ARTIFACTS = path.join(ROOT, 'test-results');

/**
 * The fleet watch as a person sees it, in Chromium against the built headless host and two real
 * testbed machines: status and agent version in the Fleet table, the Appliance page (agent,
 * inventory, services, events), an agent killed on the machine showing up as a restart event on
 * its own (the host's 10 s watch, no reload), and a bulk upgrade of both machines.
 */
describe.skipIf(missing)('appliance page and fleet status in a browser, against testbed machines', () => {
  const tb = createTestbed({ prefix: testbedPrefix('apg') });
  const tmp = makeTempDir('e2e-appliance-page');
  let status: TestbedStatus;
  let host: ServeProcess;
  let browser: Browser;
  let page: Page;
  diagnoseFailures('appliance-page', () => ({ page, hostOutput: host?.output }));
  const ids: string[] = [];

  /** The API as a script would call it (setup only: what is under test happens in the browser). */
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
    status = await tb.up({ appliances: 2, disks: 1 });
    host = await startServe({ dataDir: path.join(tmp.dir, 'data'), env: { APPLIANCE_CONSOLE_RESOURCES: testProvisionRoot(tmp.dir) } });
    // Registered, trusted and provisioned through the API: the UI for those has its own tests.
    for (const m of status.machines) {
      const a = await call<{ id: string }>('fleet.add', { name: m.name, address: m.address, auth: { kind: 'private-key', privateKey: fs.readFileSync(m.rootKeyPath, 'utf8') } });
      await call('onboarding.acceptHostKey', { id: a.id, fingerprint: m.hostKey.fingerprint });
      ids.push(a.id);
    }
    const runs = await Promise.all(ids.map((id) => call<{ status: string; error: string | null }>('provision.install', { id })));
    for (const r of runs) expect(r.status, r.error ?? '').toBe('succeeded');
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
    // A failure in the page would otherwise show only as a timeout.
    page.on('pageerror', (err) => console.warn(`[page error] ${err.message}`));
    fs.mkdirSync(ARTIFACTS, { recursive: true });
  }, 240_000);
  afterAll(async () => {
    await browser?.close();
    await host?.stop();
    await tb.down();
    tmp.cleanup();
  });

  const row = (name: string) => page.locator(`[data-testid="fleet-row"]`, { has: page.locator(`[data-testid="fleet-row-name"]`, { hasText: name }) });

  it('shows each provisioned machine online in the Fleet table, with its agent version', async () => {
    await page.goto(host.loginUrl);
    const first = status.machines[0]!.name;
    // Provisioning finished after the watch's first look (agent missing: degraded); the next round says online.
    await expect.poll(() => row(first).getByTestId('fleet-status').getAttribute('data-state'), { timeout: 30_000 }).toBe('online');
    expect(await row(first).getByTestId('fleet-status').innerText()).toMatch(/Online\s*since/);
    // The tooltip is built on hover (not for every row that scrolls by).
    await row(first).getByTestId('fleet-status').hover();
    expect(await row(first).getByTestId('fleet-status').getAttribute('title')).toMatch(/Online since \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \(UTC[+-]\d\d:\d\d\)/);
    await expect.poll(() => row(first).getByTestId('fleet-agent-version').innerText(), { timeout: 15_000 }).toMatch(/^\d+\.\d+\.\d+/);
    await page.screenshot({ path: path.join(ARTIFACTS, 'fleet-status-en.png') });
  });

  it('opens the Appliance page from the name: agent version, inventory with units, services, events', async () => {
    const m = status.machines[0]!;
    await row(m.name).getByTestId('fleet-row-name').click();
    await page.getByTestId('appliance-page').waitFor();
    expect(page.url()).toContain(`#/fleet/${ids[0]}`);
    expect(await page.getByTestId('appliance-title').innerText()).toBe(m.name);
    expect(await page.getByTestId('appliance-status').getAttribute('data-state')).toBe('online');
    // The Fleet nav entry stays selected on its sub-page.
    expect(await page.locator('[aria-current="page"] [data-testid="nav-fleet"]').count()).toBe(1);
    const version = await page.getByTestId('appliance-agent-version').innerText();
    expect(version).toMatch(/^\d+\.\d+\.\d+/);
    expect(await page.getByTestId('fleet-agent-version').count()).toBe(0);

    await expect.poll(() => page.getByTestId('inventory-hostname').innerText(), { timeout: 15_000 }).toBe(m.hostname);
    const inventory = await page.getByTestId('appliance-inventory').innerText();
    expect(inventory).toMatch(/\d+(\.\d)? [KMGT]iB total/);
    expect(inventory).toMatch(/As of \d{4}-\d\d-\d\d/);
    // The machine's loop disk and its file systems: storage capacity in decimal units (i18n/format.ts), memory above in binary.
    expect(await page.getByTestId('inventory-block-devices').innerText()).toMatch(/loop\d+[\s\S]*\d+(\.\d)? [kMGT]B/);
    expect(await page.getByTestId('inventory-filesystems').innerText()).toMatch(/\d+(\.\d)? [kMGT]?B of \d+\.\d [kMGT]B/);
    expect(await page.getByTestId('services-table').count()).toBe(1);
    await page.getByTestId('inventory-refresh').click();
    await expect.poll(() => page.getByTestId('inventory-refresh').getAttribute('class')).not.toMatch(/loading/);
    expect(await page.getByTestId('inventory-stale').count()).toBe(0);
    await page.screenshot({ path: path.join(ARTIFACTS, 'appliance-page-en.png'), fullPage: true });
  });

  /** The timeline's entries of one kind: each entry carries data-kind on itself, not on a child. */
  const eventsOfKind = (kind: string) => page.locator(`[data-testid="appliance-event"][data-kind="${kind}"]`);

  it('shows an agent killed on the machine as a restart in the timeline, live', async () => {
    const before = await eventsOfKind('agent-restarted').count();
    await tb.fault(status.machines[0]!.name, 'agent-kill');
    // The watchdog restarts the agent; the host's next round (every 10 s) sees a new pid and pushes the event.
    await expect.poll(() => eventsOfKind('agent-restarted').count(), { timeout: 30_000 }).toBeGreaterThan(before);
    expect(await eventsOfKind('agent-restarted').first().innerText()).toMatch(/The agent restarted \(PID \d+ → \d+\)/);
    // The selector finds what it means: every entry on the page is counted under its own kind.
    const entries = page.getByTestId('appliance-event');
    const kinds = await entries.evaluateAll((els) => els.map((e) => e.getAttribute('data-kind') ?? ''));
    expect(kinds).toContain('agent-restarted');
    const counted = await Promise.all([...new Set(kinds)].map((k) => eventsOfKind(k).count()));
    expect(counted.reduce((a, b) => a + b, 0)).toBe(kinds.length);
  });

  it('words the page in Chinese', async () => {
    await page.getByTestId('language-zh-CN').click();
    await expect.poll(() => page.getByTestId('appliance-status').innerText()).toBe('在线');
    expect(await eventsOfKind('agent-restarted').first().innerText()).toMatch(/代理程序已重启（PID \d+ → \d+）/);
    expect(await page.getByTestId('appliance-inventory').innerText()).toMatch(/主机名/);
    await page.screenshot({ path: path.join(ARTIFACTS, 'appliance-page-zh-CN.png'), fullPage: true });
    await page.getByTestId('language-en').click();
  });

  it('restarts, stops and starts a service from the Services card, asking first, in the reader’s language', async () => {
    // The second machine gets a plain service in agent.json, by hand; its agent is restarted to read it.
    const m = status.machines[1]!;
    await addPlainServices(m, [loopbackWebService(18_081)]);
    await tb.fault(m.name, 'agent-kill');
    await page.goto(`${host.url}/#/fleet/${ids[1]}`);
    const web = page.locator('[data-testid="service-row"][data-service="web"]');
    // The watch's next round (10 s) sees the restarted agent and its service.
    await expect.poll(() => web.count(), { timeout: 40_000 }).toBe(1);
    await expect.poll(() => web.innerText(), { timeout: 20_000 }).toMatch(/Running/);
    const confirm = () => page.locator('.ant-popconfirm:visible .ant-popconfirm-buttons .ant-btn-primary');

    await web.getByTestId('service-restart').click();
    expect(await page.locator('.ant-popconfirm:visible').innerText()).toMatch(/Restart web\?/);
    await confirm().click();
    await page.getByText('web restarted.').waitFor();

    await page.getByTestId('language-zh-CN').click();
    await web.getByTestId('service-stop').click();
    expect(await page.locator('.ant-popconfirm:visible').innerText()).toMatch(/停止 web？/);
    await confirm().click();
    await page.getByText('web 已停止。').waitFor();
    // The console checked the machine again before answering: the card already shows it stopped.
    await expect.poll(() => web.innerText(), { timeout: 2_000 }).toMatch(/已停止/);
    await web.getByTestId('service-start').click();
    await page.getByText('web 已启动。').waitFor();
    await expect.poll(() => web.innerText(), { timeout: 15_000 }).toMatch(/运行中/);
    await page.screenshot({ path: path.join(ARTIFACTS, 'services-card-zh-CN.png'), fullPage: true });
    await page.getByTestId('language-en').click();
  }, 120_000);

  it('diagnoses the machine from its page: a full disk found with what to do and the evidence, in Chinese too, then resolved', async () => {
    const m = status.machines[0]!;
    await page.goto(`${host.url}/#/fleet/${ids[0]}`);
    const card = page.getByTestId('diagnose-card');
    await card.waitFor();
    await tb.fault(m.name, 'disk-full', m.disks[0]!.name);
    try {
      await page.getByTestId('diagnose-run').click();
      const full = card.locator('[data-testid="diagnose-finding"][data-code="disk.fs-full"]');
      await full.waitFor({ timeout: 60_000 });
      expect(await full.innerText()).toMatch(/Critical[\s\S]*A file system is nearly full/);
      await full.click();
      expect(await card.innerText()).toContain('What to do:');
      expect(await card.getByTestId('diagnose-evidence').first().innerText()).toMatch(/^\$ df /);
      await page.getByTestId('language-zh-CN').click();
      await expect.poll(() => full.innerText()).toMatch(/严重[\s\S]*文件系统即将写满/);
      await page.getByTestId('language-en').click();
    } finally {
      await tb.fault(m.name, 'disk-restore', m.disks[0]!.name);
    }
    await page.getByTestId('diagnose-run').click();
    await expect.poll(() => card.getByTestId('diagnose-resolved').innerText().catch(() => ''), { timeout: 60_000 }).toMatch(/A file system is nearly full/);
  });

  it('makes a support bundle from the page and downloads it; the download verifies against its manifest', async () => {
    await page.goto(`${host.url}/#/fleet/${ids[0]}`);
    const card = page.getByTestId('bundle-card');
    await card.waitFor();
    await page.getByTestId('bundle-pseudonymize').click();
    await page.getByTestId('bundle-make').click();
    await card.getByTestId('bundle-result').waitFor({ timeout: 120_000 });
    expect(await card.getByTestId('bundle-result').innerText()).toMatch(/\d+ files, .* compressed/);
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: 60_000 }), page.getByTestId('bundle-download').click()]);
    expect(download.suggestedFilename()).toMatch(/\.tar\.gz$/);
    const saved = path.join(tmp.dir, 'bundle.tar.gz');
    await download.saveAs(saved);
    const verified = await verifyBundle(saved);
    expect(verified.ok, verified.ok ? '' : verified.problem).toBe(true);
    // Pseudonyms asked for: the machine's address appears nowhere in the bundle's manifest.
    if (verified.ok) expect(JSON.stringify(verified.manifest)).not.toContain(status.machines[0]!.address);
  });

  it('opens a terminal on the machine: what is typed and pasted runs (Chinese too), recorded, then closed', async () => {
    await page.goto(`${host.url}/#/fleet/${ids[0]}`);
    await page.getByTestId('terminal-record').click();
    await page.getByTestId('terminal-open').click();
    const screen = page.getByTestId('terminal-screen');
    await screen.waitFor();
    await expect.poll(() => page.getByTestId('terminal-state').innerText()).toBe('Connected');
    await screen.click();
    await page.keyboard.type('echo e2e-$((20+22))');
    await page.keyboard.press('Enter');
    await expect.poll(() => screen.locator('.xterm-rows').innerText(), { timeout: 20_000 }).toMatch(/\ne2e-42/);
    // Chinese text, pasted (what a paste from another window, or a committed input method, delivers).
    await screen.locator('.xterm-helper-textarea').evaluate((ta) => {
      const data = new DataTransfer();
      data.setData('text/plain', 'echo 终端输入');
      ta.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
    });
    await page.keyboard.press('Enter');
    await expect.poll(() => screen.locator('.xterm-rows').innerText(), { timeout: 20_000 }).toMatch(/\n终端输入/);
    expect(await page.getByTestId('terminal-card').innerText()).toMatch(/Recording to .*\.cast/);
    await page.getByTestId('terminal-close').click();
    await page.getByTestId('terminal-open').waitFor();
  });

  it('an unknown id shows "not found" with a way back to the Fleet page', async () => {
    await page.goto(`${host.url}/#/fleet/no-such-appliance`);
    await page.getByTestId('appliance-not-found').waitFor();
    await page.getByTestId('appliance-back').click();
    await page.getByTestId('fleet-table').waitFor();
    expect(page.url()).toMatch(/#\/fleet$/);
  });

  it('upgrades both machines from the Fleet page: select all, Upgrade selected, each row live, summary', async () => {
    await expect.poll(() => page.getByTestId('fleet-row').count()).toBe(2);
    await page.getByTestId('table-select-all').check();
    expect(await page.getByTestId('bulk-count').innerText()).toBe('2 selected');
    // An upgrade to the version already running changes nothing and takes well under a second, too
    // short to catch by polling: the page itself records every row it ever shows running.
    await page.evaluate(() => {
      const seen = new Set<string>();
      (window as unknown as { seenRunning: Set<string> }).seenRunning = seen;
      const look = () => document.querySelectorAll('[data-testid="bulk-row"][data-state="running"]').forEach((r) => seen.add(r.getAttribute('data-appliance') ?? '?'));
      new MutationObserver(look).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-state'] });
    });
    await page.getByTestId('bulk-upgrade').click();
    const dialog = page.getByTestId('bulk-dialog');
    await dialog.waitFor();
    await expect.poll(() => dialog.getAttribute('data-running'), { timeout: 120_000 }).toBe('false');
    // Both ran at once (concurrency 4), and each row reported its step while it ran.
    expect((await page.evaluate(() => [...(window as unknown as { seenRunning: Set<string> }).seenRunning])).sort()).toEqual(status.machines.map((m) => m.name).sort());
    expect(await page.getByTestId('bulk-summary').innerText()).toMatch(/2 succeeded, 0 failed, 0 cancelled/);
    for (const m of status.machines) expect(await page.locator(`[data-testid="bulk-row"][data-appliance="${m.name}"]`).getAttribute('data-state')).toBe('succeeded');
    await page.screenshot({ path: path.join(ARTIFACTS, 'bulk-upgrade-en.png') });
    await page.getByTestId('bulk-close').click();
  });

  it('uninstalls the agent from the Appliance page after a confirmation, showing the uninstall plan’s own steps', async () => {
    const m = status.machines[1]!;
    await row(m.name).getByTestId('fleet-row-name').click();
    await page.getByTestId('appliance-page').waitFor();
    await page.getByTestId('detail-uninstall').click();
    await page.getByTestId('uninstall-dialog').waitFor();
    // Purge is off unless ticked; ticking it warns that it cannot be undone.
    expect(await page.getByTestId('uninstall-purge-warning').count()).toBe(0);
    await page.getByTestId('uninstall-purge').click();
    await page.getByTestId('uninstall-purge-warning').waitFor();
    await page.getByTestId('uninstall-purge').click();
    await page.getByTestId('uninstall-confirm').click();
    await page.getByTestId('provision-succeeded').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('provision-dialog').getAttribute('data-plan')).toBe('uninstall');
    const steps = await page.locator('[data-testid^="provision-step-"][data-status]').evaluateAll((els) => els.map((e) => e.getAttribute('data-testid')));
    expect(steps).toEqual(['provision-step-stop', 'provision-step-remove']);
    expect(await page.getByTestId('provision-dialog').innerText()).toMatch(/Stop the agent[\s\S]*Remove the agent[\s\S]*The agent is removed/);
    await page.getByTestId('provision-close').click();
    // The watch (or Check now) then finds no agent: not provisioned (no alarm), with the reason; the Health card is not green.
    await page.getByTestId('appliance-check-now').click();
    await expect.poll(() => page.getByTestId('appliance-status').getAttribute('data-state'), { timeout: 30_000 }).toBe('not-provisioned');
    expect(await page.getByTestId('appliance-health').getAttribute('data-freshness')).toBe('not-provisioned');
    expect(await page.getByTestId('health-ok').count()).toBe(0);
    expect(await page.getByTestId('appliance-status-reason').innerText()).toBe('Reason: The agent is not installed: provision it.');
    // The version shown is the last one the agent reported, marked as such.
    expect(await page.getByTestId('appliance-agent-stale').innerText()).toMatch(/last answered \d{4}-\d\d-\d\d \d\d:\d\d:\d\d/);
  });
});
