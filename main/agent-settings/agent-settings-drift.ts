import { PrometheusConfigSchema } from '../../agents/protocol/prometheus-config';
import { DRIFT_FIELDS, type AgentSettingsDrift, type AgentSettingsOnMachine, type AgentSettingsValues } from '../contract/agent-settings.contract';

type Field = (typeof DRIFT_FIELDS)[number];
type Value = string | number | boolean;

/** agent.json's values when nobody wrote any: the provisioner writes no `monitor.prometheus`. */
const PROVISIONED: AgentSettingsValues = { prometheus: PrometheusConfigSchema.parse(undefined) };

const valueOf = (settings: AgentSettingsValues, field: Field): Value => settings.prometheus[field.slice('prometheus.'.length) as keyof AgentSettingsValues['prometheus']];

/**
 * Where the agent's settings disagree, field by field, and which value wins. The rules are the
 * agent's (agents/agent/settings/agent-settings.ts): settings.json wins over agent.json, and the
 * running agent keeps what it uses until it applies a change or restarts. The console's intent wins
 * only once it is applied — by `agentSettings.update`, or again after a provisioning or upgrade run —
 * because it reaches the machine only as settings.json.
 *
 * A field is listed when the running agent differs from the file that wins (`restartPending`), when
 * the console intends another value than that file (`intentPending`), or when agent.json says
 * something settings.json overrides (`agentJsonOverridden`: a hand edit of agent.json that will
 * not take effect — how `/metrics` was turned on before settings.json). agent.json's own defaults
 * under a settings.json are not listed: the provisioner writes none, so every appliance set from
 * the console would show them, and they are what settings.json is there to override.
 */
export function settingsDrift(machine: AgentSettingsOnMachine | null, intent: AgentSettingsValues | null): AgentSettingsDrift[] {
  if (!machine) return [];
  const drift: AgentSettingsDrift[] = [];
  for (const field of DRIFT_FIELDS) {
    const agentJson = valueOf(machine.agentJson, field);
    const file = machine.file ? valueOf(machine.file, field) : null;
    const running = valueOf(machine.running, field);
    const wanted = intent ? valueOf(intent, field) : null;
    const winning = file ?? agentJson;
    const item: AgentSettingsDrift = {
      field,
      agentJson,
      file,
      running,
      intent: wanted,
      wins: file !== null ? 'settings-file' : 'agent-json',
      restartPending: running !== winning,
      intentPending: wanted !== null && wanted !== winning,
      agentJsonOverridden: file !== null && agentJson !== file && agentJson !== valueOf(PROVISIONED, field),
    };
    if (item.restartPending || item.intentPending || item.agentJsonOverridden) drift.push(item);
  }
  return drift;
}
