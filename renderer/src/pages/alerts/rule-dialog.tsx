import { Alert as AntAlert, App, Form, InputNumber, Modal, Switch, Typography } from 'antd';
import { useState } from 'react';
import { MAX_RULE_DURATION_SECONDS, type AlertRule } from '../../../../main/contract/alerts.contract';
import { ApiError } from '../../../../main/contract/errors';
import { useUpdateAlertRule } from '../../api/alerts-hooks';
import { describeError, describeIssue } from '../../i18n/describe-error';
import { useI18n } from '../../i18n/i18n-context';
import { formatDuration, formatValue, ruleTitle } from './alert-labels';

/** Thresholds (each in its unit, within its range), duration and on/off; the host validates the whole. */
export function RuleDialog({ rule, onClose }: { rule: AlertRule; onClose: () => void }) {
  const translator = useI18n();
  const { t } = translator;
  const { message } = App.useApp();
  const [thresholds, setThresholds] = useState<Record<string, number | null>>(Object.fromEntries(rule.thresholds.map((x) => [x.key, x.value])));
  const [duration, setDuration] = useState<number | null>(rule.durationSeconds);
  const [enabled, setEnabled] = useState(rule.enabled);
  const update = useUpdateAlertRule();
  const issues = update.error instanceof ApiError ? (update.error.issues ?? []) : [];
  const issueFor = (path: string) => issues.find((i) => i.path === path);
  const complete = duration !== null && Object.values(thresholds).every((v) => v !== null);

  const submit = () => {
    if (!complete) return;
    update.mutate(
      { id: rule.id, thresholds: thresholds as Record<string, number>, durationSeconds: duration, enabled },
      {
        onSuccess: () => {
          void message.success(t('alerts.rules.saved'));
          onClose();
        },
      },
    );
  };
  const durationIssue = issueFor('durationSeconds');
  return (
    <Modal
      open
      title={t('alerts.rules.editTitle', { rule: ruleTitle(translator, rule.id) })}
      okText={t('alerts.rules.save')}
      cancelText={t('common.cancel')}
      onOk={submit}
      onCancel={onClose}
      okButtonProps={{ loading: update.isPending, disabled: !complete, 'data-testid': 'rule-save' }}
    >
      <Form layout="vertical">
        {rule.thresholds.map((x) => {
          const issue = issueFor(`thresholds.${x.key}`);
          return (
            <Form.Item
              key={x.key}
              label={translator.lookup(`alerts.threshold.${x.key}`) ?? x.key}
              validateStatus={issue ? 'error' : undefined}
              help={issue ? describeIssue(translator, issue) : t('alerts.rules.default', { value: formatValue(translator, x.unit, x.defaultValue) })}
            >
              <InputNumber
                min={x.min}
                max={x.max}
                value={thresholds[x.key]}
                onChange={(v) => setThresholds((prev) => ({ ...prev, [x.key]: v }))}
                data-testid={`rule-threshold-${x.key}`}
                style={{ width: 200 }}
              />
            </Form.Item>
          );
        })}
        <Form.Item
          label={t('alerts.rules.durationSeconds')}
          validateStatus={durationIssue ? 'error' : undefined}
          help={durationIssue ? describeIssue(translator, durationIssue) : `${t('alerts.rules.durationHelp')} ${t('alerts.rules.default', { value: formatDuration(translator, rule.defaultDurationSeconds) })}`}
        >
          <InputNumber min={0} max={MAX_RULE_DURATION_SECONDS} precision={0} value={duration} onChange={setDuration} data-testid="rule-duration" style={{ width: 200 }} />
        </Form.Item>
        <Form.Item label={t('alerts.rules.column.enabled')}>
          <Switch checked={enabled} onChange={setEnabled} data-testid="rule-enabled" />
        </Form.Item>
      </Form>
      {duration !== null && <Typography.Text type="secondary">{formatDuration(translator, duration)}</Typography.Text>}
      {update.isError && issues.length === 0 && <AntAlert type="error" showIcon title={describeError(translator, update.error)} />}
    </Modal>
  );
}
