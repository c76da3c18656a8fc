import { Result, Typography } from 'antd';
import { useI18n } from '../i18n/i18n-context';

/** An honest placeholder: says the page is not built and which feature brings it. No fake data. */
export function NotBuiltPage({ title, feature }: { title: string; feature: string }) {
  const { t } = useI18n();
  return (
    <div data-testid="page-not-built">
      <Typography.Title level={4} style={{ margin: 0 }}>
        {title}
      </Typography.Title>
      <Result status="info" title={t('notBuilt.title')} subTitle={t('notBuilt.detail', { feature })} />
    </div>
  );
}
