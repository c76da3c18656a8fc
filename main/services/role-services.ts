import type { Logger } from '../core/log';
import type { Reach } from '../reach/reach';

/**
 * After a provisioning run: the role's services are enabled on the machine — every service module
 * the agent runs for this machine's role (the agent only lists modules of its role) that nobody has
 * configured yet. A module a person disabled (it has an entry in services.json) stays disabled, so
 * an upgrade never turns a service back on.
 */
export function createRoleServices(deps: { reach: Pick<Reach, 'withAgent'>; log: Logger }) {
  return {
    async enable(applianceId: string): Promise<{ status: 'done' | 'unchanged' | 'failed'; detail: string; durationMs: number }> {
      const started = Date.now();
      try {
        const enabled = await deps.reach.withAgent(applianceId, async (agent) => {
          const { services } = await agent.call('services.v1');
          const fresh = services.filter((s) => s.module && s.configured === false);
          for (const s of fresh) await agent.call('service-configure.v1', { id: s.module!, enabled: true });
          return fresh.map((s) => s.module!);
        });
        if (enabled.length === 0) return { status: 'unchanged', detail: 'every service of this role was already configured', durationMs: Date.now() - started };
        deps.log.info('role services enabled', { applianceId, services: enabled });
        return { status: 'done', detail: `enabled ${enabled.join(', ')}`, durationMs: Date.now() - started };
      } catch (err) {
        return { status: 'failed', detail: `the role's services could not be enabled: ${err instanceof Error ? err.message : String(err)}`, durationMs: Date.now() - started };
      }
    },
  };
}
