import { NotBuiltPage } from '../../components/not-built-page';
import { useI18n } from '../../i18n/i18n-context';

export default function ReportsPage() {
  const { t } = useI18n();
  return <NotBuiltPage title={t('nav.reports')} feature={t('features.reports')} />;
}
