import { PlusOutlined } from '@ant-design/icons';
import { Button, Empty, Typography } from 'antd';
import { useI18n } from '../../i18n/i18n-context';

/** What an empty table means and the one thing to do about it. */
export function FleetEmptyState({ filtered, onAdd, onClearFilters }: { filtered: boolean; onAdd(): void; onClearFilters(): void }) {
  const { t } = useI18n();
  if (filtered) {
    return (
      <Empty data-testid="fleet-empty-filtered" image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('fleet.empty.filtered')}>
        <Button onClick={onClearFilters}>{t('fleet.filter.clear')}</Button>
      </Empty>
    );
  }
  return (
    <Empty
      data-testid="fleet-empty"
      description={
        <>
          <Typography.Text strong>{t('fleet.empty.title')}</Typography.Text>
          <br />
          <Typography.Text type="secondary">{t('fleet.empty.detail')}</Typography.Text>
        </>
      }
    >
      <Button type="primary" icon={<PlusOutlined />} onClick={onAdd} data-testid="fleet-empty-add">
        {t('fleet.add')}
      </Button>
    </Empty>
  );
}
