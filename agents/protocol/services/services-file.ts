import * as z from 'zod/mini';
import '../zod-locale';

/**
 * The agent's services config file (`services.json` beside agent.json unless agent.json's
 * `servicesFile` names another): per service module, whether it runs and its config as the
 * console last sent it. The agent writes it (`service-configure.v1`, temp file + fsync + rename, so
 * it is never torn) and reads it at start; a person may edit it too. The provisioner does not
 * rewrite it, so an upgrade keeps what the console configured.
 *
 * `config` is kept as sent: each module validates it with its own schema (agents/protocol/services/
 * <id>.ts), and fills its defaults at launch, so a newer module's defaults apply to fields the
 * console never set. An entry for a module this agent does not have is kept untouched (an agent
 * downgraded for a while must not erase a newer service's config).
 */
export const SERVICE_ID_PATTERN = /^[a-z][a-z0-9-]{0,31}$/;
export const ServiceIdSchema = z.string().check(z.regex(SERVICE_ID_PATTERN, 'expected a service id like "kodo" or "cdn-cache"'));

export const ServiceFileEntrySchema = z.strictObject({
  enabled: z.boolean(),
  config: z._default(z.record(z.string(), z.unknown()), {}),
});
export type ServiceFileEntry = z.output<typeof ServiceFileEntrySchema>;

export const ServicesFileSchema = z.strictObject({
  configVersion: z.literal(1),
  services: z._default(z.record(ServiceIdSchema, ServiceFileEntrySchema), {}),
});
export type ServicesFile = z.output<typeof ServicesFileSchema>;
