import { Table, theme } from 'antd';
import { useEffect, useMemo, type HTMLAttributes } from 'react';
import type { Appliance } from '../../../../main/contract/fleet.contract';
import { useElementSize } from '../../hooks/use-element-size';
import { useI18n } from '../../i18n/i18n-context';
import { columnsWidth, fleetColumns, type FleetRowActions } from './fleet-columns';
import { FleetEmptyState } from './fleet-empty-state';

/** Room the sticky header takes inside the measured box (small-size table, checked in Chromium). */
const HEADER_HEIGHT = 39;
const MIN_BODY_HEIGHT = 160;

/** `data-testid` is not in the HTMLAttributes type, but React passes data-* through. */
const ROW_PROPS = { 'data-testid': 'fleet-row' } as HTMLAttributes<HTMLElement>;
const rowProps = (): HTMLAttributes<HTMLElement> => ROW_PROPS;

interface FleetTableProps extends FleetRowActions {
  appliances: readonly Appliance[];
  /** The list has been fetched (even if it is empty). */
  loaded: boolean;
  filtered: boolean;
  onAdd(): void;
  onClearFilters(): void;
}

export function FleetTable({ appliances, loaded, filtered, onAdd, onClearFilters, onEdit, onRemove }: FleetTableProps) {
  const { t, locale } = useI18n();
  const { token } = theme.useToken();
  const { ref, width, height } = useElementSize<HTMLDivElement>();
  const columns = useMemo(
    () => fleetColumns(t, new Intl.Collator(locale, { numeric: true, sensitivity: 'base' }), token.colorTextSecondary, { onEdit, onRemove }),
    [t, locale, token.colorTextSecondary, onEdit, onRemove],
  );

  // The bench reads this mark: the first time real data (rows or the empty state) is on screen.
  useEffect(() => {
    if (loaded && performance.getEntriesByName('fleet-rendered').length === 0) performance.mark('fleet-rendered');
  }, [loaded]);

  return (
    <div ref={ref} data-testid="fleet-table" style={{ flex: 1, minHeight: MIN_BODY_HEIGHT + HEADER_HEIGHT, overflow: 'hidden' }}>
      <Table<Appliance>
        virtual
        rowKey="id"
        size="small"
        columns={columns}
        dataSource={appliances}
        pagination={false}
        loading={!loaded}
        showSorterTooltip={false}
        // Wider than the columns: stretch them to fill; narrower: scroll sideways.
        scroll={{ x: Math.max(columnsWidth(columns), width), y: Math.max(height - HEADER_HEIGHT, MIN_BODY_HEIGHT) }}
        onRow={rowProps}
        locale={{ emptyText: loaded ? <FleetEmptyState filtered={filtered} onAdd={onAdd} onClearFilters={onClearFilters} /> : ' ' }}
      />
    </div>
  );
}
