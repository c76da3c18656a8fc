import { Alert, Button } from 'antd';
import { describeError } from '../i18n/describe-error';
import { useI18n } from '../i18n/i18n-context';

/** A failed load, translated, with a retry. */
export function QueryErrorAlert({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const translator = useI18n();
  return (
    <Alert
      type="error"
      showIcon
      title={translator.t('common.loadFailed')}
      description={describeError(translator, error)}
      action={onRetry ? <Button size="small" onClick={onRetry}>{translator.t('common.retry')}</Button> : undefined}
    />
  );
}
