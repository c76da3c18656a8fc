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
  (fs.existsSync(path.join(ROOT, 'out/renderer/index.html')) ? null : 'the UI is not built (npm test builds it)') ??
  (process.getuid?.() === 0 ? null : 'the testbed needs root (network namespaces)');
if (missing) console.warn(`[skip] onboarding end-to-end test skipped: ${missing}`);

/**
 * A field engineer adds a real machine (a testbed appliance with its own sshd), tests the
 * connection, compares and trusts the host key, and sees the login succeed — in Chinese.
 */
describe.skipIf(missing)('onboarding in a browser, against a testbed machine', () => {
  const tb = createTestbed({ prefix: testbedPrefix('eob') });
  const tmp = makeTempDir('e2e-onboarding');
  let status: TestbedStatus;
  let host: ServeProcess;
  let browser: Browser;
  let page: Page;
  diagnoseFailures('onboarding-flow', () => ({ page, hostOutput: host?.output }));

  beforeAll(async () => {
    await tb.down();
    status = await tb.up({ appliances: 1, disks: 0 });
    host = await startServe({ dataDir: path.join(tmp.dir, 'data'), env: { APPLIANCE_CONSOLE_RESOURCES: testProvisionRoot(tmp.dir) } });
    browser = await launchChromium();
    page = await (await browser.newContext({ locale: 'zh-CN', viewport: { width: 1366, height: 900 } })).newPage();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await host?.stop();
    await tb.down();
    tmp.cleanup();
  });

  it('adds the machine with a pasted key, trusts its host key after comparing, and logs in', async () => {
    const m = status.machines[0]!;
    await page.goto(host.loginUrl);
    await page.getByTestId('fleet-empty').waitFor();
    expect(await page.getByTestId('nav-fleet').innerText()).toBe('设备管理');

    await page.getByTestId('fleet-empty-add').click();
    await page.getByTestId('appliance-name').fill('现场-01');
    await page.getByTestId('appliance-address').fill(m.address);
    await page.getByTestId('appliance-auth-private-key').click();
    await page.getByTestId('appliance-private-key').fill(fs.readFileSync(m.rootKeyPath, 'utf8'));
    await page.getByTestId('appliance-submit').click();
    await expect.poll(() => page.getByTestId('fleet-row').count()).toBe(1);

    await page.getByTestId('appliance-test').click();
    const failure = page.getByTestId('connection-failure');
    await failure.waitFor({ timeout: 20_000 });
    expect(await failure.getAttribute('data-code')).toBe('host-key-unknown');
    expect(await page.getByTestId('connection-fingerprint').innerText()).toContain(m.hostKey.fingerprint);
    expect(await failure.innerText()).toMatch(/主机密钥/);

    await page.getByTestId('connection-trust').click();
    await page.getByTestId('connection-ok').waitFor({ timeout: 20_000 });
    const dialog = await page.getByTestId('connection-dialog').innerText();
    expect(dialog).toMatch(/已信任/);
    expect(dialog).toMatch(/以 root 登录/);
    expect(dialog).toMatch(/Linux .*x64/);
    await page.screenshot({ path: path.join(ROOT, 'test-results', 'connection-test-zh-CN.png') });
  });

  it('provisions the machine from the Fleet page, showing each step, then again with nothing to change', async () => {
    await page.getByTestId('connection-close').click();
    await page.getByTestId('appliance-provision').click();
    await page.getByTestId('provision-succeeded').waitFor({ timeout: 60_000 });
    // Preflight only looks, so it is "unchanged" even on a bare machine; the others install.
    expect(await page.getByTestId('provision-step-preflight').getAttribute('data-status')).toBe('unchanged');
    for (const step of ['runtime', 'agent', 'config', 'service']) {
      expect(await page.getByTestId(`provision-step-${step}`).getAttribute('data-status')).toBe('done');
    }
    expect(await page.getByTestId('provision-dialog').innerText()).toMatch(/代理程序已安装并运行正常/);
    await page.screenshot({ path: path.join(ROOT, 'test-results', 'provision-zh-CN.png') });
    await page.getByTestId('provision-again').click();
    await page.getByTestId('provision-succeeded').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('provision-step-agent').getAttribute('data-status')).toBe('unchanged');
    await page.getByTestId('provision-close').click();
    await page.getByTestId('appliance-test').click();
  });

  it('reports an unreachable machine, in words, within the connection timeout', async () => {
    // The test the previous step started must have ended first: while one runs, "again" is busy
    // and ignores the click (and a handshake cut mid-way by the fault waits out its own timeout).
    await page.getByTestId('connection-ok').waitFor({ timeout: 30_000 });
    await tb.fault(status.machines[0]!.name, 'net-down');
    try {
      await page.getByTestId('connection-again').click();
      const failure = page.getByTestId('connection-failure');
      await failure.waitFor({ timeout: 25_000 });
      // A downed link answers either way: the time budget runs out, or ARP gives up first (no route).
      const code = await failure.getAttribute('data-code');
      expect(['timeout', 'host-unreachable']).toContain(code);
      expect(await failure.innerText()).toMatch(code === 'timeout' ? /秒内.*没有 SSH 应答/ : /无法到达/);
    } finally {
      await tb.fault(status.machines[0]!.name, 'net-up');
    }
  });
});
