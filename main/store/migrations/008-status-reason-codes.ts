import type { Migration } from './migration';

/**
 * Why an appliance is not online, as a stable code with parameters (`ssh.timeout` {endpoint,
 * seconds}, `agent.silent` {detail}) beside the English `reason`, so the UI says it in the
 * reader's language (zh-CN or en) rather than showing the console's English.
 */
export const m008StatusReasonCodes: Migration = {
  version: 8,
  name: 'status reason codes',
  sql: `
    ALTER TABLE appliance_status ADD COLUMN reason_code TEXT;
    ALTER TABLE appliance_status ADD COLUMN reason_params_json TEXT;
  `,
};
