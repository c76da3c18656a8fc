import { ApiOutlined, ArrowUpOutlined, CloudUploadOutlined, DeleteOutlined, EditOutlined, KeyOutlined, LockOutlined, StopOutlined } from '@ant-design/icons';
import { Button, Tag } from 'antd';
import type { CSSProperties } from 'react';
import type { Appliance } from '../../../../main/contract/fleet.contract';
import type { Locale } from '../../../../main/contract/system.contract';
import type { StatusMap } from '../../api/status-hooks';
import { formatLocalTime, utcOffsetLabel } from '../../i18n/format';
import type { Translate } from '../../i18n/translate';
import { sinceText, STATE_COLORS, STATE_LABELS, STATE_RANK, statusTitle } from '../appliance/status-labels';
import type { VirtualColumn } from '../../components/virtual-table';
import { LOGIN_KIND_LABELS, ROLE_LABELS, storedLoginText } from './appliance-labels';

export interface FleetRowActions {
  onTest(appliance: Appliance): void;
  onProvision(appliance: Appliance): void;
  onUpgrade(appliance: Appliance): void;
  onUninstall(appliance: Appliance): void;
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
const NO_MARGIN: CSSProperties = { marginInlineEnd: 0 };
const NAME_LINK: CSSProperties = { ...ELLIPSIS, display: 'block', fontWeight: 600 };

/** What the status cells read: the watch's statuses by id, and the time "since …" counts from. */
export interface FleetStatusView {
  statuses: StatusMap | undefined;
  nowMs: number;
  locale: Locale;
}

function TagList({ tags }: { tags: readonly string[] }) {
  const shown = tags.slice(0, MAX_TAGS_SHOWN);
  const hidden = tags.length - shown.length;
  return (
    <div style={{ ...CELL_ROW, gap: 4 }} title={tags.join(', ')}>
      {shown.map((tag) => (
        <Tag key={tag} style={NO_MARGIN}>
          {tag}
        </Tag>
      ))}
      {hidden > 0 && <Tag style={NO_MARGIN}>+{hidden}</Tag>}
    </div>
  );
}

/**
 * Fixed widths on every column: the virtual table lays rows out without measuring them, which
 * is what keeps 1,000 rows smooth. Cells are plain elements with native `title` tooltips rather
 * than Typography/Tooltip components: every scroll step re-renders the rows in view.
 */
export function fleetColumns(t: Translate, collator: Intl.Collator, secondaryColor: string, actions: FleetRowActions, view: FleetStatusView): VirtualColumn<Appliance>[] {
  const { statuses, nowMs, locale } = view;
  const stateOf = (a: Appliance) => statuses?.get(a.id)?.state ?? 'unknown';
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
      width: 180,
      sorter: (a, b) => STATE_RANK[stateOf(a)] - STATE_RANK[stateOf(b)] || collator.compare(a.name, b.name),
      render: (a) => {
        const status = statuses?.get(a.id);
        const state = status?.state ?? 'unknown';
        return (
          <div style={CELL_ROW} title={status ? statusTitle(t, status) : t(STATE_LABELS.unknown)} data-testid="fleet-status" data-state={state}>
            <Tag color={STATE_COLORS[state]} style={NO_MARGIN}>
              {t(STATE_LABELS[state])}
            </Tag>
            {status && <span style={{ ...ELLIPSIS, color: secondaryColor }}>{sinceText(t, status, nowMs, locale)}</span>}
          </div>
        );
      },
    },
    {
      key: 'agent',
      title: t('status.agentColumn'),
      width: 110,
      sorter: (a, b) => collator.compare(statuses?.get(a.id)?.agent?.version ?? '', statuses?.get(b.id)?.agent?.version ?? ''),
      render: (a) => {
        const version = statuses?.get(a.id)?.agent?.version;
        return (
          <div style={{ ...ELLIPSIS, color: version ? undefined : secondaryColor }} title={version ?? undefined} data-testid="fleet-agent-version">
            {version ?? '—'}
          </div>
        );
      },
    },
    {
      key: 'address',
      title: t('fleet.column.address'),
      width: 160,
      sorter: (a, b) => collator.compare(a.address, b.address) || a.port - b.port,
      render: (a) => (
        <div style={ELLIPSIS} title={sshEndpoint(a)}>
          {sshEndpoint(a)}
        </div>
      ),
    },
    {
      key: 'user',
      title: t('fleet.column.user'),
      width: 90,
      sorter: (a, b) => collator.compare(a.user, b.user),
      render: (a) => (
        <div style={ELLIPSIS} title={a.user}>
          {a.user}
        </div>
      ),
    },
    {
      key: 'role',
      title: t('fleet.column.role'),
      width: 110,
      sorter: (a, b) => collator.compare(t(ROLE_LABELS[a.role]), t(ROLE_LABELS[b.role])),
      render: (a) => (
        <Tag color={a.role === 'server' ? 'blue' : 'purple'} style={NO_MARGIN}>
          {t(ROLE_LABELS[a.role])}
        </Tag>
      ),
    },
    { key: 'tags', title: t('fleet.column.tags'), width: 130, render: (a) => <TagList tags={a.tags} /> },
    {
      key: 'login',
      title: t('fleet.column.login'),
      width: 140,
      render: (a) => (
        <div style={CELL_ROW} title={storedLoginText(t, a.credential)}>
          {a.credential.kind === 'private-key' ? <KeyOutlined /> : a.credential.kind === 'password' ? <LockOutlined /> : null}
          <span style={{ ...ELLIPSIS, color: a.credential.kind ? undefined : secondaryColor }}>{t(LOGIN_KIND_LABELS[a.credential.kind ?? 'none'])}</span>
          {a.credential.hasSudoPassword && <Tag style={NO_MARGIN}>{t('login.sudoTag')}</Tag>}
        </div>
      ),
    },
    {
      key: 'created',
      title: t('fleet.column.created'),
      titleHint: utcOffsetLabel(),
      width: 160,
      sorter: (a, b) => a.createdAt.localeCompare(b.createdAt),
      render: (a) => formatLocalTime(a.createdAt),
    },
    {
      key: 'actions',
      title: t('fleet.column.actions'),
      width: 196,
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
            icon={<ArrowUpOutlined />}
            data-testid="appliance-upgrade"
            title={t('appliance.upgradeNamed', { name: a.name })}
            aria-label={t('appliance.upgradeNamed', { name: a.name })}
            onClick={() => actions.onUpgrade(a)}
          />
          <Button
            type="text"
            size="small"
            danger
            icon={<StopOutlined />}
            data-testid="appliance-uninstall"
            title={t('appliance.uninstallNamed', { name: a.name })}
            aria-label={t('appliance.uninstallNamed', { name: a.name })}
            onClick={() => actions.onUninstall(a)}
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
