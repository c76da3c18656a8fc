import { ArrowUpOutlined, CloudUploadOutlined, PlusOutlined, UploadOutlined } from '@ant-design/icons';
import { Button, Flex, Typography } from 'antd';
import { lazy, Suspense, useCallback, useDeferredValue, useMemo, useState } from 'react';
import type { Appliance } from '../../../../main/contract/fleet.contract';
import { useFleetList } from '../../api/fleet-hooks';
import type { ProvisionAction } from '../../api/provision-hooks';
import { QueryErrorAlert } from '../../components/query-error-alert';
import { useI18n } from '../../i18n/i18n-context';
import type { BulkKind } from './bulk-provision-dialog';
import { collectTags, EMPTY_FLEET_FILTER, filterAppliances, isFilterActive, type FleetFilter } from './fleet-filter';
import { FleetFiltersBar } from './fleet-filters-bar';
import { FleetTable } from './fleet-table';

type DialogState = { mode: 'add' } | { mode: 'edit'; appliance: Appliance } | null;

const NO_APPLIANCES: readonly Appliance[] = [];
const NO_SELECTION: ReadonlySet<string> = new Set();
// Loaded on first use: it brings antd's Table, which the Fleet page's first render does not need.
// Loaded when opened: the wizard's tables would otherwise add ~300 kB to the Fleet page's first load.
const AddWizard = lazy(() => import('./add-wizard/add-wizard').then((m) => ({ default: m.AddWizard })));
const BulkProvisionDialog = lazy(() => import('./bulk-provision-dialog').then((m) => ({ default: m.BulkProvisionDialog })));
// The row and header dialogs too: their forms bring zod and the contract's schemas, whose module
// evaluation was ~60 ms of the Fleet page's cold start (`npm run bench -- ui`).
const ApplianceDialog = lazy(() => import('./appliance-dialog').then((m) => ({ default: m.ApplianceDialog })));
const RemoveApplianceDialog = lazy(() => import('./remove-appliance-dialog').then((m) => ({ default: m.RemoveApplianceDialog })));
const ProvisionDialog = lazy(() => import('./provision-dialog').then((m) => ({ default: m.ProvisionDialog })));
const ImportAppliancesDialog = lazy(() => import('./import-appliances-dialog').then((m) => ({ default: m.ImportAppliancesDialog })));
const ConnectionTestDialog = lazy(() => import('./connection-test-dialog').then((m) => ({ default: m.ConnectionTestDialog })));

/** The fleet register: every appliance and smart box this console manages. */
export default function FleetPage() {
  const { t, tp } = useI18n();
  const fleet = useFleetList();
  const [filter, setFilter] = useState<FleetFilter>(EMPTY_FLEET_FILTER);
  // Typing stays responsive while a large list re-filters in the background.
  const deferredFilter = useDeferredValue(filter);
  const [dialog, setDialog] = useState<DialogState>(null);
  const [wizard, setWizard] = useState(false);
  const [removing, setRemoving] = useState<Appliance | null>(null);
  const [testing, setTesting] = useState<Appliance | null>(null);
  const [importing, setImporting] = useState(false);
  const [running, setRunning] = useState<{ appliance: Appliance; action: ProvisionAction } | null>(null);
  const [selected, setSelected] = useState<ReadonlySet<string>>(NO_SELECTION);
  const [bulk, setBulk] = useState<{ kind: BulkKind; appliances: readonly Appliance[] } | null>(null);

  const all = fleet.data ?? NO_APPLIANCES;
  const visible = useMemo(() => filterAppliances(all, deferredFilter), [all, deferredFilter]);
  const tags = useMemo(() => collectTags(all), [all]);
  const filtered = isFilterActive(deferredFilter);

  const openAdd = useCallback(() => setDialog({ mode: 'add' }), []);
  const openEdit = useCallback((appliance: Appliance) => setDialog({ mode: 'edit', appliance }), []);
  const clearFilters = useCallback(() => setFilter(EMPTY_FLEET_FILTER), []);
  const openProvision = useCallback((appliance: Appliance) => setRunning({ appliance, action: { kind: 'provision' } }), []);
  // Bulk actions act on the selected rows the filter shows: what is hidden is never changed by surprise.
  const selectedShown = useMemo(() => (selected.size === 0 ? NO_APPLIANCES : visible.filter((a) => selected.has(a.id))), [visible, selected]);

  const count = filtered
    ? t('fleet.countFiltered', { shown: visible.length, total: all.length })
    : tp('fleet.count', { count: all.length });

  return (
    <Flex vertical gap={16} style={{ flex: 1, minHeight: 0 }}>
      <Flex justify="space-between" align="center" gap={16}>
        <Flex align="baseline" gap={12}>
          <Typography.Title level={4} style={{ margin: 0 }}>
            {t('fleet.title')}
          </Typography.Title>
          {fleet.data && (
            <Typography.Text type="secondary" data-testid="fleet-count">
              {count}
            </Typography.Text>
          )}
        </Flex>
        <Flex gap={8}>
          <Button icon={<UploadOutlined />} onClick={() => setImporting(true)} data-testid="fleet-import">
            {t('import.button')}
          </Button>
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setWizard(true)} data-testid="fleet-add">
            {t('fleet.add')}
          </Button>
        </Flex>
      </Flex>
      <FleetFiltersBar value={filter} onChange={setFilter} tags={tags} />
      {selectedShown.length > 0 && (
        <Flex align="center" gap={8} data-testid="bulk-bar">
          <Typography.Text data-testid="bulk-count">{t('bulk.selected', { count: selectedShown.length })}</Typography.Text>
          <Button icon={<CloudUploadOutlined />} onClick={() => setBulk({ kind: 'provision', appliances: selectedShown })} data-testid="bulk-provision">
            {t('bulk.provision')}
          </Button>
          <Button icon={<ArrowUpOutlined />} onClick={() => setBulk({ kind: 'upgrade', appliances: selectedShown })} data-testid="bulk-upgrade">
            {t('bulk.upgrade')}
          </Button>
          <Button type="link" onClick={() => setSelected(NO_SELECTION)} data-testid="bulk-clear">
            {t('bulk.clearSelection')}
          </Button>
        </Flex>
      )}
      {fleet.isError && <QueryErrorAlert error={fleet.error} onRetry={() => void fleet.refetch()} />}
      {!(fleet.isError && !fleet.data) && (
        <FleetTable
          appliances={visible}
          loaded={fleet.data !== undefined}
          filtered={filtered}
          onAdd={openAdd}
          onClearFilters={clearFilters}
          onTest={setTesting}
          onProvision={openProvision}
          selected={selected}
          onSelect={setSelected}
          onEdit={openEdit}
          onRemove={setRemoving}
        />
      )}
      {wizard && (
        <Suspense fallback={null}>
          <AddWizard tagOptions={tags} onClose={() => setWizard(false)} />
        </Suspense>
      )}
      <Suspense fallback={null}>
        {dialog && (
          <ApplianceDialog
            key={dialog.mode === 'edit' ? dialog.appliance.id : 'add'}
            appliance={dialog.mode === 'edit' ? dialog.appliance : undefined}
            tagOptions={tags}
            onClose={() => setDialog(null)}
          />
        )}
        {/* Mounted only when needed: a closed Modal still costs its styles on the first render. */}
        {removing && <RemoveApplianceDialog appliance={removing} onClose={() => setRemoving(null)} />}
        {running && <ProvisionDialog key={`${running.appliance.id}:${running.action.kind}`} appliance={running.appliance} action={running.action} onClose={() => setRunning(null)} />}
        {bulk && <BulkProvisionDialog kind={bulk.kind} appliances={bulk.appliances} onClose={() => setBulk(null)} />}
        {importing && <ImportAppliancesDialog onClose={() => setImporting(false)} />}
        {testing && <ConnectionTestDialog key={testing.id} appliance={testing} onClose={() => setTesting(null)} />}
      </Suspense>
    </Flex>
  );
}
