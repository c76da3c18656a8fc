import { Alert, Button, Flex, Space, Spin, Typography } from 'antd';
import { useEffect, useMemo } from 'react';
import type { Appliance } from '../../../../../main/contract/fleet.contract';
import type { PreflightResult } from '../../../../../main/contract/provision.contract';
import { describeError } from '../../../i18n/describe-error';
import { formatLocalTime } from '../../../i18n/format';
import { useI18n } from '../../../i18n/i18n-context';
import type { Translator } from '../../../i18n/translate';
import { PreflightTable } from './preflight-table';
import { useFocusWhen, usePreflight } from './wizard-hooks';

/** Why the console could not look: an SSH failure in words (`ssh.<code>`), or the script's own error. */
function describeFailure(translator: Translator, failure: NonNullable<PreflightResult['failure']>): string {
  if (failure.code === 'preflight-error') return translator.t('preflight.error', { message: failure.message });
  return translator.lookup(`ssh.${failure.code}`, failure.params) ?? failure.message;
}

const RANK = { fail: 0, warning: 1, ok: 2 } as const;

interface PreflightStepProps {
  appliance: Appliance;
  onBack(): void;
  onInstall(result: PreflightResult): void;
}

/**
 * Step 3: what the install would find (`provision.preflight`, which changes nothing), as a table with
 * remedies. Install stays disabled while any row blocks it; Re-check looks again after a fix.
 */
export function PreflightStep({ appliance, onBack, onInstall }: PreflightStepProps) {
  const translator = useI18n();
  const { t } = translator;
  const preflight = usePreflight();
  const { mutate } = preflight;
  useEffect(() => {
    mutate(appliance.id);
  }, [appliance.id, mutate]);

  const result = preflight.isPending ? undefined : preflight.data;
  const failing = result?.rows.filter((r) => r.status === 'fail').length ?? 0;
  const warnings = result?.rows.filter((r) => r.status === 'warning').length ?? 0;
  const canInstall = result?.ok === true && failing === 0;
  // What needs attention first; the rest keeps the report's order (system, resources, disks, ports).
  const rows = useMemo(() => (result ? [...result.rows].sort((a, b) => RANK[a.status] - RANK[b.status]) : []), [result]);
  const installRef = useFocusWhen(canInstall);

  return (
    <>
      {preflight.isPending && (
        <Space style={{ marginBlock: 16 }}>
          <Spin size="small" /> {t('wizard.preflight.checking')}
        </Space>
      )}
      {preflight.isError && <Alert type="error" showIcon title={describeError(translator, preflight.error)} data-testid="wizard-preflight-error" />}
      {result && !result.ok && result.failure && (
        <Alert type="error" showIcon title={t('wizard.preflight.failed')} description={describeFailure(translator, result.failure)} data-testid="wizard-preflight-error" data-code={result.failure.code} />
      )}
      {result?.ok && (
        <Space direction="vertical" style={{ width: '100%' }}>
          <Alert
            data-testid="wizard-preflight-summary"
            data-failing={failing}
            data-warnings={warnings}
            type={failing > 0 ? 'error' : warnings > 0 ? 'warning' : 'success'}
            showIcon
            title={failing > 0 ? t('wizard.preflight.blocked', { count: failing }) : warnings > 0 ? t('wizard.preflight.warnings', { count: warnings }) : t('wizard.preflight.ready')}
          />
          <PreflightTable rows={rows} />
          <Typography.Text type="secondary">{t('wizard.preflight.checkedAt', { time: formatLocalTime(result.checkedAt) })}</Typography.Text>
        </Space>
      )}
      <Flex justify="end" gap={8} style={{ marginTop: 16 }}>
        <Button onClick={onBack} data-testid="wizard-back">
          {t('wizard.back')}
        </Button>
        <Button onClick={() => preflight.mutate(appliance.id)} loading={preflight.isPending} data-testid="wizard-recheck">
          {t('wizard.preflight.recheck')}
        </Button>
        <Button ref={installRef} type="primary" disabled={!canInstall} onClick={() => result && onInstall(result)} data-testid="wizard-install">
          {t('wizard.preflight.install')}
        </Button>
      </Flex>
    </>
  );
}
