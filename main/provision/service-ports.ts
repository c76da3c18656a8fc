/**
 * The TCP ports the agent and the media services it runs listen on, in one place: preflight checks
 * that nothing else holds them, and the services (issue 5) will read their defaults from here.
 *
 * Why these numbers:
 * - Kodo's S3 API: 9000, the port S3-compatible stores (MinIO, Ceph RGW examples) conventionally
 *   use, so S3 clients configured for "a local S3" reach it without edits. Its Qiniu API: 9010,
 *   beside it (Qiniu's SDKs take the host and port from their zone settings, any port works).
 *   The numbers are the module's (agents/protocol/services/kodo.ts).
 * - CDN cache: 80 and 443, because edge clients fetch plain http(s) URLs without a port.
 * - Live streaming: RTMP ingest on 1935 (the protocol's registered port: OBS, encoders and 5G boxes
 *   push there by default) and HTTP-FLV/HLS playback on 8080, clear of the CDN's 80.
 * - The agent's control API is a Unix socket reached over SSH (docs/agent-protocol.md); where sshd
 *   cannot forward sockets it listens on loopback TCP instead. 7431 is that fallback's port: free
 *   in IANA's registry and unlikely to clash with the services above or common tools.
 *
 * Smart boxes push streams to a server; they run none of these services, only the agent.
 */
import { KODO_QINIU_DEFAULT_PORT, KODO_QINIU_PORT_ID, KODO_S3_DEFAULT_PORT, KODO_S3_PORT_ID } from '../../agents/protocol/services/kodo';

export interface ServicePort {
  /** Stable id: the preflight row is `port:<id>`. */
  id: string;
  port: number;
  /** What listens there, in English (the UI translates by id: `preflight.service.<id>`). */
  service: string;
  roles: readonly ('server' | 'smartbox')[];
}

export const AGENT_LOOPBACK_PORT = 7431;

export const SERVICE_PORTS: readonly ServicePort[] = [
  { id: KODO_S3_PORT_ID, port: KODO_S3_DEFAULT_PORT, service: 'Kodo object storage (S3 API)', roles: ['server'] },
  { id: KODO_QINIU_PORT_ID, port: KODO_QINIU_DEFAULT_PORT, service: 'Kodo object storage (Qiniu API)', roles: ['server'] },
  { id: 'cdn-http', port: 80, service: 'CDN cache (HTTP)', roles: ['server'] },
  { id: 'cdn-https', port: 443, service: 'CDN cache (HTTPS)', roles: ['server'] },
  { id: 'live-rtmp', port: 1935, service: 'Live streaming ingest (RTMP)', roles: ['server'] },
  { id: 'live-http', port: 8080, service: 'Live streaming playback (HTTP-FLV/HLS)', roles: ['server'] },
  { id: 'agent-loopback', port: AGENT_LOOPBACK_PORT, service: 'Agent control API, loopback fallback', roles: ['server', 'smartbox'] },
];

export function servicePortsFor(role: 'server' | 'smartbox'): ServicePort[] {
  return SERVICE_PORTS.filter((p) => p.roles.includes(role));
}
