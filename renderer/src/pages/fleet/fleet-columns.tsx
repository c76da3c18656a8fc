import ApiOutlined from '@ant-design/icons-svg/es/asn/ApiOutlined';
import CloudUploadOutlined from '@ant-design/icons-svg/es/asn/CloudUploadOutlined';
import DeleteOutlined from '@ant-design/icons-svg/es/asn/DeleteOutlined';
import EditOutlined from '@ant-design/icons-svg/es/asn/EditOutlined';
import KeyOutlined from '@ant-design/icons-svg/es/asn/KeyOutlined';
import LockOutlined from '@ant-design/icons-svg/es/asn/LockOutlined';
import type { GlobalToken } from 'antd';
import type { CSSProperties, MouseEvent } from 'react';
import type { Appliance } from '../../../../main/contract/fleet.contract';
import type { StatusMap } from '../../api/status-hooks';
import { useStatusOf } from '../../api/status-hooks';
import { type FleetOverviewIndex, useFleetOverviewOf } from '../../api/fleet-overview-hooks';
import { iconImage } from '../../components/icon-image';
import { formatCapacity, formatLocalTime, formatPercent } from '../../i18n/format';
import { useI18n } from '../../i18n/i18n-context';
import type { Translate } from '../../i18n/translate';
import { sinceText, STATE_LABELS, STATE_RANK, statusTitle, type ConnectivityState } from '../appliance/status-labels';
import { useSharedNow } from '../appliance/use-now';
import { labelAsTooltip, type VirtualColumn } from '../../components/virtual-table';
import { ROLE_LABELS, ROLE_SHORT_LABELS, storedLoginText } from './appliance-labels';
import { formatEndpoint } from '../../../../main/contract/network-address';

export interface FleetRowActions {
  onTest(appliance: Appliance): void;
  onProvision(appliance: Appliance): void;
  onEdit(appliance: Appliance): void;
  onRemove(appliance: Appliance): void;
}

const MAX_TAGS_SHOWN = 3;

/** `10.0.0.1:22`, `[fe80::1]:22`: how SSH endpoints are usually written (main/contract/network-address.ts). */
export function sshEndpoint(a: Pick<Appliance, 'address' | 'port'>): string {
  return formatEndpoint(a.address, a.port);
}

const ELLIPSIS: CSSProperties = { overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' };
const CELL_ROW: CSSProperties = { display: 'flex', alignItems: 'center', gap: 6, overflow: 'hidden' };
/**
 * The same without clipping, where the content fits or clips itself: cells do not clip (see
 * VirtualColumn.render), and every clipping box is one more paint clip node per row.
 */
const CELL_ROW_FREE: CSSProperties = { display: 'flex', alignItems: 'center', gap: 6, minWidth: 0 };
const NAME_LINK: CSSProperties = { ...ELLIPSIS, display: 'block', fontWeight: 600 };

/** "since 3 minutes ago" moves on this often. */
const SINCE_TICK_MS = 30_000;

/**
 * Theme colours and tag styles the cells use, resolved once per table. Cells are plain elements
 * styled like antd's Tag rather than Tags: every scroll step re-renders the rows that move into
 * view, and each antd Tag runs its theme and style hooks on every render — with five of them a
 * row, a scroll allocated more than the table's own work (bench/ui: renderer memory).
 */
export interface FleetColors {
  secondary: string;
  states: Record<ConnectivityState, string>;
  tag: CSSProperties;
  roleTags: Record<Appliance['role'], CSSProperties>;
}

/**
 * A cell that follows one appliance's status by itself: a watch round changing 50 statuses
 * re-renders the 50 cells (of those in view), not the table, and the rows stay memoised.
 */
function StatusCell({ id, colors }: { id: string; colors: FleetColors }) {
  const translator = useI18n();
  const { t, locale } = translator;
  const status = useStatusOf(id);
  const nowMs = useSharedNow(SINCE_TICK_MS);
  const state = status?.state ?? 'unknown';
  // The tooltip text is built on hover, not on every render of every row that scrolls into view.
  const setTitle = (e: MouseEvent<HTMLDivElement>) => {
    e.currentTarget.title = status ? statusTitle(translator, status) : t(STATE_LABELS.unknown);
  };
  return (
    <div style={CELL_ROW} onMouseEnter={setTitle} data-testid="fleet-status" data-state={state}>
      <span style={{ ...DOT, background: colors.states[state] }} />
      <span style={{ color: state === 'unknown' ? colors.secondary : colors.states[state], fontWeight: 500, whiteSpace: 'nowrap' }}>{t(STATE_LABELS[state])}</span>
      {status && <span style={{ ...ELLIPSIS, color: colors.secondary }}>{sinceText(t, status, nowMs, locale, 'narrow')}</span>}
    </div>
  );
}

const DOT: CSSProperties = { flex: '0 0 8px', width: 8, height: 8, borderRadius: 4 };

function AgentVersionCell({ id, colors }: { id: string; colors: FleetColors }) {
  const version = useStatusOf(id)?.agent?.version;
  return (
    <div style={{ ...ELLIPSIS, color: version ? undefined : colors.secondary }} title={version ?? undefined} data-testid="fleet-agent-version">
      {version ?? '—'}
    </div>
  );
}

/** Latest CPU busy %, right-aligned so a column of figures reads at a glance. */
function CpuCell({ id, colors }: { id: string; colors: FleetColors }) {
  const { t, locale } = useI18n();
  const row = useFleetOverviewOf(id);
  const cpu = row?.cpuPercent ?? null;
  return (
    <div
      style={{ ...FIGURE, color: cpu === null ? colors.secondary : cpu >= BUSY_PERCENT ? colors.states.degraded : undefined }}
      title={cpu !== null && row?.asOf ? t('fleet.cpuTitle', { percent: formatPercent(cpu, locale), time: formatLocalTime(new Date(row.asOf).toISOString()) }) : undefined}
      data-testid="fleet-cpu"
    >
      {cpu === null ? '—' : formatPercent(cpu, locale, 0)}
    </div>
  );
}

/** Used share of the data disks (the agent's, main/fleet/data-disks.ts), with used of size on hover. */
function DataDiskCell({ id, colors }: { id: string; colors: FleetColors }) {
  const { t, tp, locale } = useI18n();
  const row = useFleetOverviewOf(id);
  const disks = row?.dataDisks ?? null;
  const percent = disks?.usedPercent ?? null;
  const title = !row
    ? undefined
    : !disks
      ? t('fleet.dataDisksNone')
      : tp('fleet.dataDisksTitle', {
          count: disks.count,
          used: formatCapacity(disks.usedBytes, locale),
          size: formatCapacity(disks.sizeBytes, locale),
          time: row.asOf ? formatLocalTime(new Date(row.asOf).toISOString()) : '—',
        });
  const color = percent === null ? colors.secondary : percent >= FULL_PERCENT ? colors.states.offline : percent >= FILLING_PERCENT ? colors.states.degraded : undefined;
  return (
    <div style={{ ...FIGURE, color }} title={title} data-testid="fleet-data-disks">
      {percent === null ? '—' : formatPercent(percent, locale, 0)}
    </div>
  );
}

/** Active alerts: a dot in the worst severity's colour and the count; nothing when there are none. */
function AlertsCell({ id, colors }: { id: string; colors: FleetColors }) {
  const { tp, t } = useI18n();
  const alerts = useFleetOverviewOf(id)?.alerts;
  if (!alerts || alerts.count === 0) return <div style={{ ...FIGURE, color: colors.secondary }} data-testid="fleet-alerts" data-count={0}>—</div>;
  const color = alerts.worst === 'critical' ? colors.states.offline : colors.states.degraded;
  return (
    <a
      href="#/alerts"
      style={{ ...CELL_ROW_FREE, justifyContent: 'flex-end', color, fontWeight: 600 }}
      title={tp('fleet.alertsTitle', { count: alerts.count, severity: alerts.worst ? t(`alerts.severity.${alerts.worst}`) : '—' })}
      data-testid="fleet-alerts"
      data-count={alerts.count}
      data-worst={alerts.worst ?? ''}
    >
      <span style={{ ...DOT, background: color }} />
      {alerts.count}
    </a>
  );
}

const ACTIONS: CSSProperties = { display: 'flex', gap: 4 };

const ROW_ACTION = 'fleet-row-action';
const LOGIN_ICON = 'fleet-login-icon';

/**
 * The row actions are plain buttons drawn like antd's small, icon-only text Button (24 px, the
 * icon at 14 px, hover and pressed fills, the danger colours, the keyboard focus ring), from the
 * theme's tokens, with the icons as background images (components/icon-image.ts): no inline SVG in
 * a row. Not antd's Button: every scroll step re-renders the rows that come into view, and four
 * Buttons a row (theme, style and wave hooks each) were the largest part of a row's cost, their SVG
 * icons the largest part of moving it (`npm run bench -- ui`). Native buttons keep the keyboard
 * behaviour (Tab, Enter, Space) and their aria-labels. The login icons by the address are drawn the
 * same way.
 */
export function rowActionCss(token: GlobalToken): string {
  const c = `.${ROW_ACTION}`;
  const icon = `background-repeat:no-repeat;background-position:center;background-size:${token.fontSize}px ${token.fontSize}px`;
  return (
    `${c}{position:relative;display:inline-flex;align-items:center;justify-content:center;box-sizing:border-box;width:${token.controlHeightSM}px;height:${token.controlHeightSM}px;margin:0;padding:0;` +
    `border:${token.lineWidth}px ${token.lineType} transparent;border-radius:${token.borderRadiusSM}px;background-color:transparent;${icon};color:${token.colorText};` +
    `font-family:inherit;font-size:${token.fontSize}px;font-weight:400;white-space:nowrap;cursor:pointer;outline:none;user-select:none;touch-action:manipulation;` +
    `transition:all ${token.motionDurationMid} ${token.motionEaseInOut}}` +
    `${c}:hover{background-color:${token.colorFillTertiary}}` +
    `${c}:active{background-color:${token.colorFill}}` +
    `${c}-test{background-image:${iconImage(ApiOutlined, token.colorText)}}` +
    `${c}-provision{background-image:${iconImage(CloudUploadOutlined, token.colorText)}}` +
    `${c}-edit{background-image:${iconImage(EditOutlined, token.colorText)}}` +
    `${c}-remove{color:${token.colorError};background-image:${iconImage(DeleteOutlined, token.colorError)}}` +
    `${c}-remove:hover{color:${token.colorErrorHover};background-color:${token.colorErrorBg};background-image:${iconImage(DeleteOutlined, token.colorErrorHover)}}` +
    `${c}-remove:active{color:${token.colorErrorActive};background-color:${token.colorErrorBgActive};background-image:${iconImage(DeleteOutlined, token.colorErrorActive)}}` +
    `${c}:focus-visible{outline:${token.lineWidthFocus}px solid ${token.colorPrimaryBorder};outline-offset:1px;transition:outline-offset 0s,outline 0s}` +
    `.${LOGIN_ICON}{display:inline-block;flex:none;width:${token.fontSize}px;height:${token.fontSize}px;${icon}}` +
    `.${LOGIN_ICON}-key{background-image:${iconImage(KeyOutlined, token.colorText)}}` +
    `.${LOGIN_ICON}-lock{background-image:${iconImage(LockOutlined, token.colorText)}}`
  );
}

const FIGURE: CSSProperties = { whiteSpace: 'nowrap', width: '100%', textAlign: 'right', fontVariantNumeric: 'tabular-nums' };
/** Colour thresholds, as the alert rules' defaults: CPU busy, data disks filling and full. */
const BUSY_PERCENT = 90;
const FILLING_PERCENT = 80;
const FULL_PERCENT = 90;

function TagList({ tags, style }: { tags: readonly string[]; style: CSSProperties }) {
  const shown = tags.slice(0, MAX_TAGS_SHOWN);
  const hidden = tags.length - shown.length;
  return (
    <div style={{ ...CELL_ROW, gap: 4 }} onMouseEnter={(e) => (e.currentTarget.title = tags.join(', '))}>
      {/* Keyed by position: a row slot showing another appliance rewrites the texts, keeps the elements. */}
      {shown.map((tag, i) => (
        <span key={i} style={style}>
          {tag}
        </span>
      ))}
      {hidden > 0 && <span style={style}>+{hidden}</span>}
    </div>
  );
}

/**
 * Fixed widths on every column: the virtual table lays rows out without measuring them, which
 * is what keeps 1,000 rows smooth. Cells are plain elements with native `title` tooltips rather
 * than Typography/Tooltip components: every scroll step re-renders the rows in view. Tooltips that
 * change from one appliance to the next are set when the pointer comes (labelAsTooltip): a title
 * changed on render restyles its element, for every recycled row; what they add for assistive
 * technology is in an aria-label or aria-description. The widths
 * add up to what a 1,440-pixel window leaves the table (1,136 px beside the selection boxes and the
 * navigation), so no header or status is cut off and nothing scrolls sideways, in either language
 * (tests/e2e/zh-cn-pages.test.ts measures it): short headers with the full name on hover, the
 * role's short name, "since 3m ago" in the narrow style, and the login as an icon by the address.
 */
export function fleetColumns(
  t: Translate,
  collator: Intl.Collator,
  colors: FleetColors,
  actions: FleetRowActions,
  /** Read when the table sorts: rows are ordered by the states of that moment and do not jump under the pointer as states change. */
  statuses: () => StatusMap | undefined,
  /** The same for the CPU, data-disk and alert columns. */
  overview: () => FleetOverviewIndex | undefined,
): VirtualColumn<Appliance>[] {
  const figure = (a: Appliance, pick: (r: NonNullable<ReturnType<FleetOverviewIndex['get']>>) => number | null | undefined) => {
    const r = overview()?.get(a.id);
    return (r && pick(r)) ?? -1;
  };
  const stateOf = (map: StatusMap | undefined, a: Appliance) => map?.get(a.id)?.state ?? 'unknown';
  const versionOf = (map: StatusMap | undefined, a: Appliance) => map?.get(a.id)?.agent?.version ?? '';
  return [
    {
      key: 'name',
      title: t('fleet.column.name'),
      width: 140,
      fixed: 'left',
      sorter: (a, b) => collator.compare(a.name, b.name),
      defaultSortOrder: 'ascend',
      // A plain link (the router is a HashRouter): cheaper per row than a router Link.
      render: (a) => (
        <a
          href={`#/fleet/${encodeURIComponent(a.id)}`}
          style={NAME_LINK}
          aria-description={a.notes || undefined}
          onMouseEnter={(e) => (e.currentTarget.title = a.notes ? `${a.name}\n${a.notes}` : a.name)}
          data-testid="fleet-row-name"
        >
          {a.name}
        </a>
      ),
    },
    {
      key: 'status',
      title: t('status.column'),
      width: 232,
      sorter: (a, b) => {
        const map = statuses();
        return STATE_RANK[stateOf(map, a)] - STATE_RANK[stateOf(map, b)] || collator.compare(a.name, b.name);
      },
      render: (a) => <StatusCell id={a.id} colors={colors} />,
    },
    {
      key: 'agent',
      title: t('status.agentColumn'),
      titleHint: t('status.agentColumnHint'),
      width: 76,
      sorter: (a, b) => {
        const map = statuses();
        return collator.compare(versionOf(map, a), versionOf(map, b)) || collator.compare(a.name, b.name);
      },
      render: (a) => <AgentVersionCell id={a.id} colors={colors} />,
    },
    {
      key: 'cpu',
      title: t('fleet.column.cpu'),
      titleHint: t('fleet.column.cpuHint'),
      width: 60,
      sorter: (a, b) => figure(a, (r) => r.cpuPercent) - figure(b, (r) => r.cpuPercent) || collator.compare(a.name, b.name),
      render: (a) => <CpuCell id={a.id} colors={colors} />,
    },
    {
      key: 'dataDisks',
      title: t('fleet.column.dataDisks'),
      titleHint: t('fleet.column.dataDisksHint'),
      width: 80,
      sorter: (a, b) => figure(a, (r) => r.dataDisks?.usedPercent) - figure(b, (r) => r.dataDisks?.usedPercent) || collator.compare(a.name, b.name),
      render: (a) => <DataDiskCell id={a.id} colors={colors} />,
    },
    {
      key: 'alerts',
      title: t('fleet.column.alerts'),
      titleHint: t('fleet.column.alertsHint'),
      width: 70,
      // Worst first when descending: critical outranks any number of warnings.
      sorter: (a, b) => figure(a, (r) => (r.alerts.worst === 'critical' ? 1e6 : 0) + r.alerts.count) - figure(b, (r) => (r.alerts.worst === 'critical' ? 1e6 : 0) + r.alerts.count) || collator.compare(a.name, b.name),
      render: (a) => <AlertsCell id={a.id} colors={colors} />,
    },
    {
      key: 'address',
      title: t('fleet.column.address'),
      width: 170,
      sorter: (a, b) => collator.compare(a.address, b.address) || a.port - b.port || collator.compare(a.user, b.user),
      // user@host:port as ssh writes it, after the stored login's icon (key, password): the login
      // needs no column of its own, which keeps the table inside a 1,440-pixel window beside the
      // monitoring columns (no sideways scrolling). The login is named on hover.
      render: (a) => (
        <div style={CELL_ROW_FREE} onMouseEnter={(e) => (e.currentTarget.title = `${a.user}@${sshEndpoint(a)}\n${storedLoginText(t, a.credential)}`)} data-testid="fleet-address">
          {a.credential.kind === null ? (
            <span style={{ color: colors.states.degraded }}>!</span>
          ) : (
            <span role="img" aria-label={storedLoginText(t, a.credential)} className={`${LOGIN_ICON} ${LOGIN_ICON}-${a.credential.kind === 'private-key' ? 'key' : 'lock'}`} />
          )}
          <span style={ELLIPSIS}>
            {a.user}@{sshEndpoint(a)}
          </span>
        </div>
      ),
    },
    {
      key: 'role',
      title: t('fleet.column.role'),
      width: 84,
      sorter: (a, b) => collator.compare(t(ROLE_LABELS[a.role]), t(ROLE_LABELS[b.role])),
      render: (a) => (
        <span style={colors.roleTags[a.role]} onMouseEnter={(e) => (e.currentTarget.title = t(ROLE_LABELS[a.role]))}>
          {t(ROLE_SHORT_LABELS[a.role])}
        </span>
      ),
    },
    { key: 'tags', title: t('fleet.column.tags'), width: 96, render: (a) => <TagList tags={a.tags} style={colors.tag} /> },
    {
      key: 'actions',
      title: t('fleet.column.actions'),
      width: 128,
      fixed: 'right',
      render: (a) => {
        const test = t('connection.testNamed', { name: a.name });
        const provision = t('provision.action', { name: a.name });
        const edit = t('fleet.editNamed', { name: a.name });
        const remove = t('fleet.removeNamed', { name: a.name });
        return (
          <div style={ACTIONS}>
            <button type="button" className={`${ROW_ACTION} ${ROW_ACTION}-test`} data-testid="appliance-test" aria-label={test} onMouseEnter={labelAsTooltip} onClick={() => actions.onTest(a)} />
            <button type="button" className={`${ROW_ACTION} ${ROW_ACTION}-provision`} data-testid="appliance-provision" aria-label={provision} onMouseEnter={labelAsTooltip} onClick={() => actions.onProvision(a)} />
            <button type="button" className={`${ROW_ACTION} ${ROW_ACTION}-edit`} data-testid="appliance-edit" aria-label={edit} onMouseEnter={labelAsTooltip} onClick={() => actions.onEdit(a)} />
            <button type="button" className={`${ROW_ACTION} ${ROW_ACTION}-remove`} data-testid="appliance-remove" aria-label={remove} onMouseEnter={labelAsTooltip} onClick={() => actions.onRemove(a)} />
          </div>
        );
      },
    },
  ];
}
