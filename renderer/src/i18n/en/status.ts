/** Online / degraded / offline / not-provisioned states and the reasons behind them (status.reason.<code>). Keys: `status.*`. */
export const status = {
  'status.online': 'Online',
  'status.degraded': 'Degraded',
  'status.offline': 'Offline',
  'status.unknown': 'Not checked yet',
  'status.not-provisioned': 'Not provisioned',
  'status.since': 'since {time}',
  'status.tooltip': '{state} since {time} ({zone})',
  'status.reason': 'Reason: {reason}',
  'status.checkedAt': 'Last checked {time}',
  'status.column': 'Status',
  'status.agentColumn': 'Agent version',
  'status.reason.agent.not-installed': 'The agent is not installed: provision it.',
  'status.reason.agent.silent': 'The agent does not answer: {detail}',
  'status.reason.agent.reports.one': 'The agent reports {count} problem: {problem}',
  'status.reason.agent.reports.other': 'The agent reports {count} problems, first: {problem}',
  'status.agentLastAnswered': 'last answered {time}',
} as const satisfies Record<string, string>;
