/**
 * Where provisioning puts things on the machine (agents/README.md, "Install layout"). One place,
 * so steps, the unit template and the tests agree.
 */
export const INSTALL_ROOT = '/opt/appliance-agent';
/** Uploads land here first (same file system as their destination, so the final move is a rename). */
export const INCOMING_DIR = `${INSTALL_ROOT}/.incoming`;
export const CURRENT_LINK = `${INSTALL_ROOT}/current`;
/** The launcher looks for `../node/bin/node` beside the bundle: this link points at one runtime. */
export const NODE_LINK = `${INSTALL_ROOT}/node`;
export const LAUNCHER = `${CURRENT_LINK}/appliance-agent`;
export const CONFIG_DIR = '/etc/appliance-agent';
export const CONFIG_FILE = `${CONFIG_DIR}/agent.json`;
export const TOKEN_FILE = `${CONFIG_DIR}/token`;
export const RUN_DIR = '/run/appliance-agent';
export const UNIT_FILE = '/etc/systemd/system/appliance-agent.service';
export const CRON_FILE = '/etc/cron.d/appliance-agent';
/** Fingerprint of what the running service was started with (see steps/service.ts). */
export const DEPLOYED_FILE = `${INSTALL_ROOT}/.deployed`;
/** Written inside an unpacked directory, last, before it is moved into place: proof it is whole. */
export const SOURCE_SHA_FILE = '.source-sha256';

export const runtimeDir = (version: string): string => `${INSTALL_ROOT}/node-${version}`;
export const agentDir = (version: string): string => `${INSTALL_ROOT}/${version}`;
/** The agent's own data and logs: kept by uninstall unless it purges (agents/protocol/agent-config.ts defaults). */
export const STATE_DIR = '/var/lib/appliance-agent';
export const LOG_DIR = '/var/log/appliance-agent';
/**
 * What the machine ran when it was last confirmed healthy, saved by the first step of a run that
 * switches something (see steps/rollback.ts); present only while a change is unconfirmed.
 */
export const ROLLBACK_DIR = `${INSTALL_ROOT}/.rollback`;
/** The version that ran before `current`, kept for a rollback by hand (and never pruned). */
export const PREVIOUS_LINK = `${INSTALL_ROOT}/previous`;
/** Agent versions kept besides `current` and `previous` (newest first); older ones are pruned. */
export const KEEP_OLDER_AGENT_VERSIONS = 1;
