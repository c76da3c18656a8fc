import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestbed } from '../../appliance/testbed/testbed';
import type { TestbedStatus } from '../../appliance/testbed/state';
import { chromiumMissingReason, launchChromium } from '../helpers/browser';
import { ROOT, startServe, type ServeProcess } from '../helpers/serve-process';
import { testProvisionRoot } from '../helpers/provision-resources';
import { makeTempDir } from '../helpers/temp-dir';
import { diagnoseFailures } from '../helpers/e2e-diagnostics';
import { testbedPrefix } from '../helpers/testbed-prefix';

const missing =
  chromiumMissingReason() ??
  (fs.existsSync(path.join(ROOT, 'out/renderer/index.html')) ? null : 'the UI is not built (npx electron-vite build)') ??
  (process.getuid?.() === 0 ? null : 'the testbed needs root (network namespaces)');
if (missing) console.warn(`[skip] add-appliance wizard end-to-end test skipped: ${missing}`);

/** A command as root on a testbed machine, over its own sshd with the testbed's client key. */
function onMachine(m: TestbedStatus['machines'][number], command: string): string {
  const r = spawnSync('ssh', ['-i', m.rootKeyPath, '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'LogLevel=ERROR', `root@${m.address}`, command], { encoding: 'utf8', timeout: 20_000 });
  if (r.status !== 0) throw new Error(`ssh ${m.address} ${command}: ${r.stderr}`);
  return r.stdout;
}

/**
 * A field engineer adds a machine with the wizard, in Chinese: a password login as `operator`
 * whose sudo asks for a password, a first wrong password (auth message, Back, fix), the host key
 * compared with the testbed's own and accepted, the preflight table (ffmpeg removed from the
 * machine, so one warning with its remedy), the install with its live log, and the summary.
 */
describe.skipIf(missing)('add-appliance wizard in a browser, against a testbed machine', () => {
  const tb = createTestbed({ prefix: testbedPrefix('wiz') });
  const tmp = makeTempDir('e2e-wizard');
  let status: TestbedStatus;
  let machine: TestbedStatus['machines'][number];
  let host: ServeProcess;
  let browser: Browser;
  let page: Page;
  diagnoseFailures('add-wizard', () => ({ page, hostOutput: host?.output }));
  const wizard = () => page.getByTestId('add-wizard');
  const atStep = (step: string) => expect.poll(() => wizard().getAttribute('data-step'), { timeout: 20_000 }).toBe(step);

  beforeAll(async () => {
    await tb.down();
    status = await tb.up({ appliances: 1, disks: 2 });
    machine = status.machines[0]!;
    // The machine shares the host's /usr through its private overlay: removing ffmpeg there
    // removes it for this machine only, as on an appliance installed without it.
    onMachine(machine, 'rm -f "$(command -v ffmpeg)"; ! command -v ffmpeg');
    host = await startServe({ dataDir: path.join(tmp.dir, 'data'), env: { APPLIANCE_CONSOLE_RESOURCES: testProvisionRoot(tmp.dir) } });
    browser = await launchChromium();
    page = await (await browser.newContext({ locale: 'zh-CN', viewport: { width: 1366, height: 900 } })).newPage();
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await host?.stop();
    await tb.down();
    tmp.cleanup();
  });

  it('adds the machine with a wrong password first: the login is refused in words, Back fixes it', async () => {
    await page.goto(host.loginUrl);
    await page.getByTestId('fleet-empty').waitFor();
    await page.getByTestId('fleet-add').click();
    await atStep('connection');
    await page.getByTestId('appliance-name').fill('现场-01');
    await page.getByTestId('appliance-address').fill(machine.address);
    await page.getByTestId('appliance-user').fill(machine.sudoUser);
    await page.getByTestId('appliance-auth-password').click();
    await page.getByTestId('appliance-password').fill('not-the-password');
    await page.getByTestId('appliance-sudo-password').fill(machine.sudoPassword);
    // Enter in a box is Next.
    await page.getByTestId('appliance-sudo-password').press('Enter');
    await atStep('fingerprint');
    // Added already: closing now would keep it.
    await expect.poll(() => page.getByTestId('fleet-row').count()).toBe(1);

    const failure = page.getByTestId('wizard-failure');
    await failure.waitFor({ timeout: 20_000 });
    expect(await failure.getAttribute('data-code')).toBe('host-key-unknown');
    expect(await page.getByTestId('wizard-fingerprint').innerText()).toBe(machine.hostKey.fingerprint);
    expect(await page.getByTestId('wizard-fingerprint-hint').innerText()).toMatch(/ssh-keygen -l -f \/etc\/ssh\/ssh_host_ed25519_key\.pub/);
    // Trusting is a click on its own button; Next stays disabled until the login works.
    expect(await wizard().getByTestId('wizard-next').isDisabled()).toBe(true);
    await page.getByTestId('wizard-accept').click();

    await expect.poll(() => failure.getAttribute('data-code'), { timeout: 20_000 }).toBe('auth-failed');
    expect(await failure.innerText()).toMatch(/设备拒绝以 operator 登录/);
    expect(await failure.innerText()).toMatch(/返回上一步/);
    await page.screenshot({ path: path.join(ROOT, 'test-results', 'wizard-auth-failed-zh-CN.png') });

    await wizard().getByTestId('wizard-back').click();
    await atStep('connection');
    await page.getByTestId('appliance-password').fill(machine.sudoPassword);
    await page.getByTestId('appliance-submit').click();
    await atStep('fingerprint');
    await page.getByTestId('wizard-connection-ok').waitFor({ timeout: 20_000 });
    expect(await wizard().innerText()).toMatch(/sudo/);
    // Still one appliance: Back + Next updated it rather than adding another.
    expect(await page.getByTestId('fleet-row').count()).toBe(1);
  });

  it('shows the preflight table with the machine’s facts and a warning with its remedy for the missing ffmpeg', async () => {
    // Next has focus once the login works: Enter advances.
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('wizard-next');
    await page.keyboard.press('Enter');
    await atStep('preflight');
    await page.getByTestId('wizard-preflight-table').waitFor({ timeout: 30_000 });
    const row = (id: string) => page.getByTestId(`preflight-row-${id}`);
    for (const id of ['os', 'arch', 'kernel', 'cpu', 'memory', 'free:/opt', 'clock', 'init', 'sudo', 'tools', 'port:kodo-s3']) {
      expect(await row(id).getAttribute('data-status'), id).toBe('ok');
    }
    expect(await row('os').innerText()).toMatch(/操作系统.*Debian GNU\/Linux 12/s);
    expect(await row('arch').innerText()).toMatch(/x86_64/);
    expect(await row('memory').innerText()).toMatch(/内存.*GiB/s);
    expect(await row('sudo').innerText()).toMatch(/通过 sudo/);
    expect(await row('tool:ffmpeg').getAttribute('data-status')).toBe('warning');
    expect(await page.getByTestId('preflight-remedy-tool:ffmpeg').innerText()).toMatch(/转码.*apt-get install ffmpeg/);
    // The testbed's SMART double stands in for smartctl; its data disks are the mounted loop devices.
    expect(await row('tool:smartctl').getAttribute('data-status')).toBe('ok');
    for (const d of machine.disks) expect(await row(`disk:${(d.device ?? '').replace('/dev/', '')}`).innerText()).toContain(d.mount);
    const summary = page.getByTestId('wizard-preflight-summary');
    expect(await summary.getAttribute('data-failing')).toBe('0');
    expect(await summary.innerText()).toMatch(/可以安装，但有 1 项警告/);
    await page.screenshot({ path: path.join(ROOT, 'test-results', 'wizard-preflight-zh-CN.png') });
  });

  it('installs with the live step log and ends with the agent version, then the appliance is in the Fleet list', async () => {
    expect(await page.getByTestId('wizard-install').isEnabled()).toBe(true);
    await page.getByTestId('wizard-install').click();
    await atStep('install');
    await page.getByTestId('provision-step-runtime').waitFor();
    await atStep('done');
    const version = page.getByTestId('wizard-agent-version');
    await expect.poll(() => version.innerText(), { timeout: 20_000 }).toMatch(/^\d+\.\d+\.\d+/);
    expect(await page.getByTestId('wizard-summary').innerText()).toMatch(/安装用时[\s\S]*\d+(\.\d)? 秒/);
    await page.screenshot({ path: path.join(ROOT, 'test-results', 'wizard-done-zh-CN.png') });
    await page.getByTestId('wizard-close').click();
    await expect.poll(() => page.getByTestId('add-wizard').count()).toBe(0);
    const rows = page.getByTestId('fleet-row');
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rows.first().innerText()).toContain('现场-01');
  });

  it('closing half-way keeps the appliance added so far, and says so', async () => {
    await page.getByTestId('fleet-add').click();
    await page.getByTestId('appliance-name').fill('现场-02');
    await page.getByTestId('appliance-address').fill(machine.address);
    // Nothing listens there: the fingerprint step fails to connect.
    await page.getByTestId('appliance-port').fill('2222');
    await page.getByTestId('appliance-submit').click();
    await atStep('fingerprint');
    await expect.poll(() => page.getByTestId('wizard-failure').getAttribute('data-code'), { timeout: 20_000 }).toBe('connection-refused');
    await page.locator('.ant-modal-close').first().click();
    const confirm = page.getByTestId('wizard-close-confirm');
    await confirm.waitFor();
    expect(await confirm.innerText()).toMatch(/现场-02 保留在设备列表中：已添加，主机密钥尚未信任/);
    await page.getByTestId('wizard-close-ok').click();
    await expect.poll(() => page.getByTestId('add-wizard').count()).toBe(0);
    await expect.poll(() => page.getByTestId('fleet-row').count()).toBe(2);
  });
});
