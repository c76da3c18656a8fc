import { Collapse, Space, Typography } from 'antd';
import type { ProvisionRunResult } from '../../../../main/contract/provision.contract';
import { useI18n } from '../../i18n/i18n-context';
import { reasonText } from '../../i18n/reason-text';

/**
 * Why a provisioning, upgrade or uninstall run failed: the run's code worded in the reader's
 * language (`ssh.*`, `preflight.not-ready`, `agent.unhealthy`, `step-failed`…), and the machine's
 * own English folded away under "What the machine printed" (open at once only from a host that
 * sends no code).
 */
export function RunFailureDetail({ run }: { run: Pick<ProvisionRunResult, 'error' | 'errorCode' | 'errorParams'> }) {
  const translator = useI18n();
  const reason = run.errorCode ? reasonText(translator, run.errorCode, run.errorParams, null) : null;
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      {reason && <Typography.Text data-testid="provision-reason">{reason}</Typography.Text>}
      {run.error && (
        <Collapse
          size="small"
          ghost={Boolean(reason)}
          defaultActiveKey={reason ? [] : ['details']}
          items={[{ key: 'details', label: translator.t('provision.details'), children: <pre style={{ whiteSpace: 'pre-wrap', margin: 0, maxHeight: 200, overflow: 'auto' }}>{run.error}</pre> }]}
        />
      )}
    </Space>
  );
}
