import type { Migration } from './migration';
import { m001Initial } from './001-initial';
import { m002Settings } from './002-settings';
import { m003ProvisionRuns } from './003-provision-runs';

/**
 * Every schema change, in order. Never edit a migration that has shipped: add the next one.
 * `PRAGMA user_version` records how many have been applied.
 */
export const MIGRATIONS: readonly Migration[] = [m001Initial, m002Settings, m003ProvisionRuns];

export const LATEST_SCHEMA_VERSION = MIGRATIONS.length;
