import type { agentSettings as en } from '../en/agent-settings';
import type { OtherOnly } from '../plural';

/** 设备页的“代理设置”卡片。 */
export const agentSettings = {
  'agentSettings.title': '代理设置',
  'agentSettings.help': '代理自身的设置。“应用”会把它们写入设备上的 settings.json（其优先于 agent.json），代理立即使用；此后每次部署或升级后，控制台都会再次写入。',
  'agentSettings.enabled': 'Prometheus 指标（/metrics）',
  'agentSettings.host': '监听地址',
  'agentSettings.port': '端口',
  'agentSettings.requireToken': '要求代理令牌',
  'agentSettings.tokenHint': '地址不是本机回环（127.0.0.1 或 ::1）时必须开启',
  'agentSettings.apply': '应用',
  'agentSettings.refresh': '刷新',
  'agentSettings.applied': '代理设置已写入设备并生效。',
  'agentSettings.unchanged': '设备上已是这些设置。',
  'agentSettings.notReached': '未能询问代理：{reason} 下面只显示控制台期望的设置。',
  'agentSettings.col.setting': '设置项',
  'agentSettings.col.intent': '控制台期望',
  'agentSettings.col.file': 'settings.json',
  'agentSettings.col.agentJson': 'agent.json',
  'agentSettings.col.running': '运行中',
  'agentSettings.on': '开',
  'agentSettings.off': '关',
  'agentSettings.noIntent': '控制台尚未设定期望值，由设备上的文件决定。点击“应用”即以当前值作为控制台的设置。',
  'agentSettings.noFile': '设备上没有 settings.json：使用 agent.json 中的值。',
  'agentSettings.fileWins': 'settings.json（{path}）优先于 agent.json。',
  'agentSettings.inSync': '设备上的文件、运行中的代理与控制台一致。',
  'agentSettings.applyError': '代理无法使用其设置：{error}',
  'agentSettings.drift.title': '设置不一致',
  'agentSettings.drift.restart': '{field}：代理运行的是 {running}，但 {file} 中为 {value}。在代理重启前保持运行中的值，重启后以 {file} 为准。',
  'agentSettings.drift.intent': '{field}：控制台期望 {intent}，但 {file} 中为 {value}，在应用控制台的设置之前（点击“应用”，或下次部署、升级）设备上以它为准。',
  'agentSettings.drift.overridden': '{field}：agent.json 中为 {agentJson}，但 settings.json 中为 {value} 并优先，因此对 agent.json 的修改不会生效。',
} as const satisfies OtherOnly<typeof en>;
