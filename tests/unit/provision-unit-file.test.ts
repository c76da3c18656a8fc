/**
 * The systemd unit the service step installs, checked by systemd's own parser (`systemd-analyze
 * verify`): the testbed has no systemd, so this is where a misspelt hardening key or a bad value
 * shows up (systemd only warns about them, and would run the agent less fenced than intended).
 * The launcher is replaced with /bin/true because verify insists that ExecStart exists here.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { renderTemplate } from '../../main/provision/steps/service';
import { makeTempDir } from '../helpers/temp-dir';

const REPO = path.resolve(__dirname, '../..');
const analyze = spawnSync('systemd-analyze', ['--version'], { encoding: 'utf8' });
const skipReason = analyze.status === 0 ? undefined : 'systemd-analyze is not installed';
if (skipReason) console.warn(`unit file test skipped: ${skipReason}`);

describe('appliance-agent.service', () => {
  const tmp = makeTempDir('unit-file');
  afterAll(() => tmp.cleanup());
  const template = fs.readFileSync(path.join(REPO, 'appliance/install/appliance-agent.service'), 'utf8');

  it('renders the launcher and config paths of the install layout', () => {
    const unit = renderTemplate(template);
    expect(unit).toContain('ExecStart=/opt/appliance-agent/current/appliance-agent --config /etc/appliance-agent/agent.json');
    expect(unit).not.toContain('@');
  });

  it.skipIf(skipReason !== undefined)('passes systemd-analyze verify without a single warning', () => {
    const file = path.join(tmp.dir, 'appliance-agent.service');
    fs.writeFileSync(file, renderTemplate(template, { launcher: '/bin/true', configFile: '/etc/appliance-agent/agent.json' }));
    const r = spawnSync('systemd-analyze', ['verify', '--man=no', file], { encoding: 'utf8', timeout: 30_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr.trim()).toBe('');
  });
});
