/**
 * English texts: the reference dictionary, one file per domain. Keys are flat and dotted, and each
 * key's first segment names its domain file (`fleet.*` in fleet.ts); `{name}` marks a parameter.
 * `as const` keeps each text's literal type so `t()` can check parameter names (translate.ts).
 * A counted text has one key per plural category the language has (`.one`, `.other` in English;
 * see plural.ts), and zh-CN/ must provide every key, except plural categories Chinese lacks.
 */
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

/** The domains side by side, so tests can check that no key is defined twice. */
export const EN_DOMAINS = { common, fleet, onboarding, provision, status, appliance, monitoring, disks, alerts, capacity, settings, errors, methods, agentSettings, kodo } as const;

export const en = {
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
} as const;
