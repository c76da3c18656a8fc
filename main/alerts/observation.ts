/**
 * What the collectors (issue 4) hand the alert engine each round, one per appliance. This is the
 * engine's whole view of the world: it never reaches the network or the agent itself.
 */
export interface ApplianceObservation {
  applianceId: string;
  name: string;
  /** ms since epoch, console clock, when this was observed. */
  at: number;
  /**
   * SSH reachability. `not-provisioned`: no agent installed by this console yet — neither offline
   * nor agent-down is an alarm then. `reasonCode`/`reasonParams`: the status reason (`ssh.*`, …).
   */
  connectivity: { state: 'online' | 'degraded' | 'offline' | 'not-provisioned'; since: number; reason: string | null; reasonCode?: string | null; reasonParams?: Record<string, string | number> };
  /** null when the agent could not be asked (offline) — then agent/service rules keep their state, they don't resolve. */
  agent: null | {
    health: 'ok' | 'degraded' | 'failing';
    services: {
      name: string;
      state: string /* e.g. running | stopped | backoff | flapping | failed */;
      restarts: number;
      flapping: boolean;
      /**
       * A service module's readiness probe (plain services have none). Optional addition: `since` is
       * when the probe's state last changed, ms on the console's clock (the agent's moved by its skew).
       */
      readiness?: { state: 'pending' | 'ready' | 'unready' | 'not-running'; since: number | null; probe: string; message: string | null; consecutiveFailures: number };
    }[];
  };
  /** Latest values with units in the key: 'cpu.util_percent', 'memory.used_percent',
   *  'fs.used_percent{mount=/srv/disks/d1}', 'fs.inodes_used_percent{mount=…}',
   *  'temp.celsius{sensor=…}', 'clock.skew_seconds'. Missing = unknown, not zero. */
  metrics: Record<string, number>;
  disks: {
    device: string;
    verdict: 'healthy' | 'warning' | 'failing' | 'failed';
    reasons: string[];
    /** The same reasons as codes with params (smart-verdict REASON_CODES), worded by the UI. */
    reasonCodes?: { code: string; params: Record<string, string | number> }[];
    temperatureC: number | null;
    /**
     * The drive's own temperature limit (smart-verdict's `temperatureLimitC`: drive_trip, op_limit_max
     * or the class default). Optional addition to the agreed interface: the disk-temperature rule
     * fires at this limit even when the configured °C is higher.
     */
    temperatureLimitC?: number | null;
    lastSelfTest: null | { status: 'passed' | 'failed' | 'aborted' | 'in-progress'; at: number | null; kind: string };
  }[];
}
