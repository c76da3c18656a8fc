import type { Translator } from './translate';

type ReasonParams = Readonly<Record<string, string | number | null>>;

/**
 * Why an appliance is not online (or an inventory is stale, or an alert fired), in the reader's
 * language from the host's code and parameters: `ssh.<failure>` uses the connection test's texts,
 * `agent.*` and run outcomes the status texts. The host's English only for a code this build does
 * not know (a newer host), never for one it does.
 */
export function reasonText(translator: Translator, code: string | null | undefined, params: ReasonParams, english: string | null): string | null {
  if (!code) return english;
  const clean: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(params)) if (v !== null) clean[k] = v;
  if (code === 'agent.reports') {
    const problemCode = String(clean.code ?? '');
    const label = translator.lookup(`appliance.health.code.${problemCode}`) ?? problemCode;
    const subject = String(clean.subject ?? '');
    return translator.tp('status.reason.agent.reports', { count: clean.count ?? 1, problem: subject ? `${subject} ${label}` : label });
  }
  // Words inside words: the silent agent's cause and the failed step's name are codes too. A cause
  // this build does not know (a newer host, an older record without one) keeps the host's English.
  if (code === 'agent.silent') {
    const cause = translator.lookup(`status.reason.agent.cause.${String(clean.cause ?? '')}`);
    if (!cause) return english;
    return translator.lookup('status.reason.agent.silent', { ...clean, cause }) ?? english;
  }
  if (code === 'step-failed') {
    const step = String(clean.step ?? '');
    return translator.lookup('status.reason.step-failed', { ...clean, step: translator.lookup(`provision.step.${step}`) ?? step }) ?? english;
  }
  return translator.lookup(code.startsWith('ssh.') ? code : `status.reason.${code}`, clean) ?? english;
}
