import { describe, expect, it } from 'vitest';
import { settingsDrift } from '../../main/agent-settings/agent-settings-drift';
import type { AgentSettingsOnMachine, AgentSettingsValues } from '../../main/contract/agent-settings.contract';

const prom = (p: Partial<AgentSettingsValues['prometheus']> = {}): AgentSettingsValues => ({ prometheus: { enabled: false, host: '127.0.0.1', port: 9101, requireToken: false, ...p } });
const machine = (m: Partial<AgentSettingsOnMachine> = {}): AgentSettingsOnMachine => ({
  agentJson: prom(),
  file: null,
  running: prom(),
  restartPending: false,
  applyError: null,
  path: '/etc/appliance-agent/settings.json',
  ...m,
});

describe('agent settings drift', () => {
  it('is empty when every layer and the intent agree, or when there is no intent and the files agree with what runs', () => {
    expect(settingsDrift(machine(), null)).toEqual([]);
    expect(settingsDrift(machine({ file: prom(), running: prom() }), prom())).toEqual([]);
    const on = prom({ enabled: true, port: 9200 });
    expect(settingsDrift(machine({ agentJson: on, file: on, running: on }), on)).toEqual([]);
  });

  it('cannot be computed without the machine: no answer, no drift claimed', () => {
    expect(settingsDrift(null, prom({ enabled: true }))).toEqual([]);
  });

  it('the console intends a value settings.json does not hold: settings.json wins until it is applied', () => {
    const drift = settingsDrift(machine({ file: prom(), running: prom() }), prom({ enabled: true }));
    expect(drift).toEqual([
      { field: 'prometheus.enabled', agentJson: false, file: false, running: false, intent: true, wins: 'settings-file', restartPending: false, intentPending: true, agentJsonOverridden: false },
    ]);
  });

  it('with no settings.json, agent.json is the file that wins, and nothing overrides it', () => {
    const drift = settingsDrift(machine({ agentJson: prom({ port: 9300 }), running: prom({ port: 9300 }) }), prom({ port: 9200 }));
    expect(drift).toEqual([{ field: 'prometheus.port', agentJson: 9300, file: null, running: 9300, intent: 9200, wins: 'agent-json', restartPending: false, intentPending: true, agentJsonOverridden: false }]);
  });

  it('a hand edit of agent.json under a settings.json is listed: settings.json still wins, the edit does not take effect', () => {
    const intent = prom({ enabled: true });
    // enabled: false is agent.json's default (not listed); port 9555 was typed by someone.
    const drift = settingsDrift(machine({ agentJson: prom({ enabled: false, port: 9555 }), file: intent, running: intent }), intent);
    expect(drift).toEqual([
      { field: 'prometheus.port', agentJson: 9555, file: 9101, running: 9101, intent: 9101, wins: 'settings-file', restartPending: false, intentPending: false, agentJsonOverridden: true },
    ]);
  });

  it('the running agent differs from the winning file (it could not apply it): the running value holds until a restart', () => {
    const file = prom({ enabled: true, port: 9200 });
    const running = prom({ enabled: true, port: 9101 });
    const drift = settingsDrift(machine({ file, running, restartPending: true, applyError: 'port 9200 is in use' }), file);
    expect(drift).toEqual([{ field: 'prometheus.port', agentJson: 9101, file: 9200, running: 9101, intent: 9200, wins: 'settings-file', restartPending: true, intentPending: false, agentJsonOverridden: false }]);
  });

  it("agent.json's own defaults under a settings.json are not drift: that is what settings.json overrides", () => {
    const on = prom({ enabled: true, port: 9200 });
    expect(settingsDrift(machine({ agentJson: prom(), file: on, running: on }), on)).toEqual([]);
  });

  it('lists every field that differs, in a fixed order, each with all four values', () => {
    const drift = settingsDrift(machine({ file: prom({ host: '0.0.0.0', requireToken: true }), running: prom() }), prom({ enabled: true, host: '0.0.0.0', requireToken: true }));
    expect(drift.map((d) => d.field)).toEqual(['prometheus.enabled', 'prometheus.host', 'prometheus.requireToken']);
    expect(drift[1]).toMatchObject({ agentJson: '127.0.0.1', file: '0.0.0.0', running: '127.0.0.1', intent: '0.0.0.0', restartPending: true, intentPending: false, agentJsonOverridden: false });
    expect(drift[0]).toMatchObject({ restartPending: false, intentPending: true, agentJsonOverridden: false });
  });
});
