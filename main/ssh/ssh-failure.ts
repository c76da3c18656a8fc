import { SSH_FAILURE_CODES } from '../contract/onboarding.contract';
import { formatEndpoint } from '../contract/network-address';

/**
 * Why an SSH connection did not get where it was going, in words a person can act on. The codes
 * are stable and declared in the contract (the onboarding UI translates them); messages are
 * English, for logs and the CLI.
 */
export { SSH_FAILURE_CODES };
export type SshFailureCode = (typeof SSH_FAILURE_CODES)[number];

export interface SshFailure {
  code: SshFailureCode;
  message: string;
  params?: Record<string, string | number>;
}

export function describeSocketError(err: NodeJS.ErrnoException, target: { address: string; port: number }, timeoutMs: number): SshFailure {
  const where = formatEndpoint(target.address, target.port);
  switch (err.code) {
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
      return { code: 'name-not-resolved', message: `The name ${target.address} does not resolve; check the spelling or use an IP address`, params: { address: target.address } };
    case 'ECONNREFUSED':
      return { code: 'connection-refused', message: `${where} refused the connection; is sshd running and listening on port ${target.port}?`, params: { endpoint: where } };
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EHOSTDOWN':
    case 'ENETDOWN':
      return { code: 'host-unreachable', message: `${target.address} cannot be reached from this machine (no route); check the network or VPN`, params: { address: target.address } };
    case 'ETIMEDOUT':
      return timeoutFailure(target, timeoutMs);
    default:
      return { code: 'protocol-error', message: `Connection to ${where} failed: ${err.message}`, params: { endpoint: where } };
  }
}

export function timeoutFailure(target: { address: string; port: number }, timeoutMs: number): SshFailure {
  return {
    code: 'timeout',
    message: `No SSH answer from ${formatEndpoint(target.address, target.port)} within ${Math.round(timeoutMs / 1000)} s; the machine may be off, or a firewall drops the traffic`,
    params: { endpoint: formatEndpoint(target.address, target.port), seconds: Math.round(timeoutMs / 1000) },
  };
}
