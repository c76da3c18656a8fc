import { App, Button, Card, Form, InputNumber, Typography } from 'antd';
import { useEffect } from 'react';
import type { Settings } from '../../../../main/contract/settings.contract';
import { ApiError } from '../../../../main/contract/errors';
import { useSettings, useUpdateSettings } from '../../api/system-hooks';
import { describeError, describeIssue } from '../../i18n/describe-error';
import { useI18n } from '../../i18n/i18n-context';

type Retention = Settings['telemetryRetention'];
const FIELDS = [
  { name: 'rawDays', label: 'settings.retention.raw', max: 30 },
  { name: 'minuteDays', label: 'settings.retention.minute', max: 730 },
  { name: 'hourDays', label: 'settings.retention.hour', max: 3650 },
] as const;

/**
 * How long monitoring data is kept per resolution. The telemetry store reads it when the console
 * starts, so a change applies from the next start (said next to the button).
 */
export function RetentionCard() {
  const translator = useI18n();
  const { t } = translator;
  const { message } = App.useApp();
  const settings = useSettings();
  const update = useUpdateSettings();
  const [form] = Form.useForm<Retention>();
  const current = settings.data?.telemetryRetention;

  useEffect(() => {
    if (current) form.setFieldsValue(current);
  }, [current, form]);

  const save = (values: Retention) =>
    update.mutate(
      { telemetryRetention: values },
      {
        onSuccess: () => void message.success(t('settings.retention.saved')),
        onError: (error) => {
          if (error instanceof ApiError && error.issues?.length) {
            form.setFields(error.issues.map((i) => ({ name: i.path.split('.').pop() as keyof Retention, errors: [describeIssue(translator, i)] })));
          } else void message.error(describeError(translator, error));
        },
      },
    );

  return (
    <Card title={t('settings.retention.title')} size="small" data-testid="settings-retention">
      <Typography.Paragraph type="secondary">{t('settings.retention.help')}</Typography.Paragraph>
      <Form form={form} layout="inline" onFinish={save} disabled={!current}>
        {FIELDS.map((f) => (
          <Form.Item key={f.name} name={f.name} label={t(f.label)} rules={[{ required: true, message: t('issues.required') }]}>
            <InputNumber min={1} max={f.max} precision={0} suffix={t('settings.retention.days')} style={{ width: 130 }} data-testid={`retention-${f.name}`} />
          </Form.Item>
        ))}
        <Form.Item>
          <Button type="primary" htmlType="submit" loading={update.isPending} data-testid="retention-save">
            {t('settings.retention.save')}
          </Button>
        </Form.Item>
      </Form>
      <Typography.Text type="secondary" style={{ display: 'block', marginTop: 8 }}>
        {t('settings.retention.appliesAtStart')}
      </Typography.Text>
    </Card>
  );
}
