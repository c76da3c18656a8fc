import { Alert as AntAlert, App, Form, Input, Modal } from 'antd';
import { useState } from 'react';
import type { Alert } from '../../../../main/contract/alerts.contract';
import { useAcknowledgeAlert } from '../../api/alerts-hooks';
import { describeError } from '../../i18n/describe-error';
import { useI18n } from '../../i18n/i18n-context';
import { ruleTitle } from './alert-labels';

/** "Someone is on it": who (the session), when (the host's clock) and an optional note. */
export function AcknowledgeDialog({ alert, onClose }: { alert: Alert; onClose: () => void }) {
  const translator = useI18n();
  const { t } = translator;
  const { message } = App.useApp();
  const [note, setNote] = useState('');
  const ack = useAcknowledgeAlert();
  const submit = () =>
    ack.mutate(
      { id: alert.id, note },
      {
        onSuccess: () => {
          void message.success(t('alerts.ackDone'));
          onClose();
        },
      },
    );
  return (
    <Modal
      open
      title={t('alerts.ackTitle', { alert: ruleTitle(translator, alert.ruleId), appliance: alert.applianceName })}
      okText={t('alerts.ack')}
      cancelText={t('common.cancel')}
      onOk={submit}
      onCancel={onClose}
      okButtonProps={{ loading: ack.isPending, 'data-testid': 'ack-submit' }}
    >
      <Form layout="vertical">
        <Form.Item label={t('alerts.ackNote')} extra={t('alerts.ackNoteHint')}>
          <Input.TextArea value={note} onChange={(e) => setNote(e.target.value)} maxLength={500} rows={3} data-testid="ack-note" />
        </Form.Item>
      </Form>
      {ack.isError && <AntAlert type="error" showIcon title={describeError(translator, ack.error)} />}
    </Modal>
  );
}
