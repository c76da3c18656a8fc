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
  return translator.lookup(code.startsWith('ssh.') ? code : `status.reason.${code}`, clean) ?? english;
}
