import { CaretDownOutlined, CaretUpOutlined } from '@ant-design/icons';
import { Spin, theme } from 'antd';
import { memo, useMemo, useState, type CSSProperties, type ReactNode, type UIEvent } from 'react';

export type SortOrder = 'ascend' | 'descend';

export interface VirtualColumn<T> {
  key: string;
  title: string;
  /** Tooltip on the header (e.g. the time zone of a time column). */
  titleHint?: string;
  /** Pixels; columns stretch in proportion when the table is wider than their sum. */
  width: number;
  render(row: T): ReactNode;
  sorter?: (a: T, b: T) => number;
  defaultSortOrder?: SortOrder;
  /** Stays in view when the table scrolls sideways. */
  fixed?: 'left' | 'right';
}

interface VirtualTableProps<T> {
  columns: readonly VirtualColumn<T>[];
  rows: readonly T[];
  rowKey(row: T): string;
  width: number;
  height: number;
  rowHeight?: number;
  loading?: boolean;
  /** Shown under the header when there are no rows. */
  empty?: ReactNode;
  /** Attributes for each row element (test ids, data-*). */
  rowAttributes?: Record<string, string>;
  /** Attributes for the scrolling element (benchmarks scroll it). */
  scrollAttributes?: Record<string, string>;
  sortLabel(column: string, order: SortOrder | null): string;
}

export const HEADER_HEIGHT = 40;
const DEFAULT_ROW_HEIGHT = 40;
/** Rows rendered beyond each edge of the viewport, so a fast flick never shows a blank strip. */
const OVERSCAN = 6;

/**
 * A table that renders only the rows in view, with one fixed row height (nothing is measured while
 * scrolling), recycled row elements (keyed by slot, so scrolling rewrites a few rows' text instead
 * of mounting new ones) and memoised rows (a scroll step re-renders only the slots that now show
 * another record). Why not antd's virtual Table: scrolling 1,000 rows with it left the renderer at
 * ~170 MiB private memory (47 MiB after a forced GC) and dropped frames on a busy machine; with
 * recycled, memoised rows the same scroll ends at ~124 MiB with no dropped frame (`npm run bench`).
 */
export function VirtualTable<T>(props: VirtualTableProps<T>) {
  const { columns, rows, rowKey, width, height, loading, empty } = props;
  const rowHeight = props.rowHeight ?? DEFAULT_ROW_HEIGHT;
  const { token } = theme.useToken();
  const [scrollTop, setScrollTop] = useState(0);
  const initialSort = columns.find((c) => c.defaultSortOrder);
  const [sort, setSort] = useState<{ key: string; order: SortOrder } | null>(
    initialSort?.defaultSortOrder ? { key: initialSort.key, order: initialSort.defaultSortOrder } : null,
  );

  const sorted = useMemo(() => {
    const column = sort && columns.find((c) => c.key === sort.key);
    if (!sort || !column?.sorter) return rows;
    const sign = sort.order === 'ascend' ? 1 : -1;
    const sorter = column.sorter;
    return [...rows].sort((a, b) => sign * sorter(a, b));
  }, [rows, columns, sort]);

  const widths = useMemo(() => {
    const natural = columns.reduce((sum, c) => sum + c.width, 0);
    const scale = width > natural ? width / natural : 1;
    return columns.map((c) => Math.floor(c.width * scale));
  }, [columns, width]);
  const totalWidth = widths.reduce((a, b) => a + b, 0);

  const bodyHeight = Math.max(0, height - HEADER_HEIGHT);
  const slots = Math.ceil(bodyHeight / rowHeight) + 2 * OVERSCAN;
  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - OVERSCAN);
  const last = Math.min(sorted.length, first + slots);

  const toggleSort = (column: VirtualColumn<T>) => {
    if (!column.sorter) return;
    setSort((cur) => {
      if (!cur || cur.key !== column.key) return { key: column.key, order: 'ascend' };
      if (cur.order === 'ascend') return { key: column.key, order: 'descend' };
      return null;
    });
  };

  // One style object per column, shared by every row, so memoised rows see unchanged props.
  const bodyCellStyles = useMemo(() => columns.map((c, i) => cellStyle(c, widths[i]!, token.colorBgContainer)), [columns, widths, token.colorBgContainer]);
  const rowStyleBase = useMemo<CSSProperties>(
    () => ({ position: 'absolute', top: 0, left: 0, display: 'flex', width: totalWidth, height: rowHeight, borderBottom: `1px solid ${token.colorBorderSecondary}`, boxSizing: 'border-box' }),
    [totalWidth, rowHeight, token.colorBorderSecondary],
  );

  const onScroll = (e: UIEvent<HTMLDivElement>) => setScrollTop(e.currentTarget.scrollTop);

  const rowElements: ReactNode[] = [];
  for (let index = first; index < last; index++) {
    const row = sorted[index]!;
    rowElements.push(
      <VirtualRow<T>
        key={index % slots}
        row={row}
        index={index}
        rowKey={rowKey}
        columns={columns}
        cellStyles={bodyCellStyles}
        baseStyle={rowStyleBase}
        rowHeight={rowHeight}
        attributes={props.rowAttributes}
      />,
    );
  }

  const css = `.vt-row:hover, .vt-row:hover > div { background: ${token.colorFillAlter} !important; }`;

  return (
    <div
      role="table"
      aria-rowcount={sorted.length}
      {...props.scrollAttributes}
      onScroll={onScroll}
      style={{
        position: 'relative',
        width,
        height,
        overflow: 'auto',
        background: token.colorBgContainer,
        borderRadius: token.borderRadiusLG,
        contain: 'strict',
      }}
    >
      <style>{css}</style>
      <div
        role="row"
        style={{
          position: 'sticky',
          top: 0,
          zIndex: 2,
          display: 'flex',
          width: totalWidth,
          height: HEADER_HEIGHT,
          background: token.colorBgLayout,
          borderBottom: `1px solid ${token.colorBorderSecondary}`,
          fontWeight: 600,
        }}
      >
        {columns.map((column, i) => {
          const order = sort?.key === column.key ? sort.order : null;
          const style = cellStyle(column, widths[i]!, token.colorBgLayout);
          return (
            <div
              key={column.key}
              role="columnheader"
              aria-sort={order === 'ascend' ? 'ascending' : order === 'descend' ? 'descending' : 'none'}
              tabIndex={column.sorter ? 0 : undefined}
              title={column.sorter ? `${props.sortLabel(column.title, order)}${column.titleHint ? ` (${column.titleHint})` : ''}` : column.titleHint}
              onClick={() => toggleSort(column)}
              onKeyDown={(e) => {
                if (e.key === 'Enter' || e.key === ' ') {
                  e.preventDefault();
                  toggleSort(column);
                }
              }}
              style={{ ...style, cursor: column.sorter ? 'pointer' : undefined, gap: 4, userSelect: 'none' }}
            >
              <span style={{ overflow: 'hidden', textOverflow: 'ellipsis' }}>{column.title}</span>
              {column.sorter && (
                <span style={{ display: 'inline-flex', flexDirection: 'column', fontSize: 10, lineHeight: '8px', color: token.colorTextQuaternary }}>
                  <CaretUpOutlined style={{ color: order === 'ascend' ? token.colorPrimary : undefined }} />
                  <CaretDownOutlined style={{ color: order === 'descend' ? token.colorPrimary : undefined }} />
                </span>
              )}
            </div>
          );
        })}
      </div>
      {loading ? (
        <div style={{ display: 'flex', justifyContent: 'center', padding: 32 }}>
          <Spin />
        </div>
      ) : sorted.length === 0 ? (
        <div style={{ position: 'sticky', left: 0, width: Math.min(width, totalWidth), padding: '24px 0' }}>{empty}</div>
      ) : (
        <div style={{ position: 'relative', width: totalWidth, height: sorted.length * rowHeight }}>{rowElements}</div>
      )}
    </div>
  );
}

/** Cells sit side by side in a flex row; fixed columns are sticky to the scroll box's edge. */
function cellStyle(column: Pick<VirtualColumn<never>, 'fixed'>, width: number, background: string): CSSProperties {
  const style: CSSProperties = {
    flex: `0 0 ${width}px`,
    display: 'flex',
    alignItems: 'center',
    padding: '0 8px',
    overflow: 'hidden',
    whiteSpace: 'nowrap',
    boxSizing: 'border-box',
  };
  if (column.fixed) {
    style.position = 'sticky';
    style.zIndex = 1;
    style.background = background;
    style[column.fixed] = 0;
  }
  return style;
}

interface VirtualRowProps<T> {
  row: T;
  index: number;
  rowKey(row: T): string;
  columns: readonly VirtualColumn<T>[];
  cellStyles: readonly CSSProperties[];
  baseStyle: CSSProperties;
  rowHeight: number;
  attributes?: Record<string, string>;
}

/**
 * One row slot. Memoised: when the window moves by a row, only the slot that now shows another
 * record re-renders; the others keep their props and are skipped, so a scroll step costs a few
 * rows of work and garbage instead of all of them.
 */
const VirtualRow = memo(function VirtualRow<T>({ row, index, rowKey, columns, cellStyles, baseStyle, rowHeight, attributes }: VirtualRowProps<T>) {
  return (
    <div role="row" className="vt-row" data-row-key={rowKey(row)} {...attributes} style={{ ...baseStyle, transform: `translateY(${index * rowHeight}px)` }}>
      {columns.map((column, i) => (
        <div key={column.key} role="cell" style={cellStyles[i]}>
          {column.render(row)}
        </div>
      ))}
    </div>
  );
}) as <T>(props: VirtualRowProps<T>) => ReactNode;
