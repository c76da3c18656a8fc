import {
  AlertOutlined,
  CloudServerOutlined,
  DatabaseOutlined,
  FileTextOutlined,
  GlobalOutlined,
  PictureOutlined,
  SettingOutlined,
  VideoCameraOutlined,
  WifiOutlined,
} from '@ant-design/icons';
import type { ComponentType, ReactNode } from 'react';
import type { PlainMessageKey } from '../i18n/translate';
import { AlertsBadge } from '../pages/alerts/alerts-badge';
import { lazyPage } from './lazy-page';

export interface NavEntry {
  /** Route path and menu key; also the e2e id `nav-<key>`. */
  key: string;
  labelKey: PlainMessageKey;
  icon: ReactNode;
  /** Lazy so the first load carries only the shell and the page being opened. */
  page: ComponentType;
  /** Shown after the label (the alerts count); always mounted, so keep it small. */
  badge?: ComponentType;
}

/** Fleet is the landing page: main.tsx preloads it in parallel with the first API calls. */
export const fleetPage = lazyPage(() => import('../pages/fleet/fleet-page'));

export const NAV_ENTRIES: readonly NavEntry[] = [
  { key: 'fleet', labelKey: 'nav.fleet', icon: <CloudServerOutlined />, page: fleetPage.Page },
  { key: 'storage', labelKey: 'nav.storage', icon: <DatabaseOutlined />, page: lazyPage(() => import('../pages/storage/storage-page')).Page },
  { key: 'cdn', labelKey: 'nav.cdn', icon: <GlobalOutlined />, page: lazyPage(() => import('../pages/cdn/cdn-page')).Page },
  { key: 'streaming', labelKey: 'nav.streaming', icon: <VideoCameraOutlined />, page: lazyPage(() => import('../pages/streaming/streaming-page')).Page },
  { key: 'production', labelKey: 'nav.production', icon: <WifiOutlined />, page: lazyPage(() => import('../pages/production/production-page')).Page },
  { key: 'dora', labelKey: 'nav.dora', icon: <PictureOutlined />, page: lazyPage(() => import('../pages/dora/dora-page')).Page },
  { key: 'alerts', labelKey: 'nav.alerts', icon: <AlertOutlined />, page: lazyPage(() => import('../pages/alerts/alerts-page')).Page, badge: AlertsBadge },
  { key: 'reports', labelKey: 'nav.reports', icon: <FileTextOutlined />, page: lazyPage(() => import('../pages/reports/reports-page')).Page },
  { key: 'settings', labelKey: 'nav.settings', icon: <SettingOutlined />, page: lazyPage(() => import('../pages/settings/settings-page')).Page },
];

export const DEFAULT_NAV_KEY = 'fleet';

