import { theme } from 'antd';
import type { CSSProperties } from 'react';
import { useI18n } from '../i18n/i18n-context';
import { NAV_ENTRIES } from './navigation';

/**
 * The page list on the left: plain links to `#/<key>`, which the HashRouter follows, styled like
 * antd's inline Menu. Not antd's Menu: it is rendered on every start, and its overflow measuring,
 * popups and motion made up a large part of the shell's first render (`npm run bench -- ui`).
 * The current page carries aria-current="page"; collapsed, the labels stay for screen readers and
 * show as the link's tooltip.
 */
export function SideNav({ currentKey, collapsed }: { currentKey: string; collapsed: boolean }) {
  const { t } = useI18n();
  const { token } = theme.useToken();
  const css =
    `.ac-nav-item{display:flex;align-items:center;gap:10px;height:40px;margin:4px;border-radius:${token.borderRadiusLG}px;color:${token.colorText};text-decoration:none;white-space:nowrap;overflow:hidden;transition:background-color .2s}` +
    `.ac-nav-item:hover{background:${token.controlItemBgHover};color:${token.colorText}}` +
    `.ac-nav-item[aria-current="page"]{background:${token.controlItemBgActive};color:${token.colorPrimary}}` +
    `.ac-nav-item:focus-visible{outline:${token.lineWidthFocus}px solid ${token.colorPrimaryBorder};outline-offset:1px}`;
  const itemPadding: CSSProperties = collapsed ? { justifyContent: 'center', paddingInline: 0 } : { paddingInline: 24 };
  return (
    <nav aria-label={t('app.title')}>
      <style>{css}</style>
      <ul style={LIST}>
        {NAV_ENTRIES.map((entry) => {
          const label = t(entry.labelKey);
          return (
            <li key={entry.key}>
              <a className="ac-nav-item" href={`#/${entry.key}`} aria-current={entry.key === currentKey ? 'page' : undefined} title={collapsed ? label : undefined} style={itemPadding}>
                <span aria-hidden style={ICON}>
                  {entry.icon}
                </span>
                <span data-testid={`nav-${entry.key}`} style={collapsed ? VISUALLY_HIDDEN : LABEL}>
                  {label}
                </span>
                {/* Mounted collapsed too (hidden): the alerts badge keeps alert queries and notifications live. */}
                {entry.badge && (
                  <span style={collapsed ? HIDDEN : undefined}>
                    <entry.badge />
                  </span>
                )}
              </a>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}

const HIDDEN: CSSProperties = { display: 'none' };
const LIST: CSSProperties = { listStyle: 'none', margin: 0, padding: 0 };
const ICON: CSSProperties = { display: 'inline-flex', fontSize: 14 };
const LABEL: CSSProperties = { flex: 1, overflow: 'hidden', textOverflow: 'ellipsis' };
/** Read by screen readers and by innerText (tests check the label), not shown. */
const VISUALLY_HIDDEN: CSSProperties = { position: 'absolute', width: 1, height: 1, overflow: 'hidden', clipPath: 'inset(50%)', whiteSpace: 'nowrap' };
