import * as z from 'zod/mini';
import { HealthResultSchema } from './health';
import { MetricsCursorSchema, MetricsResultSchema } from './metrics';
import { ServiceStatusSchema } from './services';

/**
 * `watch.v1`: what a console asks every round, in one call — `health.v1`, `services.v1` and, when
 * asked, the metric history after a cursor (`metrics.v1`), each with its own method's schema.
 *
 * Why a combined method: a console watching 40 testbed appliances spent most of its CPU writing
 * SSH packets (three calls per appliance every 10 s, each a request, a response and the channel's
 * open and close), not in anything the answers held; one call per round is a third of that
 * traffic (`npm run bench -- fleet`). Each part keeps its own method and schema, so a console
 * facing an agent without `watch.v1` (older, not in `capabilities.methods`) makes the three calls.
 */
export const WatchParamsSchema = z.strictObject({
  /** Also answer `metrics.v1` with these params; omitted: `metrics` is null. */
  metrics: z.optional(
    z.strictObject({
      after: z.optional(MetricsCursorSchema),
      /** A round carries a few samples; a backfill continues with `metrics.v1`'s larger pages. */
      limit: z._default(z.number().check(z.int(), z.minimum(1), z.maximum(1000)), 60),
    }),
  ),
});

export const WatchResultSchema = z.object({
  /** As `health.v1` answers it. */
  health: HealthResultSchema,
  /** As `services.v1` answers it (`services`). */
  services: z.array(ServiceStatusSchema).check(z.maxLength(64)),
  /** As `metrics.v1` answers `params.metrics`; null when they were not asked for. */
  metrics: z.nullable(MetricsResultSchema),
});
export type WatchResult = z.infer<typeof WatchResultSchema>;
