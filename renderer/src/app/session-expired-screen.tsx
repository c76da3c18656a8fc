import { Result, Typography } from 'antd';
import { useEffect } from 'react';
import { HTTP_PATHS } from '../../../main/contract/transport';
import { useI18n } from '../i18n/i18n-context';

/**
 * The headless host answered 401. Retrying cannot help: the session cookie only comes from the
 * one-time login URL that `appliance-console serve` prints, so say exactly that.
 */
export function SessionExpiredScreen() {
  const { t } = useI18n();
  const loginShape = `${window.location.origin}${HTTP_PATHS.login}?token=…`;
  useEffect(() => {
    document.title = `${t('session.expiredTitle')} · ${t('app.title')}`;
  }, [t]);
  return (
    <div data-testid="session-expired" style={{ display: 'flex', height: '100%', alignItems: 'center', justifyContent: 'center' }}>
      <Result
        status="warning"
        title={t('session.expiredTitle')}
        subTitle={
          <>
            <Typography.Paragraph>{t('session.expiredDetail')}</Typography.Paragraph>
            <Typography.Paragraph>
              <Typography.Text code>appliance-console serve</Typography.Text>
            </Typography.Paragraph>
            <Typography.Paragraph type="secondary">{t('session.loginUrlShape', { url: loginShape })}</Typography.Paragraph>
          </>
        }
      />
    </div>
  );
}
