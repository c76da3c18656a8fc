import { NotBuiltPage } from '../../components/not-built-page';
import { useI18n } from '../../i18n/i18n-context';

export default function ProductionPage() {
  const { t } = useI18n();
  return <NotBuiltPage title={t('nav.production')} feature={t('features.production')} />;
}
