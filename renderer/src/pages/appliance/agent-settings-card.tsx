import { Alert, App, Button, Card, Flex, Form, Input, InputNumber, Switch, Table, Typography } from 'antd';
import { useEffect } from 'react';
import type { AgentSettingsDrift, AgentSettingsValues, AgentSettingsView } from '../../../../main/contract/agent-settings.contract';
import { ApiError } from '../../../../main/contract/errors';
import { useAgentSettings, useUpdateAgentSettings } from '../../api/agent-settings-hooks';
import { describeError, describeIssue } from '../../i18n/describe-error';
import { useI18n } from '../../i18n/i18n-context';
import { reasonText } from '../../i18n/reason-text';
import type { PlainMessageKey, Translator } from '../../i18n/translate';

type Prometheus = AgentSettingsValues['prometheus'];
type Field = keyof Prometheus;
type Value = string | number | boolean | null;

const FIELDS: ReadonlyArray<{ key: Field; label: PlainMessageKey }> = [
  { key: 'enabled', label: 'agentSettings.enabled' },
  { key: 'host', label: 'agentSettings.host' },
  { key: 'port', label: 'agentSettings.port' },
  { key: 'requireToken', label: 'agentSettings.requireToken' },
];
/** agent.json's values when nothing was written: what the form starts from on a fresh machine. */
const DEFAULTS: Prometheus = { enabled: false, host: '127.0.0.1', port: 9101, requireToken: false };

/**
 * The agent's own settings (Prometheus /metrics): a form to set the console's intent, and the four
 * places the settings live — the console's intent, settings.json and agent.json on the machine, and
 * what the agent runs — side by side, with every disagreement worded with the value that wins and
 * why (main/agent-settings/agent-settings-drift.ts decides; this card only words it).
 */
export function AgentSettingsCard({ applianceId }: { applianceId: string }) {
  const translator = useI18n();
  const { t } = translator;
  const { message } = App.useApp();
  const settings = useAgentSettings(applianceId);
  const update = useUpdateAgentSettings(applianceId);
  const [form] = Form.useForm<Prometheus>();
  const view = settings.data;

  // The form follows each answer: after Apply, the intent just recorded.
  useEffect(() => {
    if (view) form.setFieldsValue(formStart(view));
  }, [view, form]);

  const apply = (values: Prometheus) =>
    update.mutate(values, {
      onSuccess: (r) => void message.success(t(r.changed ? 'agentSettings.applied' : 'agentSettings.unchanged')),
      onError: (error) => {
        if (error instanceof ApiError && error.code === 'invalid-input' && error.issues?.length) {
          form.setFields(error.issues.map((i) => ({ name: i.path.split('.').pop() as Field, errors: [describeIssue(translator, i)] })));
        } else void message.error(describeError(translator, error));
      },
    });

  return (
    <Card
      size="small"
      title={t('agentSettings.title')}
      data-testid="agent-settings-card"
      extra={
        <Button size="small" onClick={() => void settings.refetch()} loading={settings.isFetching} data-testid="agent-settings-refresh">
          {t('agentSettings.refresh')}
        </Button>
      }
    >
      <Flex vertical gap={12}>
        <Typography.Text type="secondary">{t('agentSettings.help')}</Typography.Text>
        {settings.isError && <Alert type="error" showIcon message={describeError(translator, settings.error)} />}
        {view && !view.machine && (
          <Alert type="warning" showIcon data-testid="agent-settings-not-reached" message={t('agentSettings.notReached', { reason: reasonText(translator, view.reasonCode, view.reasonParams, null) ?? view.reasonCode ?? '' })} />
        )}
        {view && view.drift.length > 0 && <DriftAlert translator={translator} drift={view.drift} />}
        {view?.machine?.applyError && <Alert type="error" showIcon message={t('agentSettings.applyError', { error: view.machine.applyError })} />}
        <Form form={form} layout="inline" onFinish={apply} disabled={!view} data-testid="agent-settings-form">
          <Form.Item name="enabled" label={t('agentSettings.enabled')} valuePropName="checked">
            <Switch data-testid="agent-settings-enabled" />
          </Form.Item>
          <Form.Item name="host" label={t('agentSettings.host')} rules={[{ required: true, whitespace: true, message: t('issues.required') }]}>
            <Input style={{ width: 160 }} data-testid="agent-settings-host" />
          </Form.Item>
          <Form.Item name="port" label={t('agentSettings.port')} rules={[{ required: true, message: t('issues.required') }]}>
            <InputNumber min={1} max={65535} precision={0} style={{ width: 110 }} data-testid="agent-settings-port" />
          </Form.Item>
          <Form.Item name="requireToken" label={t('agentSettings.requireToken')} valuePropName="checked" tooltip={t('agentSettings.tokenHint')}>
            <Switch data-testid="agent-settings-token" />
          </Form.Item>
          <Form.Item>
            <Button type="primary" htmlType="submit" loading={update.isPending} data-testid="agent-settings-apply">
              {t('agentSettings.apply')}
            </Button>
          </Form.Item>
        </Form>
        {view && <LayersTable translator={translator} view={view} />}
        {view && <Typography.Text type="secondary">{footnote(translator, view)}</Typography.Text>}
      </Flex>
    </Card>
  );
}

/** What the form shows: the console's intent, else what the machine's files say (the later winning), else agent.json's defaults. */
function formStart(view: AgentSettingsView): Prometheus {
  return (view.intent?.settings ?? view.machine?.file ?? view.machine?.agentJson ?? { prometheus: DEFAULTS }).prometheus;
}

/** Each setting in the four places it lives. */
function LayersTable({ translator, view }: { translator: Translator; view: AgentSettingsView }) {
  const { t } = translator;
  const m = view.machine;
  const rows = FIELDS.map((f) => ({
    key: f.key,
    label: t(f.label),
    intent: view.intent?.settings.prometheus[f.key] ?? null,
    file: m?.file?.prometheus[f.key] ?? null,
    agentJson: m?.agentJson.prometheus[f.key] ?? null,
    running: m?.running.prometheus[f.key] ?? null,
  }));
  const cell = (v: Value) => shown(translator, v);
  return (
    <Table
      size="small"
      pagination={false}
      rowKey="key"
      dataSource={rows}
      data-testid="agent-settings-layers"
      columns={[
        { key: 'label', title: t('agentSettings.col.setting'), dataIndex: 'label' },
        { key: 'intent', title: t('agentSettings.col.intent'), render: (_, r) => cell(r.intent) },
        { key: 'file', title: t('agentSettings.col.file'), render: (_, r) => cell(r.file) },
        { key: 'agentJson', title: t('agentSettings.col.agentJson'), render: (_, r) => cell(r.agentJson) },
        { key: 'running', title: t('agentSettings.col.running'), render: (_, r) => cell(r.running) },
      ]}
    />
  );
}

function DriftAlert({ translator, drift }: { translator: Translator; drift: readonly AgentSettingsDrift[] }) {
  return (
    <Alert
      type="warning"
      showIcon
      data-testid="agent-settings-drift"
      message={translator.t('agentSettings.drift.title')}
      description={
        <ul style={{ margin: 0, paddingInlineStart: 18 }}>
          {drift.flatMap((d) => driftTexts(translator, d).map((text, i) => <li key={`${d.field}-${i}`} data-field={d.field}>{text}</li>))}
        </ul>
      }
    />
  );
}

/** One line per way a field disagrees, each saying which value wins and until when. */
function driftTexts(translator: Translator, d: AgentSettingsDrift): string[] {
  const { t } = translator;
  const field = t(FIELDS.find((f) => `prometheus.${f.key}` === d.field)?.label ?? 'agentSettings.col.setting');
  const file = d.wins === 'settings-file' ? 'settings.json' : 'agent.json';
  const value = shown(translator, d.wins === 'settings-file' ? d.file : d.agentJson);
  const texts: string[] = [];
  if (d.restartPending) texts.push(t('agentSettings.drift.restart', { field, running: shown(translator, d.running), file, value }));
  if (d.intentPending) texts.push(t('agentSettings.drift.intent', { field, intent: shown(translator, d.intent), file, value }));
  if (d.agentJsonOverridden) texts.push(t('agentSettings.drift.overridden', { field, agentJson: shown(translator, d.agentJson), value: shown(translator, d.file) }));
  return texts;
}

function footnote({ t }: Translator, view: AgentSettingsView): string {
  const m = view.machine;
  const parts = [m ? (m.file ? t('agentSettings.fileWins', { path: m.path }) : t('agentSettings.noFile')) : null, view.intent ? null : t('agentSettings.noIntent'), m && view.drift.length === 0 ? t('agentSettings.inSync') : null];
  return parts.filter((p) => p !== null).join(' ');
}

function shown({ t }: Translator, v: Value): string {
  if (v === null) return '—';
  if (typeof v === 'boolean') return t(v ? 'agentSettings.on' : 'agentSettings.off');
  return String(v);
}
