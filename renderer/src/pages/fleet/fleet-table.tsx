import { theme } from 'antd';
import { useEffect, useMemo } from 'react';
import type { Appliance } from '../../../../main/contract/fleet.contract';
import { HEADER_HEIGHT, VirtualTable } from '../../components/virtual-table';
import { useElementSize } from '../../hooks/use-element-size';
import { useI18n } from '../../i18n/i18n-context';
import { fleetColumns, type FleetRowActions } from './fleet-columns';
import { FleetEmptyState } from './fleet-empty-state';

const MIN_BODY_HEIGHT = 160;
const ROW_ATTRIBUTES = { 'data-testid': 'fleet-row' };
const SCROLL_ATTRIBUTES = { 'data-testid': 'fleet-table-scroll' };
const rowKey = (a: Appliance) => a.id;

interface FleetTableProps extends FleetRowActions {
  appliances: readonly Appliance[];
  /** The list has been fetched (even if it is empty). */
  loaded: boolean;
  filtered: boolean;
  onAdd(): void;
  onClearFilters(): void;
}

export function FleetTable({ appliances, loaded, filtered, onAdd, onClearFilters, onTest, onProvision, onEdit, onRemove }: FleetTableProps) {
  const { t, locale } = useI18n();
  const { token } = theme.useToken();
  const { ref, width, height } = useElementSize<HTMLDivElement>();
  const columns = useMemo(
    () => fleetColumns(t, new Intl.Collator(locale, { numeric: true, sensitivity: 'base' }), token.colorTextSecondary, { onTest, onProvision, onEdit, onRemove }),
    [t, locale, token.colorTextSecondary, onTest, onProvision, onEdit, onRemove],
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
          scrollAttributes={SCROLL_ATTRIBUTES}
          sortLabel={(column, order) =>
            order === 'ascend' ? t('table.sortedAscending', { column }) : order === 'descend' ? t('table.sortedDescending', { column }) : t('table.sortBy', { column })
          }
        />
      )}
    </div>
  );
}
