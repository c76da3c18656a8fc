import { ApiOutlined, CloudUploadOutlined, DeleteOutlined, EditOutlined, KeyOutlined, LockOutlined } from '@ant-design/icons';
import { Button } from 'antd';
import type { CSSProperties, MouseEvent } from 'react';
import type { Appliance } from '../../../../main/contract/fleet.contract';
import type { StatusMap } from '../../api/status-hooks';
import { useStatusOf } from '../../api/status-hooks';
import { useI18n } from '../../i18n/i18n-context';
import type { Translate } from '../../i18n/translate';
import { sinceText, STATE_LABELS, STATE_RANK, statusTitle, type ConnectivityState } from '../appliance/status-labels';
import { useSharedNow } from '../appliance/use-now';
import type { VirtualColumn } from '../../components/virtual-table';
import { LOGIN_KIND_LABELS, ROLE_LABELS, storedLoginText } from './appliance-labels';

export interface FleetRowActions {
  onTest(appliance: Appliance): void;
  onProvision(appliance: Appliance): void;
  onEdit(appliance: Appliance): void;
  onRemove(appliance: Appliance): void;
}

const MAX_TAGS_SHOWN = 3;

/** `10.0.0.1:22`, `[fe80::1]:22`: how SSH endpoints are usually written. */
export function sshEndpoint(a: Pick<Appliance, 'address' | 'port'>): string {
  return a.address.includes(':') ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`;
}

const ELLIPSIS: CSSProperties = { overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' };
const CELL_ROW: CSSProperties = { display: 'flex', alignItems: 'center', gap: 6, overflow: 'hidden' };
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
      {status && <span style={{ ...ELLIPSIS, color: colors.secondary }}>{sinceText(t, status, nowMs, locale)}</span>}
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

function TagList({ tags, style }: { tags: readonly string[]; style: CSSProperties }) {
  const shown = tags.slice(0, MAX_TAGS_SHOWN);
  const hidden = tags.length - shown.length;
  return (
    <div style={{ ...CELL_ROW, gap: 4 }} title={tags.join(', ')}>
      {shown.map((tag) => (
        <span key={tag} style={style}>
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
 * than Typography/Tooltip components: every scroll step re-renders the rows in view.
 */
export function fleetColumns(
  t: Translate,
  collator: Intl.Collator,
  colors: FleetColors,
  actions: FleetRowActions,
  /** Read when the table sorts: rows are ordered by the states of that moment and do not jump under the pointer as states change. */
  statuses: () => StatusMap | undefined,
): VirtualColumn<Appliance>[] {
  const stateOf = (map: StatusMap | undefined, a: Appliance) => map?.get(a.id)?.state ?? 'unknown';
  const versionOf = (map: StatusMap | undefined, a: Appliance) => map?.get(a.id)?.agent?.version ?? '';
  const secondaryColor = colors.secondary;
  return [
    {
      key: 'name',
      title: t('fleet.column.name'),
      width: 170,
      fixed: 'left',
      sorter: (a, b) => collator.compare(a.name, b.name),
      defaultSortOrder: 'ascend',
      // A plain link (the router is a HashRouter): cheaper per row than a router Link.
      render: (a) => (
        <a href={`#/fleet/${encodeURIComponent(a.id)}`} style={NAME_LINK} title={a.notes ? `${a.name}\n${a.notes}` : a.name} data-testid="fleet-row-name">
          {a.name}
        </a>
      ),
    },
    {
      key: 'status',
      title: t('status.column'),
      width: 160,
      sorter: (a, b) => {
        const map = statuses();
        return STATE_RANK[stateOf(map, a)] - STATE_RANK[stateOf(map, b)] || collator.compare(a.name, b.name);
      },
      render: (a) => <StatusCell id={a.id} colors={colors} />,
    },
    {
      key: 'agent',
      title: t('status.agentColumn'),
      width: 100,
      sorter: (a, b) => {
        const map = statuses();
        return collator.compare(versionOf(map, a), versionOf(map, b)) || collator.compare(a.name, b.name);
      },
      render: (a) => <AgentVersionCell id={a.id} colors={colors} />,
    },
    {
      key: 'address',
      title: t('fleet.column.address'),
      width: 190,
      sorter: (a, b) => collator.compare(a.address, b.address) || a.port - b.port || collator.compare(a.user, b.user),
      // user@host:port, as ssh writes it: one column fewer keeps the table inside a 1,440-pixel window (no sideways scrolling).
      render: (a) => (
        <div style={ELLIPSIS} title={`${a.user}@${sshEndpoint(a)}`}>
          {a.user}@{sshEndpoint(a)}
        </div>
      ),
    },
    {
      key: 'role',
      title: t('fleet.column.role'),
      width: 110,
      sorter: (a, b) => collator.compare(t(ROLE_LABELS[a.role]), t(ROLE_LABELS[b.role])),
      render: (a) => (
        <span style={colors.roleTags[a.role]}>{t(ROLE_LABELS[a.role])}</span>
      ),
    },
    { key: 'tags', title: t('fleet.column.tags'), width: 130, render: (a) => <TagList tags={a.tags} style={colors.tag} /> },
    {
      key: 'login',
      title: t('fleet.column.login'),
      width: 130,
      render: (a) => (
        <div style={CELL_ROW} title={storedLoginText(t, a.credential)}>
          {a.credential.kind === 'private-key' ? <KeyOutlined /> : a.credential.kind === 'password' ? <LockOutlined /> : null}
          <span style={{ ...ELLIPSIS, color: a.credential.kind ? undefined : secondaryColor }}>{t(LOGIN_KIND_LABELS[a.credential.kind ?? 'none'])}</span>
          {a.credential.hasSudoPassword && <span style={colors.tag}>{t('login.sudoTag')}</span>}
        </div>
      ),
    },
    {
      key: 'actions',
      title: t('fleet.column.actions'),
      width: 144,
      fixed: 'right',
      render: (a) => (
        <div style={{ display: 'flex', gap: 4 }}>
          <Button
            type="text"
            size="small"
            icon={<ApiOutlined />}
            data-testid="appliance-test"
            title={t('connection.testNamed', { name: a.name })}
            aria-label={t('connection.testNamed', { name: a.name })}
            onClick={() => actions.onTest(a)}
          />
          <Button
            type="text"
            size="small"
            icon={<CloudUploadOutlined />}
            data-testid="appliance-provision"
            title={t('provision.action', { name: a.name })}
            aria-label={t('provision.action', { name: a.name })}
            onClick={() => actions.onProvision(a)}
          />
          <Button
            type="text"
            size="small"
            icon={<EditOutlined />}
            data-testid="appliance-edit"
            title={t('fleet.editNamed', { name: a.name })}
            aria-label={t('fleet.editNamed', { name: a.name })}
            onClick={() => actions.onEdit(a)}
          />
          <Button
            type="text"
            size="small"
            danger
            icon={<DeleteOutlined />}
            data-testid="appliance-remove"
            title={t('fleet.removeNamed', { name: a.name })}
            aria-label={t('fleet.removeNamed', { name: a.name })}
            onClick={() => actions.onRemove(a)}
          />
        </div>
      ),
    },
  ];
}
