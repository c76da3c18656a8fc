import { Alert as AntAlert, App, Form, Input, InputNumber, Modal, Radio, Typography } from 'antd';
import { useState } from 'react';
import { MAX_SILENCE_MINUTES, type Alert } from '../../../../main/contract/alerts.contract';
import { useSilenceAlerts } from '../../api/alerts-hooks';
import { describeError, describeIssue } from '../../i18n/describe-error';
import { useI18n } from '../../i18n/i18n-context';
import { ApiError } from '../../../../main/contract/errors';
import { ruleTitle } from './alert-labels';

type Scope = 'subject' | 'rule' | 'appliance';
const PRESETS = { '1h': 60, '4h': 240, '24h': 1440 } as const;
type Preset = keyof typeof PRESETS | 'custom';

/** Silence from an alert: this alert, its rule on this appliance, or the whole appliance, for a while. */
export function SilenceDialog({ alert, onClose }: { alert: Alert; onClose: () => void }) {
  const translator = useI18n();
  const { t } = translator;
  const { message } = App.useApp();
  const [scope, setScope] = useState<Scope>(alert.subject ? 'subject' : 'rule');
  const [preset, setPreset] = useState<Preset>('1h');
  const [minutes, setMinutes] = useState<number | null>(90);
  const [reason, setReason] = useState('');
  const silence = useSilenceAlerts();
  const durationMinutes = preset === 'custom' ? (minutes ?? 0) : PRESETS[preset];
  const issues = silence.error instanceof ApiError ? (silence.error.issues ?? []) : [];
  const issueFor = (path: string) => issues.find((i) => i.path === path);

  const submit = () => {
    const match =
      scope === 'appliance'
        ? { applianceId: alert.applianceId }
        : scope === 'rule'
          ? { ruleId: alert.ruleId, applianceId: alert.applianceId }
          : { ruleId: alert.ruleId, applianceId: alert.applianceId, subject: alert.subject };
    silence.mutate(
      { match, durationMinutes, reason },
      {
        onSuccess: () => {
          void message.success(t('alerts.silence.done'));
          onClose();
        },
      },
    );
  };
  const reasonIssue = issueFor('reason');
  const durationIssue = issueFor('durationMinutes');
  return (
    <Modal
      open
      title={t('alerts.silenceTitle')}
      okText={t('alerts.silence')}
      cancelText={t('common.cancel')}
      onOk={submit}
      onCancel={onClose}
      okButtonProps={{ loading: silence.isPending, disabled: reason.trim() === '' || durationMinutes < 1, 'data-testid': 'silence-submit' }}
    >
      <Form layout="vertical">
        <Form.Item label={t('alerts.silence.scope')}>
          <Radio.Group value={scope} onChange={(e) => setScope(e.target.value as Scope)} data-testid="silence-scope">
            {alert.subject && <Radio value="subject">{t('alerts.silence.scopeSubject', { subject: alert.subject })}</Radio>}
            <Radio value="rule">
              {ruleTitle(translator, alert.ruleId)} — {t('alerts.silence.scopeRule', { appliance: alert.applianceName })}
            </Radio>
            <Radio value="appliance">{t('alerts.silence.scopeAppliance', { appliance: alert.applianceName })}</Radio>
          </Radio.Group>
        </Form.Item>
        <Form.Item label={t('alerts.silence.duration')} validateStatus={durationIssue ? 'error' : undefined} help={durationIssue && describeIssue(translator, durationIssue)}>
          <Radio.Group value={preset} onChange={(e) => setPreset(e.target.value as Preset)} optionType="button" data-testid="silence-preset">
            <Radio.Button value="1h">{t('alerts.silence.1h')}</Radio.Button>
            <Radio.Button value="4h">{t('alerts.silence.4h')}</Radio.Button>
            <Radio.Button value="24h">{t('alerts.silence.24h')}</Radio.Button>
            <Radio.Button value="custom">{t('alerts.silence.custom')}</Radio.Button>
          </Radio.Group>
          {preset === 'custom' && (
            <InputNumber
              style={{ marginInlineStart: 12, width: 160 }}
              min={1}
              max={MAX_SILENCE_MINUTES}
              precision={0}
              value={minutes}
              onChange={setMinutes}
              addonAfter={t('alerts.silence.minutes')}
              data-testid="silence-minutes"
            />
          )}
        </Form.Item>
        <Form.Item label={t('alerts.silence.reason')} extra={t('alerts.silence.reasonHint')} validateStatus={reasonIssue ? 'error' : undefined} help={reasonIssue && describeIssue(translator, reasonIssue)}>
          <Input value={reason} onChange={(e) => setReason(e.target.value)} maxLength={500} data-testid="silence-reason" />
        </Form.Item>
      </Form>
      <Typography.Paragraph type="secondary">{t('alerts.silence.note')}</Typography.Paragraph>
      {silence.isError && issues.length === 0 && <AntAlert type="error" showIcon title={describeError(translator, silence.error)} />}
    </Modal>
  );
}
