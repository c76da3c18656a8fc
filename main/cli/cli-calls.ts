import type { ConsoleServices } from '../compose';
import { ApiError } from '../contract/errors';
import type { Appliance } from '../contract/fleet.contract';
import { osActor } from './open-console';

/** A dispatcher call as the CLI makes it: audited as this OS user, failures thrown as ApiError. */
export type Call = <M extends Parameters<ConsoleServices['dispatcher']['call']>[0]>(method: M, input: unknown) => Promise<unknown>;

export function caller(services: ConsoleServices): Call {
  return async (method, input) => {
    const r = await services.dispatcher.call(method, input, { host: 'cli', actor: osActor() });
    if (!r.ok) throw ApiError.fromBody(r.error);
    return r.result;
  };
}

/** An appliance by id or by name (case-insensitive), as people type either. */
export function findAppliance(appliances: readonly Appliance[], ref: string): Appliance {
  const hit = appliances.find((a) => a.id === ref) ?? appliances.find((a) => a.name.toLowerCase() === ref.toLowerCase());
  if (!hit) throw new ApiError('not-found', `No appliance named or with id "${ref}"`);
  return hit;
}

export async function listAppliances(call: Call): Promise<Appliance[]> {
  return ((await call('fleet.list', {})) as { appliances: Appliance[] }).appliances;
}
