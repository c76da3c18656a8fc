import type { z } from 'zod';
import { alertsEvents, alertsMethods } from './alerts.contract';
import { capacityMethods } from './capacity.contract';
import { fleetEvents, fleetMethods } from './fleet.contract';
import { onboardingMethods } from './onboarding.contract';
import { planningMethods } from './planning.contract';
import { provisionEvents, provisionMethods } from './provision.contract';
import { metricsMethods } from './metrics.contract';
import { disksMethods } from './disks.contract';
import { statusEvents, statusMethods } from './status.contract';
import { systemEvents, systemMethods } from './system.contract';
import { settingsEvents, settingsMethods } from './settings.contract';
import { auditMethods } from './audit.contract';
import { serviceMethods } from './service.contract';
import { agentSettingsMethods } from './agent-settings.contract';
import { kodoMethods } from './kodo.contract';
import { diagnoseEvents, diagnoseMethods } from './diagnose.contract';
import { bundleEvents, bundleMethods } from './bundle.contract';
import { terminalMethods } from './terminal.contract';

/**
 * The whole API the UI and CLI may call, joined from one map per domain. Adding a method means
 * adding it to a domain contract; the hosts, the client types and the handler map follow from it,
 * and the type checker reports any handler that is missing.
 */
export const apiMethods = {
  ...systemMethods,
  ...settingsMethods,
  ...auditMethods,
  ...fleetMethods,
  ...onboardingMethods,
  ...provisionMethods,
  ...planningMethods,
  ...statusMethods,
  ...metricsMethods,
  ...disksMethods,
  ...serviceMethods,
  ...agentSettingsMethods,
  ...kodoMethods,
  ...diagnoseMethods,
  ...bundleMethods,
  ...terminalMethods,
  ...alertsMethods,
  ...capacityMethods,
};
export const apiEvents = { ...systemEvents, ...settingsEvents, ...fleetEvents, ...provisionEvents, ...statusEvents, ...alertsEvents, ...diagnoseEvents, ...bundleEvents };

export type ApiMethods = typeof apiMethods;
export type MethodName = keyof ApiMethods;
export type MethodInput<M extends MethodName> = z.input<ApiMethods[M]['input']>;
/** The input after validation and defaults: what a handler receives. */
export type MethodParsedInput<M extends MethodName> = z.output<ApiMethods[M]['input']>;
export type MethodOutput<M extends MethodName> = z.output<ApiMethods[M]['output']>;

export type ApiEvents = typeof apiEvents;
export type EventName = keyof ApiEvents;
export type EventPayload<E extends EventName> = z.output<ApiEvents[E]>;

export function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(apiMethods, name);
}

export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(apiEvents, name);
}
