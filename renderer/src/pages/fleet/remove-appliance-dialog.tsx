import { Alert, App, Button, Modal, Typography } from 'antd';
import type { Appliance } from '../../../../main/contract/fleet.contract';
import { useRemoveAppliance } from '../../api/fleet-hooks';
import { describeError } from '../../i18n/describe-error';
import { useI18n } from '../../i18n/i18n-context';

/**
 * Asks before removing, naming the appliance, and says what goes with it (its stored logins).
 * Mounted per removal, so its mutation state starts fresh each time.
 */
export function RemoveApplianceDialog({ appliance, onClose }: { appliance: Appliance; onClose(): void }) {
  const translator = useI18n();
  const { t } = translator;
  const { message } = App.useApp();
  const remove = useRemoveAppliance();

  const confirm = (): void =>
    remove.mutate(appliance.id, {
      onSuccess: () => {
        void message.success(t('fleet.removed', { name: appliance.name }));
        onClose();
      },
    });

  return (
    <Modal
      open
      title={t('fleet.removeDialog.title')}
      onCancel={onClose}
      footer={[
        <Button key="cancel" onClick={onClose} data-testid="remove-cancel">
          {t('common.cancel')}
        </Button>,
        <Button key="remove" type="primary" danger loading={remove.isPending} onClick={confirm} data-testid="remove-confirm">
          {t('fleet.remove')}
        </Button>,
      ]}
    >
      <div data-testid="remove-dialog">
        <Typography.Paragraph>{t('fleet.removeDialog.question', { name: appliance.name, address: appliance.address })}</Typography.Paragraph>
        <Typography.Paragraph type="secondary">{t('fleet.removeDialog.consequence')}</Typography.Paragraph>
        {remove.isError && <Alert type="error" showIcon title={describeError(translator, remove.error)} />}
      </div>
    </Modal>
  );
}
