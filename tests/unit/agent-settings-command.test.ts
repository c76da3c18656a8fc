import { describe, expect, it } from 'vitest';
import { agentSettingsText, runAgentSettingsCommand } from '../../main/cli/agent-settings-command';
import { UsageError, type CliIo } from '../../main/cli/cli-io';
import type { AgentSettingsView } from '../../main/contract/agent-settings.contract';

const io = { out: () => {}, err: () => {}, env: {} } as unknown as CliIo;
const never = () => {
  throw new Error('the console must not be opened for a usage error');
};

describe('appliance-console agent-settings', () => {
  it.each([
    [['edge-1', '--prometheus', 'yes'], /--prometheus takes on or off/],
    [['edge-1', '--prometheus-port', '70000'], /--prometheus-port takes a port number/],
    [['edge-1', '--prometheus-token', '1'], /--prometheus-token takes on or off/],
    [[], /name the appliance/],
    [['edge-1', 'edge-2'], /unexpected argument "edge-2"/],
  ])('%j is a usage error, checked before the console opens', async (argv, message) => {
    await expect(runAgentSettingsCommand(argv, io, never)).rejects.toThrow(UsageError);
    await expect(runAgentSettingsCommand(argv, io, never)).rejects.toThrow(message);
  });

  it('prints the four places side by side, and each disagreement with the value that wins', () => {
    const on = { prometheus: { enabled: true, host: '127.0.0.1', port: 9101, requireToken: false } };
    const off = { prometheus: { ...on.prometheus, enabled: false } };
    const view: AgentSettingsView = {
      applianceId: 'a1',
      intent: { settings: on, updatedAt: '2026-03-01T08:00:00.000Z', appliedAt: '2026-03-01T08:00:00.000Z' },
      machine: { agentJson: { prometheus: { ...off.prometheus, port: 9555 } }, file: off, running: off, restartPending: false, applyError: null, path: '/etc/appliance-agent/settings.json' },
      drift: [
        { field: 'prometheus.enabled', agentJson: false, file: false, running: false, intent: true, wins: 'settings-file', restartPending: false, intentPending: true, agentJsonOverridden: false },
        { field: 'prometheus.port', agentJson: 9555, file: 9101, running: 9101, intent: 9101, wins: 'settings-file', restartPending: false, intentPending: false, agentJsonOverridden: true },
      ],
      reasonCode: null,
      reasonParams: {},
      changed: false,
      asOf: '2026-03-01T08:00:00.000Z',
    };
    const text = agentSettingsText('edge-1', view);
    expect(text).toMatch(/^SETTING\s+CONSOLE INTENDS\s+SETTINGS\.JSON\s+AGENT\.JSON\s+RUNNING$/m);
    expect(text).toMatch(/^\/metrics\s+on\s+off\s+off\s+off$/m);
    expect(text).toMatch(/^port\s+9101\s+9101\s+9555\s+9101$/m);
    expect(text).toContain('settings.json (/etc/appliance-agent/settings.json) wins over agent.json.');
    expect(text).toContain("/metrics: the console intends on, settings.json says off and wins on the machine until the console's settings are applied ('appliance-console agent-settings edge-1 --apply'");
    expect(text).toContain('port: agent.json says 9555, but settings.json says 9101 and wins: the edit of agent.json does not take effect.');
    expect(agentSettingsText('edge-1', { ...view, drift: [] })).toContain('No drift');
  });
});
