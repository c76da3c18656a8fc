/**
 * 简体中文, one file per domain beside en/. Each domain file `satisfies` its English twin, so a missing
 * or extra key is a type error there; tests/unit/i18n.test.ts also checks that every text keeps the
 * English text's `{params}`.
 */
import type { en } from '../en';
import type { OtherOnly } from '../plural';
import { common } from './common';
import { fleet } from './fleet';
import { onboarding } from './onboarding';
import { provision } from './provision';
import { status } from './status';
import { appliance } from './appliance';
import { monitoring } from './monitoring';
import { disks } from './disks';
import { alerts } from './alerts';
import { capacity } from './capacity';
import { settings } from './settings';
import { errors } from './errors';
import { methods } from './methods';
import { agentSettings } from './agent-settings';
import { kodo } from './kodo';

export const ZH_CN_DOMAINS = { common, fleet, onboarding, provision, status, appliance, monitoring, disks, alerts, capacity, settings, errors, methods, agentSettings, kodo } as const;

export const zhCN = {
  ...common,
  ...fleet,
  ...onboarding,
  ...provision,
  ...status,
  ...appliance,
  ...monitoring,
  ...disks,
  ...alerts,
  ...capacity,
  ...settings,
  ...errors,
  ...methods,
  ...agentSettings,
  ...kodo,
} satisfies OtherOnly<typeof en>;
