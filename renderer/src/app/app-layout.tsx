import { Flex, Layout, Spin, theme } from 'antd';
import { startTransition, Suspense, useEffect, useState } from 'react';
import { Navigate, Route, Routes, useLocation } from 'react-router';
import { ConnectionIndicator } from '../components/connection-indicator';
import { LanguageSwitcher } from '../components/language-switcher';
import { PageErrorBoundary } from '../components/page-error-boundary';
import { ThemeSwitcher } from '../components/theme-switcher';
import { useI18n } from '../i18n/i18n-context';
import { lazyPage } from './lazy-page';
import { DEFAULT_NAV_KEY, NAV_ENTRIES } from './navigation';
import { SideNav } from './side-nav';

/** One appliance, under Fleet (`/fleet/<id>`): the path's first part keeps the Fleet nav item selected. */
const appliancePage = lazyPage(() => import('../pages/appliance/appliance-page'));

/** Shell: navigation on the left, status and preferences in the header, the page in the middle. */
export function AppLayout() {
  const { t } = useI18n();
  const { token } = theme.useToken();
  const location = useLocation();
  const [collapsed, setCollapsed] = useState(false);
  // The header's controls (theme, language, connection) render just after the page, in a
  // transition: they are not what a person opens the console for, and their segmented controls
  // and tooltips were a good part of the shell's first render (`npm run bench -- ui`).
  const [headerShown, setHeaderShown] = useState(false);
  useEffect(() => startTransition(() => setHeaderShown(true)), []);
  const currentKey = location.pathname.split('/')[1] || DEFAULT_NAV_KEY;
  const current = NAV_ENTRIES.find((entry) => entry.key === currentKey);

  // The window/tab title follows the page and the language (no English title on a Chinese screen).
  useEffect(() => {
    document.title = current ? `${t(current.labelKey)} · ${t('app.title')}` : t('app.title');
  }, [current, t]);

  return (
    <Layout style={{ height: '100%' }}>
      <Layout.Sider
        collapsible
        collapsed={collapsed}
        onCollapse={setCollapsed}
        theme="light"
        width={216}
        style={{ borderInlineEnd: `1px solid ${token.colorBorderSecondary}` }}
      >
        <Flex align="center" gap={8} style={{ height: 56, paddingInline: collapsed ? 24 : 20, overflow: 'hidden', whiteSpace: 'nowrap' }}>
          <img src={APP_MARK} alt="" width={24} height={24} />
          {!collapsed && <span style={{ fontSize: 15, fontWeight: 600, color: token.colorText }}>{t('app.title')}</span>}
        </Flex>
        <SideNav currentKey={currentKey} collapsed={collapsed} />
      </Layout.Sider>
      <Layout>
        <Layout.Header
          style={{
            height: 56,
            lineHeight: 'normal',
            paddingInline: 24,
            background: token.colorBgContainer,
            borderBottom: `1px solid ${token.colorBorderSecondary}`,
          }}
        >
          <Flex align="center" justify="flex-end" gap={12} style={{ height: '100%' }}>
            {headerShown && (
              <>
                <ConnectionIndicator />
                <ThemeSwitcher />
                <LanguageSwitcher />
              </>
            )}
          </Flex>
        </Layout.Header>
        <Layout.Content style={{ padding: 24, overflow: 'auto', display: 'flex', flexDirection: 'column', minHeight: 0 }}>
          <PageErrorBoundary key={currentKey}>
            <Suspense fallback={<Spin style={{ marginTop: 48 }} />}>
              <Routes>
                <Route index element={<Navigate to={`/${DEFAULT_NAV_KEY}`} replace />} />
                {NAV_ENTRIES.map((entry) => (
                  <Route key={entry.key} path={`/${entry.key}`} element={<entry.page />} />
                ))}
                <Route path="/fleet/:id" element={<appliancePage.Page />} />
                <Route path="*" element={<Navigate to={`/${DEFAULT_NAV_KEY}`} replace />} />
              </Routes>
            </Suspense>
          </PageErrorBoundary>
        </Layout.Content>
      </Layout>
    </Layout>
  );
}

/** A small inline mark (data: URI, allowed by img-src) so the shell needs no asset request. */
const APP_MARK =
  'data:image/svg+xml;utf8,' +
  encodeURIComponent(
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><rect x="2" y="3" width="20" height="7" rx="2" fill="#1677ff"/><rect x="2" y="14" width="20" height="7" rx="2" fill="#69b1ff"/><circle cx="6" cy="6.5" r="1.3" fill="#fff"/><circle cx="6" cy="17.5" r="1.3" fill="#fff"/></svg>',
  );
