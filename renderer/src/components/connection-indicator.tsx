import { DisconnectOutlined } from '@ant-design/icons';
import { Tag, Tooltip } from 'antd';
import { useLinkStatus } from '../api/api-context';
import { useI18n } from '../i18n/i18n-context';

/** Shown only while live updates are down; the data on screen may be stale until it clears. */
export function ConnectionIndicator() {
  const { t } = useI18n();
  const link = useLinkStatus();
  if (link !== 'offline') return null;
  return (
    <Tooltip title={t('connection.offlineDetail')}>
      <Tag color="error" icon={<DisconnectOutlined />} data-testid="connection-offline" style={{ marginInlineEnd: 0 }}>
        {t('connection.offline')}
      </Tag>
    </Tooltip>
  );
}
