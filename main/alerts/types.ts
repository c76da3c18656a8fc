/** The contract's alert vocabulary, re-exported so engine modules import one place. */
export type { AlertRuleId, AlertSeverity, AlertState, ThresholdUnit } from '../contract/alerts.contract';
import type { z } from 'zod';
import type { alertResolution } from '../contract/alerts.contract';
export type AlertResolution = z.infer<typeof alertResolution>;
