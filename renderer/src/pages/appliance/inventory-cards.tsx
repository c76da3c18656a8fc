import { ReloadOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Descriptions, Flex, Progress, Space, Spin, Table, Typography } from 'antd';
import type { InventoryAnswer } from '../../api/status-hooks';
import { useApplianceInventory, useRefreshInventory } from '../../api/status-hooks';
import { QueryErrorAlert } from '../../components/query-error-alert';
import { describeError } from '../../i18n/describe-error';
import { formatCapacity, formatLocalTime, formatMemory } from '../../i18n/format';
import { useI18n } from '../../i18n/i18n-context';
import { reasonText } from '../../i18n/reason-text';

type Inventory = NonNullable<InventoryAnswer['inventory']>;
type BlockDevice = Inventory['blockDevices'][number];
type Filesystem = Inventory['filesystems'][number];
type NetworkInterface = Inventory['network'][number];

/** File systems used beyond these shares get a warning / danger bar (the alert rules' defaults). */
const WARN_PERCENT = 80;
const DANGER_PERCENT = 90;

/**
 * What the appliance is made of, as its agent last reported it (kept by the console, so it shows
 * while the appliance is offline), with the time it was taken and a Refresh that asks the agent
 * now — and says why not, when the appliance cannot answer.
 */
export function InventoryCards({ applianceId }: { applianceId: string }) {
  const translator = useI18n();
  const { t } = translator;
  const query = useApplianceInventory(applianceId);
  const refresh = useRefreshInventory(applianceId);
  const answer = query.data;
  const inventory = answer?.inventory ?? null;

  const extra = (
    <Space>
      {answer?.at && (
        <Typography.Text type="secondary" data-testid="inventory-as-of">
          {t('appliance.inventory.asOf', { time: formatLocalTime(answer.at) })}
        </Typography.Text>
      )}
      <Button size="small" icon={<ReloadOutlined />} loading={refresh.isPending} onClick={() => refresh.mutate()} data-testid="inventory-refresh">
        {t('appliance.inventory.refresh')}
      </Button>
    </Space>
  );

  return (
    <Card size="small" title={t('appliance.inventory.title')} extra={extra} data-testid="appliance-inventory">
      <Flex vertical gap={12}>
        {query.isError && <QueryErrorAlert error={query.error} onRetry={() => void query.refetch()} />}
        {refresh.isError && <Alert type="error" showIcon title={describeError(translator, refresh.error)} />}
        {answer?.staleReason && (
          <Alert
            type="warning"
            showIcon
            // Worded from the code like a status reason (ssh.*, agent.*); the English only from a host without codes.
            title={t('appliance.inventory.stale', { reason: reasonText(translator, answer.staleReasonCode, answer.staleReasonParams ?? {}, answer.staleReason) ?? answer.staleReason })}
            data-testid="inventory-stale"
          />
        )}
        {query.isPending ? (
          <Spin />
        ) : !inventory ? (
          <Typography.Text type="secondary">{t('appliance.inventory.none')}</Typography.Text>
        ) : (
          <InventoryBody inventory={inventory} />
        )}
      </Flex>
    </Card>
  );
}

function InventoryBody({ inventory }: { inventory: Inventory }) {
  const { t, locale } = useI18n();
  const { os, cpu, memory } = inventory;
  const osName = [os.distro, os.release, os.codename ? `(${os.codename})` : null].filter(Boolean).join(' ') || os.platform;
  const cpuText = [
    cpu.model,
    t('appliance.inventory.cpuCores', { cores: cpu.cores }),
    cpu.physicalCores !== null ? t('appliance.inventory.cpuPhysical', { cores: cpu.physicalCores }) : null,
    cpu.speedGHz ? t('appliance.inventory.cpuSpeed', { ghz: cpu.speedGHz.toLocaleString(locale, { maximumFractionDigits: 2 }) }) : null,
  ]
    .filter(Boolean)
    .join(' · ');

  return (
    <Flex vertical gap={16}>
      <Descriptions
        size="small"
        bordered
        column={{ xs: 1, md: 2 }}
        items={[
          { key: 'hostname', label: t('appliance.inventory.hostname'), children: <span data-testid="inventory-hostname">{inventory.hostname}</span> },
          { key: 'os', label: t('appliance.inventory.os'), children: osName },
          { key: 'kernel', label: t('appliance.inventory.kernel'), children: os.kernel },
          { key: 'arch', label: t('appliance.inventory.arch'), children: os.arch },
          { key: 'cpu', label: t('appliance.inventory.cpu'), children: cpuText },
          {
            key: 'memory',
            label: t('appliance.inventory.memory'),
            children: t('appliance.inventory.memoryValue', { total: formatMemory(memory.totalBytes, locale), available: formatMemory(memory.availableBytes, locale) }),
          },
        ]}
      />
      {inventory.warnings.length > 0 && (
        <Alert
          type="warning"
          showIcon
          title={t('appliance.inventory.warnings')}
          description={
            <ul style={{ margin: 0, paddingInlineStart: 18 }}>
              {inventory.warnings.map((w) => (
                <li key={w}>{w}</li>
              ))}
            </ul>
          }
        />
      )}
      <BlockDevicesTable devices={inventory.blockDevices} />
      <FilesystemsTable filesystems={inventory.filesystems} />
      <NetworkTable interfaces={inventory.network} />
    </Flex>
  );
}

function BlockDevicesTable({ devices }: { devices: readonly BlockDevice[] }) {
  const { t, locale } = useI18n();
  return (
    <Table<BlockDevice>
      size="small"
      title={() => <Typography.Text strong>{t('appliance.inventory.blockDevices')}</Typography.Text>}
      pagination={false}
      rowKey="path"
      dataSource={devices as BlockDevice[]}
      data-testid="inventory-block-devices"
      columns={[
        { key: 'name', title: t('appliance.inventory.col.name'), render: (_, d) => (d.parent ? `└ ${d.name}` : d.name) },
        { key: 'type', title: t('appliance.inventory.col.type'), dataIndex: 'type' },
        { key: 'size', title: t('appliance.inventory.col.size'), align: 'right', render: (_, d) => formatCapacity(d.sizeBytes, locale) },
        { key: 'fsType', title: t('appliance.inventory.col.fsType'), render: (_, d) => d.fsType ?? '—' },
        { key: 'mountpoint', title: t('appliance.inventory.col.mountpoint'), render: (_, d) => d.mountpoint ?? '—' },
        { key: 'model', title: t('appliance.inventory.col.model'), render: (_, d) => d.model ?? '—' },
      ]}
    />
  );
}

function FilesystemsTable({ filesystems }: { filesystems: readonly Filesystem[] }) {
  const { t, locale } = useI18n();
  return (
    <Table<Filesystem>
      size="small"
      title={() => <Typography.Text strong>{t('appliance.inventory.filesystems')}</Typography.Text>}
      pagination={false}
      rowKey={(f) => `${f.source}@${f.mountpoint}`}
      dataSource={filesystems as Filesystem[]}
      data-testid="inventory-filesystems"
      columns={[
        { key: 'mountpoint', title: t('appliance.inventory.col.mountpoint'), dataIndex: 'mountpoint' },
        { key: 'source', title: t('appliance.inventory.col.source'), dataIndex: 'source', ellipsis: true },
        { key: 'fsType', title: t('appliance.inventory.col.fsType'), dataIndex: 'fsType' },
        {
          key: 'usage',
          title: t('appliance.inventory.col.usage'),
          width: 280,
          render: (_, f) => (
            <div title={`${f.usePercent.toLocaleString(locale)} %`}>
              <Typography.Text style={{ fontSize: 12 }}>{t('appliance.inventory.usageValue', { used: formatCapacity(f.usedBytes, locale), size: formatCapacity(f.sizeBytes, locale) })}</Typography.Text>
              <Progress
                percent={f.usePercent}
                size="small"
                status={f.usePercent >= DANGER_PERCENT ? 'exception' : 'normal'}
                strokeColor={f.usePercent >= DANGER_PERCENT ? undefined : f.usePercent >= WARN_PERCENT ? '#faad14' : undefined}
                format={(p) => `${(p ?? 0).toLocaleString(locale, { maximumFractionDigits: 0 })} %`}
              />
            </div>
          ),
        },
        { key: 'available', title: t('appliance.inventory.col.available'), align: 'right', render: (_, f) => formatCapacity(f.availableBytes, locale) },
      ]}
    />
  );
}

function NetworkTable({ interfaces }: { interfaces: readonly NetworkInterface[] }) {
  const { t, locale, lookup } = useI18n();
  return (
    <Table<NetworkInterface>
      size="small"
      title={() => <Typography.Text strong>{t('appliance.inventory.network')}</Typography.Text>}
      pagination={false}
      rowKey="name"
      dataSource={interfaces as NetworkInterface[]}
      data-testid="inventory-network"
      columns={[
        { key: 'name', title: t('appliance.inventory.col.name'), dataIndex: 'name' },
        { key: 'state', title: t('appliance.inventory.col.state'), render: (_, n) => (n.operstate ? (lookup(`appliance.inventory.nicState.${n.operstate}`) ?? n.operstate) : '—') },
        {
          key: 'addresses',
          title: t('appliance.inventory.col.addresses'),
          render: (_, n) =>
            n.addresses.length === 0 ? '—' : n.addresses.map((a) => <div key={a.address}>{a.prefixLength !== null ? `${a.address}/${a.prefixLength}` : a.address}</div>),
        },
        { key: 'mac', title: t('appliance.inventory.col.mac'), render: (_, n) => n.mac ?? '—' },
        {
          key: 'speed',
          title: t('appliance.inventory.col.speed'),
          align: 'right',
          render: (_, n) => (n.speedMbps !== null ? t('appliance.inventory.speedValue', { mbps: n.speedMbps.toLocaleString(locale) }) : '—'),
        },
        { key: 'mtu', title: t('appliance.inventory.col.mtu'), align: 'right', render: (_, n) => (n.mtu !== null ? t('appliance.inventory.mtuValue', { mtu: n.mtu }) : '—') },
      ]}
    />
  );
}
