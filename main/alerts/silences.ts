import type { AlertRuleId } from './types';

/** A silence as stored (times in ms since epoch). */
export interface SilenceRecord {
  id: string;
  match: { ruleId?: AlertRuleId; applianceId?: string; subject?: string };
  startsAt: number;
  endsAt: number;
  reason: string;
  createdBy: string;
  liftedAt: number | null;
  liftedBy: string | null;
}

/** In force now: started, not yet ended, not lifted. An expired silence needs no clean-up. */
export function isSilenceActive(s: SilenceRecord, now: number): boolean {
  return s.liftedAt === null && s.startsAt <= now && now < s.endsAt;
}

/** Every field the silence names must match; fields it leaves out match anything. */
export function silenceMatches(s: SilenceRecord, a: { ruleId: string; applianceId: string; subject: string }): boolean {
  const m = s.match;
  return (m.ruleId === undefined || m.ruleId === a.ruleId) && (m.applianceId === undefined || m.applianceId === a.applianceId) && (m.subject === undefined || m.subject === a.subject);
}

export function matchingSilence(silences: readonly SilenceRecord[], a: { ruleId: string; applianceId: string; subject: string }, now: number): SilenceRecord | undefined {
  return silences.find((s) => isSilenceActive(s, now) && silenceMatches(s, a));
}
