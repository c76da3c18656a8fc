import { Alert, Button, Card, Collapse, Empty, Flex, Progress, Space, Tag, Typography } from 'antd';
import { findingText, type DiagnoseLocale } from '../../../../main/contract/diagnose-findings';
import type { DiagnoseFinding } from '../../../../main/contract/diagnose.contract';
import { useDiagnoseRun, useLatestDiagnosis } from '../../api/diagnose-hooks';
import { describeError } from '../../i18n/describe-error';
import { formatLocalTime } from '../../i18n/format';
import { useI18n } from '../../i18n/i18n-context';

const SEVERITY_COLOR = { critical: 'red', warning: 'orange', info: 'blue' } as const;

/**
 * Diagnose on the Appliance page (issue 10 §1): run the read-only checks over SSH (works with the
 * agent down), with progress and cancel; the findings worst first, each with what it means, the
 * remedy and its evidence (the command and its output), marked new since the previous run; what the
 * previous run found that is gone now, as resolved. Texts come from the catalogue the CLI prints.
 */
export function DiagnoseCard({ applianceId }: { applianceId: string }) {
  const translator = useI18n();
  const { t, locale } = translator;
  const latest = useLatestDiagnosis(applianceId);
  const { run, progress, cancel, running } = useDiagnoseRun(applianceId);
  const shown = latest.data ?? null;
  const lang: DiagnoseLocale = locale === 'zh-CN' ? 'zh-CN' : 'en';
  const item = (f: Pick<DiagnoseFinding, 'code' | 'params' | 'subject' | 'severity' | 'evidence'> & { change?: DiagnoseFinding['change'] }, key: string) => {
    const text = findingText(f.code, f.params, lang);
    return {
      key,
      label: (
        <Space wrap data-testid="diagnose-finding" data-code={f.code}>
          <Tag color={SEVERITY_COLOR[f.severity]}>{t(`diagnose.severity.${f.severity}`)}</Tag>
          {f.change === 'new' && shown?.previousRunId !== null && <Tag>{t('diagnose.new')}</Tag>}
          <Typography.Text strong>{text.title}</Typography.Text>
          {f.subject && <Typography.Text type="secondary">{f.subject}</Typography.Text>}
        </Space>
      ),
      children: (
        <Flex vertical gap={4}>
          <Typography.Text>{text.meaning}</Typography.Text>
          <Typography.Text>
            <b>{t('diagnose.remedy')}</b> {text.remedy}
          </Typography.Text>
          <Typography.Text type="secondary">{t('diagnose.evidence')}</Typography.Text>
          <pre style={{ margin: 0, whiteSpace: 'pre-wrap', fontSize: 12 }} data-testid="diagnose-evidence">{`$ ${f.evidence.command}\n${f.evidence.output}`}</pre>
        </Flex>
      ),
    };
  };

  return (
    <Card
      title={t('diagnose.title')}
      data-testid="diagnose-card"
      extra={
        <Space>
          {running && (
            <Button onClick={cancel} data-testid="diagnose-cancel">
              {t('diagnose.cancel')}
            </Button>
          )}
          <Button type="primary" onClick={() => run.mutate()} loading={running} data-testid="diagnose-run">
            {t('diagnose.run')}
          </Button>
        </Space>
      }
    >
      <Flex vertical gap={12}>
        {running && <Progress percent={progress ? Math.round((progress.done / Math.max(1, progress.total)) * 100) : 0} format={() => (progress ? t('diagnose.progress', { done: progress.done, total: progress.total }) : t('diagnose.connecting'))} data-testid="diagnose-progress" />}
        {run.isError && <Alert type="error" showIcon title={describeError(translator, run.error)} />}
        {!shown && !running && <Empty description={t('diagnose.never')} />}
        {shown && (
          <>
            <Typography.Text type="secondary" data-testid="diagnose-summary">
              {t(`diagnose.outcome.${shown.outcome}`, { time: formatLocalTime(shown.finishedAt), checks: shown.checks.length, findings: shown.findings.length })}
            </Typography.Text>
            {shown.findings.length === 0 ? (
              <Alert type="success" showIcon title={t('diagnose.clean')} data-testid="diagnose-clean" />
            ) : (
              <Collapse size="small" items={shown.findings.map((f, i) => item(f, `f${i}`))} />
            )}
            {shown.resolved.length > 0 && (
              <Flex vertical gap={4} data-testid="diagnose-resolved">
                <Typography.Text strong>{t('diagnose.resolved')}</Typography.Text>
                {shown.resolved.map((f, i) => (
                  <Typography.Text key={i} delete type="secondary">
                    {findingText(f.code, f.params, lang).title}
                    {f.subject ? ` — ${f.subject}` : ''}
                  </Typography.Text>
                ))}
              </Flex>
            )}
          </>
        )}
      </Flex>
    </Card>
  );
}
