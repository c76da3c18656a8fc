import { theme } from 'antd';
import { useEffect, useMemo } from 'react';
import type { Appliance } from '../../../../main/contract/fleet.contract';
import { useFleetStatuses } from '../../api/status-hooks';
import { HEADER_HEIGHT, VirtualTable, type TableSelection } from '../../components/virtual-table';
import { useElementSize } from '../../hooks/use-element-size';
import { useI18n } from '../../i18n/i18n-context';
import { fleetColumns, type FleetRowActions } from './fleet-columns';
import { FleetEmptyState } from './fleet-empty-state';
import { useNow } from '../appliance/use-now';

const MIN_BODY_HEIGHT = 160;
const ROW_ATTRIBUTES = { 'data-testid': 'fleet-row' };
const SCROLL_ATTRIBUTES = { 'data-testid': 'fleet-table-scroll' };
const rowKey = (a: Appliance) => a.id;
/** "since 3 minutes ago" moves on this often; each tick re-renders only the rows in view. */
const NOW_TICK_MS = 30_000;

interface FleetTableProps extends FleetRowActions {
  appliances: readonly Appliance[];
  /** The list has been fetched (even if it is empty). */
  loaded: boolean;
  filtered: boolean;
  onAdd(): void;
  onClearFilters(): void;
  selected: ReadonlySet<string>;
  onSelect(next: ReadonlySet<string>): void;
}

export function FleetTable(props: FleetTableProps) {
  const { appliances, loaded, filtered, onAdd, onClearFilters, onTest, onProvision, onUpgrade, onUninstall, onEdit, onRemove, selected, onSelect } = props;
  const { t, locale } = useI18n();
  const { token } = theme.useToken();
  const { ref, width, height } = useElementSize<HTMLDivElement>();
  const statuses = useFleetStatuses().data;
  const nowMs = useNow(NOW_TICK_MS);
  // Rebuilt when a batch of statuses lands (a few times per watch round at most): the rows in view re-render, the rest cost nothing.
  const columns = useMemo(
    () =>
      fleetColumns(t, new Intl.Collator(locale, { numeric: true, sensitivity: 'base' }), token.colorTextSecondary, { onTest, onProvision, onUpgrade, onUninstall, onEdit, onRemove }, { statuses, nowMs, locale }),
    [t, locale, token.colorTextSecondary, onTest, onProvision, onUpgrade, onUninstall, onEdit, onRemove, statuses, nowMs],
  );
  const selection = useMemo<TableSelection<Appliance>>(
    () => ({ selected, onChange: onSelect, selectAllLabel: t('bulk.selectAll'), rowLabel: (a) => t('bulk.selectRow', { name: a.name }) }),
    [selected, onSelect, t],
  );

  // The bench reads this mark: the first time real data (rows or the empty state) is on screen.
  useEffect(() => {
    if (loaded && performance.getEntriesByName('fleet-rendered').length === 0) performance.mark('fleet-rendered');
  }, [loaded]);

  return (
    <div ref={ref} data-testid="fleet-table" style={{ flex: 1, minHeight: MIN_BODY_HEIGHT + HEADER_HEIGHT, overflow: 'hidden' }}>
      {width > 0 && (
        <VirtualTable<Appliance>
          columns={columns}
          rows={appliances}
          rowKey={rowKey}
          width={width}
          height={Math.max(height, MIN_BODY_HEIGHT + HEADER_HEIGHT)}
          loading={!loaded}
          empty={<FleetEmptyState filtered={filtered} onAdd={onAdd} onClearFilters={onClearFilters} />}
          rowAttributes={ROW_ATTRIBUTES}
          selection={selection}
          scrollAttributes={SCROLL_ATTRIBUTES}
          sortLabel={(column, order) =>
            order === 'ascend' ? t('table.sortedAscending', { column }) : order === 'descend' ? t('table.sortedDescending', { column }) : t('table.sortBy', { column })
          }
        />
      )}
    </div>
  );
}
