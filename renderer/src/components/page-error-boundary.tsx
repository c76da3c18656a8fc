import { Button, Result } from 'antd';
import { Component, type ReactNode } from 'react';
import { retryFailedPages } from '../app/lazy-page';
import { useI18n } from '../i18n/i18n-context';

interface BoundaryProps {
  children: ReactNode;
  fallback: (retry: () => void) => ReactNode;
}

class ErrorBoundary extends Component<BoundaryProps, { failed: boolean }> {
  override state = { failed: false };

  static getDerivedStateFromError(): { failed: boolean } {
    return { failed: true };
  }

  override componentDidCatch(error: unknown): void {
    console.error('Page crashed', error);
  }

  override render(): ReactNode {
    return this.state.failed
      ? this.props.fallback(() => {
          // A page whose code failed to load gets a fresh loader (app/lazy-page.tsx).
          retryFailedPages();
          this.setState({ failed: false });
        })
      : this.props.children;
  }
}

/**
 * A crash or a failed lazy chunk stays inside the page: navigation and the header keep working.
 * The layout keys it by route, so moving to another page also clears it.
 */
export function PageErrorBoundary({ children }: { children: ReactNode }) {
  const { t } = useI18n();
  return (
    <ErrorBoundary
      fallback={(retry) => (
        <Result
          status="error"
          title={t('page.crashed')}
          subTitle={t('page.crashedDetail')}
          extra={<Button onClick={retry}>{t('common.retry')}</Button>}
        />
      )}
    >
      {children}
    </ErrorBoundary>
  );
}
