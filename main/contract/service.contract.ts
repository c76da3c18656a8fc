import { z } from 'zod';
import { ServiceStatusSchema } from '../../agents/protocol/payloads/services';
import { entityId, isoTime } from './common.schemas';
import { defineMethod } from './define';

/**
 * The services an appliance's agent runs (service modules such as Kodo, and plain `services`
 * entries of agent.json), and the actions a person takes on one: start, stop, restart, and
 * configure (enable or disable, and set its config). The agent validates a config against the
 * module's schema before anything is written on the machine; a refusal comes back as
 * `invalid-input` with one issue per field (`config.<field>`). Each action touches that service
 * only: the agent and the other services keep running.
 */

/** A service's name on the agent: a module id (`kodo`) or a plain service's name (`web`). */
export const serviceName = z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, { message: 'expected a service name like "kodo" or "cdn-cache"' });

const serviceAction = z.strictObject({ applianceId: entityId, service: serviceName });

/** What an action did, and the service after it, as the agent answers. */
export const serviceActionResult = z.strictObject({
  outcome: z.enum(['started', 'stopped', 'restarted', 'reloaded', 'unchanged']),
  service: ServiceStatusSchema,
});

export const serviceMethods = {
  'service.list': defineMethod({
    summary: "An appliance's services as its agent reports them now (state, readiness, ports, version, restarts, last error); the last check's view when the agent cannot be reached",
    mutating: false,
    input: z.strictObject({ applianceId: entityId }),
    output: z.strictObject({
      services: z.array(ServiceStatusSchema),
      /** True when the agent answered this call; false: the last check's view, as of `asOf`. */
      live: z.boolean(),
      asOf: isoTime.nullable(),
      /** Why the agent was not asked or did not answer (a status reason code, e.g. `ssh.timeout`), when `live` is false. */
      reasonCode: z.string().nullable(),
      reasonParams: z.record(z.string(), z.union([z.string(), z.number()])),
    }),
  }),
  'service.start': defineMethod({ summary: 'Start one service on an appliance', mutating: true, input: serviceAction, output: serviceActionResult }),
  'service.stop': defineMethod({ summary: 'Stop one service on an appliance (until it is started again or the agent restarts)', mutating: true, input: serviceAction, output: serviceActionResult }),
  'service.restart': defineMethod({ summary: 'Restart one service on an appliance', mutating: true, input: serviceAction, output: serviceActionResult }),
  'service.configure': defineMethod({
    summary: "Enable or disable a service module on an appliance and set its config (checked by the agent against the module's schema before anything is written); restarts or reloads that service only",
    mutating: true,
    input: z.strictObject({
      applianceId: entityId,
      service: serviceName,
      enabled: z.boolean(),
      /** The module's config; the module's defaults fill what is left out. Omitted: keep the config the machine has. */
      config: z.record(z.string(), z.unknown()).optional(),
    }),
    output: serviceActionResult.extend({
      /** The config as the module runs it, defaults filled in. */
      config: z.record(z.string(), z.unknown()),
    }),
  }),
};
