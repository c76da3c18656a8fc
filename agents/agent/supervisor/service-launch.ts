import type { ServiceDefinition } from '../../protocol/agent-config';
import type { LaunchSpec } from './process-launcher';
import type { UserDb } from './user-db';

/**
 * Turns a service definition into what to spawn: the user to switch to, and a minimal environment.
 * The agent's own environment is not passed on (it may hold the agent's paths, proxies or secrets);
 * a service gets PATH, LANG, HOME, USER, LOGNAME, APPLIANCE_AGENT_SERVICE and its configured env.
 */
export interface IdentityResolver {
  /** The agent's uid (null where the platform has none). */
  uid: number | null;
  /** The agent's own user: what a service without `user` runs as. */
  self: { name: string; home: string };
  users: UserDb;
}

const SERVICE_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export type ResolvedLaunch = { ok: true; spec: LaunchSpec } | { ok: false; error: string };

export function resolveServiceLaunch(def: ServiceDefinition, ids: IdentityResolver): ResolvedLaunch {
  let uid: number | undefined;
  let gid: number | undefined;
  let home = ids.self.home;
  let userName = ids.self.name;
  if (def.user !== undefined) {
    const user = ids.users.user(def.user);
    if (!user) return { ok: false, error: `user "${def.user}" does not exist in /etc/passwd` };
    uid = user.uid;
    gid = user.gid;
    home = user.home;
    userName = user.name;
  }
  if (def.group !== undefined) {
    const groupGid = ids.users.groupId(def.group);
    if (groupGid === null) return { ok: false, error: `group "${def.group}" does not exist in /etc/group` };
    gid = groupGid;
  }
  const switching = (uid !== undefined && uid !== ids.uid) || gid !== undefined;
  if (switching && ids.uid !== 0) {
    return { ok: false, error: `running "${def.name}" as ${def.user ?? def.group} needs the agent to run as root` };
  }
  const env: Record<string, string> = {
    PATH: SERVICE_PATH,
    LANG: 'C.UTF-8',
    HOME: home,
    USER: userName,
    LOGNAME: userName,
    APPLIANCE_AGENT_SERVICE: def.name,
    ...def.env,
  };
  return {
    ok: true,
    spec: { command: def.command, args: def.args, env, cwd: def.cwd, ...(uid !== undefined ? { uid } : {}), ...(gid !== undefined ? { gid } : {}) },
  };
}
