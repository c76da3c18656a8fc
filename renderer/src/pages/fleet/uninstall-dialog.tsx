import { Alert, Button, Checkbox, Modal, Space, Typography } from 'antd';
import { useState } from 'react';
import type { Appliance } from '../../../../main/contract/fleet.contract';
import { useI18n } from '../../i18n/i18n-context';
import { sshEndpoint } from './fleet-columns';

/**
 * Asks before uninstalling the agent. Data and logs are kept unless the person ticks "purge",
 * which is off each time the dialog opens and adds a warning: a purge cannot be undone.
 */
export function UninstallDialog({ appliance, onConfirm, onClose }: { appliance: Appliance; onConfirm(purge: boolean): void; onClose(): void }) {
  const { t } = useI18n();
  const [purge, setPurge] = useState(false);
  return (
    <Modal
      open
      title={t('appliance.uninstall.title', { name: appliance.name })}
      onCancel={onClose}
      footer={[
        <Button key="cancel" onClick={onClose} data-testid="uninstall-cancel">
          {t('common.cancel')}
        </Button>,
        <Button key="uninstall" type="primary" danger onClick={() => onConfirm(purge)} data-testid="uninstall-confirm">
          {t('appliance.uninstall.confirm')}
        </Button>,
      ]}
    >
      <Space direction="vertical" style={{ width: '100%' }} data-testid="uninstall-dialog">
        <Typography.Text type="secondary">{sshEndpoint(appliance)}</Typography.Text>
        <Typography.Paragraph style={{ margin: 0 }}>{t('appliance.uninstall.consequence')}</Typography.Paragraph>
        <Checkbox checked={purge} onChange={(e) => setPurge(e.target.checked)} data-testid="uninstall-purge">
          {t('appliance.uninstall.purge')}
        </Checkbox>
        {purge && <Alert type="error" showIcon title={t('appliance.uninstall.purgeWarning')} data-testid="uninstall-purge-warning" />}
      </Space>
    </Modal>
  );
}
