import type { Migration } from './migration';
import { m001Initial } from './001-initial';
import { m002Settings } from './002-settings';
import { m003ProvisionRuns } from './003-provision-runs';
import { m004AgentTokens } from './004-agent-tokens';
import { m005Alerts } from './005-alerts';
import { m006ApplianceStatus } from './006-appliance-status';
import { m007Monitoring } from './007-monitoring';
import { m008StatusReasonCodes } from './008-status-reason-codes';
import { m009TrustAndStates } from './009-trust-and-states';
import { m010ApplianceInventory } from './010-appliance-inventory';
import { m011AgentSettingsIntent } from './011-agent-settings-intent';
import { m012DiagnoseRuns } from './012-diagnose-runs';

/**
 * Every schema change, in order. Never edit a migration that has shipped: add the next one.
 * `PRAGMA user_version` records how many have been applied.
 */
export const MIGRATIONS: readonly Migration[] = [m001Initial, m002Settings, m003ProvisionRuns, m004AgentTokens, m005Alerts, m006ApplianceStatus, m007Monitoring, m008StatusReasonCodes, m009TrustAndStates, m010ApplianceInventory, m011AgentSettingsIntent, m012DiagnoseRuns];

export const LATEST_SCHEMA_VERSION = MIGRATIONS.length;
