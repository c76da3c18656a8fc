/**
 * The agent's command line after the watchdog became a shell script: `--daemon` still passes the
 * path options on (the watchdog runs the agent with them), and `--watchdog`, which ran the old Node
 * watchdog, is gone from the modes and the help text (an old command line fails with exit 2 and
 * the usage, rather than starting an agent in the foreground).
 */
import { describe, expect, it } from 'vitest';
import { parseCli, USAGE } from '../../agents/agent/cli-args';
import { ConfigError } from '../../agents/agent/exit-codes';

describe('agent command line', () => {
  it('--daemon keeps the path options for the agent its watchdog starts', () => {
    const cli = parseCli(['--daemon', '--config', '/etc/a/agent.json', '--run-dir', '/tmp/run'], { APPLIANCE_AGENT_LOG_DIR: '/tmp/log' });
    expect(cli.mode).toBe('daemon');
    expect(cli.pathArgs).toEqual(['--config', '/etc/a/agent.json', '--run-dir', '/tmp/run', '--log-dir', '/tmp/log']);
  });

  it('no longer knows --watchdog: refused with the usage, and the help does not offer it', () => {
    expect(() => parseCli(['--watchdog'], {})).toThrow(ConfigError);
    expect(() => parseCli(['--watchdog'], {})).toThrow(/Unknown option '--watchdog'[\s\S]*Usage: appliance-agent/);
    expect(USAGE).not.toContain('--watchdog');
    expect(USAGE).toContain('--daemon');
  });
});
