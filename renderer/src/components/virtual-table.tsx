import { CaretDownOutlined, CaretUpOutlined } from '@ant-design/icons';
import { Spin, theme } from 'antd';
import { memo, useCallback, useEffect, useId, useMemo, useRef, useState, type CSSProperties, type MouseEvent, type ReactNode, type UIEvent } from 'react';

export type SortOrder = 'ascend' | 'descend';

export interface VirtualColumn<T> {
  key: string;
  title: string;
  /** Tooltip on the header (e.g. the time zone of a time column). */
  titleHint?: string;
  /** Pixels; columns stretch in proportion when the table is wider than their sum. */
  width: number;
  /** The cell's content. Body cells do not clip: content that can be wider than the column must clip itself (an ellipsis box). */
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
  /** A checkbox column on the left; the header box selects or clears every row given (the filtered ones). */
  selection?: TableSelection<T>;
}

export interface TableSelection<T> {
  /** Row keys. */
  selected: ReadonlySet<string>;
  onChange(next: ReadonlySet<string>): void;
  /** Accessible names: the header box, and each row's box ("Select edge-1"). */
  selectAllLabel: string;
  rowLabel(row: T): string;
}

export const HEADER_HEIGHT = 40;
const DEFAULT_ROW_HEIGHT = 40;
const SELECT_WIDTH = 40;
/** Rows rendered beyond each edge of the viewport, so a fast flick never shows a blank strip. */
const OVERSCAN = 6;

/**
 * A table that renders only the rows in view, with one fixed row height (nothing is measured while
 * scrolling), recycled row elements (keyed by slot, so scrolling rewrites a few rows' text instead
 * of mounting new ones) and memoised rows (a scroll step re-renders only the slots that now show
 * another record). Why not antd's virtual Table: scrolling 1,000 rows with it left the renderer at
 * ~170 MiB private memory (47 MiB after a forced GC) and dropped frames on a busy machine.
 * Measured since (`npm run bench -- ui`, the Fleet table's columns, 2 shared cores): a scroll step
 * of 3 rows costs ~12 ms of the renderer's main thread (about half React: the rows that changed, an
 * antd Button per action; the rest style, layout, paint), so frames hold 16.7 ms only while the
 * machine is otherwise quiet (p95 1.0× idle then; 2-5× under load); the renderer ends the scroll at
 * ~155 MiB private, ~14× a blank page's renderer, most of it V8 heap and allocator memory not yet
 * returned after the scroll's garbage (its JS heap in use: ~11-14 MiB).
 */
export function VirtualTable<T>(props: VirtualTableProps<T>) {
  const { columns, rows, rowKey, width, height, loading, empty } = props;
  const rowHeight = props.rowHeight ?? DEFAULT_ROW_HEIGHT;
  const { token } = theme.useToken();
  // The first row index in view, not the scroll offset: scrolling within a row (a wheel notch
  // animates in ~7 px steps) sets the same value and React skips the render.
  const [topRow, setTopRow] = useState(0);
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

  const selection = props.selection;
  const selectWidth = selection ? SELECT_WIDTH : 0;
  const widths = useMemo(() => {
    const natural = columns.reduce((sum, c) => sum + c.width, 0);
    const scale = width - selectWidth > natural ? (width - selectWidth) / natural : 1;
    return columns.map((c) => Math.floor(c.width * scale));
  }, [columns, width, selectWidth]);
  const totalWidth = widths.reduce((a, b) => a + b, selectWidth);
  // Fixed columns stick only when the table is wider than its box: each sticky cell (three in
  // every row) is one more layer the compositor repositions on every scroll frame, for nothing
  // when nothing scrolls sideways.
  const scrollsSideways = totalWidth > width;

  // Row boxes get one stable callback (memoised rows stay skipped); it reads the latest selection.
  const selectionRef = useRef(selection);
  selectionRef.current = selection;
  const toggleRow = useCallback((key: string) => {
    const current = selectionRef.current;
    if (!current) return;
    const next = new Set(current.selected);
    if (!next.delete(key)) next.add(key);
    current.onChange(next);
  }, []);
  // Row labels are built by the rows that render (a few per scroll step), through a stable callback.
  const rowLabel = useCallback((row: T) => selectionRef.current?.rowLabel(row) ?? '', []);
  const selected = selection?.selected;
  const selectedShown = useMemo(() => (selected ? sorted.reduce((n, row) => (selected.has(rowKey(row)) ? n + 1 : n), 0) : 0), [sorted, selected, rowKey]);
  // Stable, like toggleRow, so the memoised header is not rebuilt by a scroll step.
  const sortedRef = useRef(sorted);
  sortedRef.current = sorted;
  const toggleAll = useCallback(() => {
    const current = selectionRef.current;
    if (!current) return;
    const shown = sortedRef.current;
    const next = new Set(current.selected);
    const all = shown.length > 0 && shown.every((row) => current.selected.has(rowKey(row)));
    for (const row of shown) {
      if (all) next.delete(rowKey(row));
      else next.add(rowKey(row));
    }
    current.onChange(next);
  }, [rowKey]);

  const bodyHeight = Math.max(0, height - HEADER_HEIGHT);
  const slots = Math.ceil(bodyHeight / rowHeight) + 2 * OVERSCAN;
  const first = Math.max(0, topRow - OVERSCAN);
  const last = Math.min(sorted.length, first + slots);

  const toggleSort = useCallback((column: VirtualColumn<T>) => {
    if (!column.sorter) return;
    setSort((cur) => {
      if (!cur || cur.key !== column.key) return { key: column.key, order: 'ascend' };
      if (cur.order === 'ascend') return { key: column.key, order: 'descend' };
      return null;
    });
  }, []);

  // One style object per column, shared by every row, so memoised rows see unchanged props.
  // A left-fixed column (the first; tables here have at most one) sticks beside the selection box.
  const fixedOf = useCallback((fixed: VirtualColumn<T>['fixed']) => (scrollsSideways ? fixed : undefined), [scrollsSideways]);
  const stickyOffsets = useMemo(() => columns.map((c) => (c.fixed === 'left' ? selectWidth : 0)), [columns, selectWidth]);
  const bodyCellStyles = useMemo(
    () => columns.map((c, i) => cellStyle(fixedOf(c.fixed), widths[i]!, token.colorBgContainer, stickyOffsets[i], false)),
    [columns, widths, token.colorBgContainer, stickyOffsets, fixedOf],
  );
  const selectCellStyle = useMemo(() => ({ ...cellStyle(fixedOf('left'), SELECT_WIDTH, token.colorBgContainer, 0, false), justifyContent: 'center' }), [token.colorBgContainer, fixedOf]);
  const rowStyleBase = useMemo<CSSProperties>(
    () => ({ position: 'absolute', top: 0, left: 0, display: 'flex', width: totalWidth, height: rowHeight, borderBottom: `1px solid ${token.colorBorderSecondary}`, boxSizing: 'border-box' }),
    [totalWidth, rowHeight, token.colorBorderSecondary],
  );

  const onScroll = (e: UIEvent<HTMLDivElement>) => setTopRow(Math.floor(e.currentTarget.scrollTop / rowHeight));

  // Rows in slot order, not in the order they show: a slot keeps its place among its siblings
  // whatever record it shows, so React never moves a row element. A move (what keying by slot in
  // screen order made React do for the rows that wrapped round at every scroll step) takes the row
  // out of the layout tree and rebuilds it: a full style recalc and new layout objects for every
  // element in it, most of a scroll step's cost and of the garbage it left behind (`npm run bench
  // -- ui`). Assistive technology still gets the screen order: each row carries its aria-rowindex,
  // and the row group lists the rows in screen order (aria-owns).
  const idPrefix = useId();
  const rowElements: ReactNode[] = [];
  const ownedIds: string[] = [];
  for (let slot = 0; slot < slots; slot++) {
    const index = first + ((((slot - first) % slots) + slots) % slots);
    if (index >= last) continue;
    const row = sorted[index]!;
    rowElements.push(
      <VirtualRow<T>
        key={slot}
        id={`${idPrefix}${slot}`}
        row={row}
        index={index}
        rowKey={rowKey}
        columns={columns}
        cellStyles={bodyCellStyles}
        baseStyle={rowStyleBase}
        rowHeight={rowHeight}
        attributes={props.rowAttributes}
        selected={selected ? selected.has(rowKey(row)) : undefined}
        selectLabel={selection ? rowLabel : undefined}
        onToggle={selection ? toggleRow : undefined}
        selectCellStyle={selectCellStyle}
      />,
    );
  }
  for (let index = first; index < last; index++) ownedIds.push(`${idPrefix}${index % slots}`);

  // The header does not change while scrolling: memoised, a scroll step does not rebuild it.
  const selectAllLabel = selection?.selectAllLabel;
  const sortLabel = props.sortLabel;
  const header = useMemo(
    () => (
      <div
        role="row"
        aria-rowindex={1}
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
        {selectAllLabel !== undefined && (
          <div role="columnheader" style={{ ...cellStyle(fixedOf('left'), SELECT_WIDTH, token.colorBgLayout), justifyContent: 'center' }}>
            <SelectBox
              checked={sorted.length > 0 && selectedShown === sorted.length}
              indeterminate={selectedShown > 0 && selectedShown < sorted.length}
              disabled={sorted.length === 0}
              label={selectAllLabel}
              onToggle={toggleAll}
              testId="table-select-all"
            />
          </div>
        )}
        {columns.map((column, i) => {
          const order = sort?.key === column.key ? sort.order : null;
          const style = cellStyle(fixedOf(column.fixed), widths[i]!, token.colorBgLayout, stickyOffsets[i]);
          return (
            <div
              key={column.key}
              role="columnheader"
              aria-sort={order === 'ascend' ? 'ascending' : order === 'descend' ? 'descending' : 'none'}
              tabIndex={column.sorter ? 0 : undefined}
              title={column.sorter ? `${sortLabel(column.title, order)}${column.titleHint ? ` (${column.titleHint})` : ''}` : column.titleHint}
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
    ),
    [columns, widths, sort, selectAllLabel, selectedShown, sorted.length, totalWidth, token, fixedOf, stickyOffsets, sortLabel, toggleAll, toggleSort],
  );

  const css = `.vt-row:hover, .vt-row:hover > div { background: ${token.colorFillAlter} !important; }`;

  return (
    <div
      role="table"
      aria-rowcount={sorted.length + 1}
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
      {header}
      {loading ? (
        <div style={{ display: 'flex', justifyContent: 'center', padding: 32 }}>
          <Spin />
        </div>
      ) : sorted.length === 0 ? (
        <div style={{ position: 'sticky', left: 0, width: Math.min(width, totalWidth), padding: '24px 0' }}>{empty}</div>
      ) : (
        <div role="rowgroup" aria-owns={ownedIds.join(' ')} style={{ position: 'relative', width: totalWidth, height: sorted.length * rowHeight }}>
          {rowElements}
        </div>
      )}
    </div>
  );
}

/**
 * Cells sit side by side in a flex row; fixed columns are sticky to the scroll box's edge. Body
 * cells do not clip (`clip` false): each clipping box is a clip node in the page's paint property
 * tree, and a row's dozen of them made every scroll step's text changes several times dearer
 * (paint, layerization and the layout garbage left behind: `npm run bench -- ui`). A column whose
 * content can outgrow its width clips it itself (an ellipsis box); min-width 0 keeps the cell at its
 * width whatever its content's size.
 */
function cellStyle(fixed: VirtualColumn<never>['fixed'], width: number, background: string, offset = 0, clip = true): CSSProperties {
  const style: CSSProperties = {
    flex: `0 0 ${width}px`,
    display: 'flex',
    alignItems: 'center',
    padding: '0 8px',
    whiteSpace: 'nowrap',
    boxSizing: 'border-box',
  };
  if (clip) style.overflow = 'hidden';
  else style.minWidth = 0;
  if (fixed) {
    style.position = 'sticky';
    style.zIndex = 1;
    style.background = background;
    style[fixed] = offset;
  }
  return style;
}

/**
 * A native checkbox: rows re-render on every scroll step, and antd's Checkbox costs several
 * elements and a wave effect per row. `indeterminate` exists only as a DOM property.
 */
function SelectBox({ checked, indeterminate, disabled, label, onToggle, testId }: { checked: boolean; indeterminate?: boolean; disabled?: boolean; label: string; onToggle(): void; testId: string }) {
  const ref = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (ref.current) ref.current.indeterminate = indeterminate ?? false;
  }, [indeterminate]);
  return <input ref={ref} type="checkbox" checked={checked} disabled={disabled} aria-label={label} title={label} data-testid={testId} onChange={onToggle} style={SELECT_BOX_STYLE} />;
}

/**
 * The tooltip of a control named by its aria-label, set when the pointer comes: a title attribute
 * set on every render would restyle each recycled row's element (title takes part in the style
 * engine's attribute invalidation), a scroll step's worth of style work for a tooltip. For the
 * table's own boxes and for cells' controls alike.
 */
export function labelAsTooltip(e: MouseEvent<HTMLElement>): void {
  e.currentTarget.title = e.currentTarget.getAttribute('aria-label') ?? '';
}

const SELECT_BOX_STYLE: CSSProperties = { width: 16, height: 16, margin: 0, cursor: 'pointer' };

interface VirtualRowProps<T> {
  /** Named by the row group's aria-owns, which gives assistive technology the rows in screen order. */
  id: string;
  row: T;
  index: number;
  rowKey(row: T): string;
  columns: readonly VirtualColumn<T>[];
  cellStyles: readonly CSSProperties[];
  baseStyle: CSSProperties;
  rowHeight: number;
  attributes?: Record<string, string>;
  /** Set when the table has a selection column. */
  selected?: boolean;
  selectLabel?(row: T): string;
  onToggle?(key: string): void;
  selectCellStyle: CSSProperties;
}

/**
 * One row slot. Memoised: when the window moves by a row, only the slot that now shows another
 * record re-renders; the others keep their props and are skipped, so a scroll step costs a few
 * rows of work and garbage instead of all of them.
 */
const VirtualRow = memo(function VirtualRow<T>({ id, row, index, rowKey, columns, cellStyles, baseStyle, rowHeight, attributes, selected, selectLabel, onToggle, selectCellStyle }: VirtualRowProps<T>) {
  const key = rowKey(row);
  const label = selectLabel?.(row) || key;
  return (
    <div id={id} role="row" aria-rowindex={index + 2} className="vt-row" data-row-key={key} aria-selected={selected} {...attributes} style={{ ...baseStyle, transform: `translateY(${index * rowHeight}px)` }}>
      {onToggle && (
        <div role="cell" style={selectCellStyle}>
          {/* A bare input (no hooks): rows re-render on every scroll step. */}
          <input
            type="checkbox"
            checked={selected ?? false}
            aria-label={label}
            onMouseEnter={labelAsTooltip}
            data-testid="table-select-row"
            onChange={() => onToggle(key)}
            style={SELECT_BOX_STYLE}
          />
        </div>
      )}
      {columns.map((column, i) => (
        <div key={column.key} role="cell" style={cellStyles[i]}>
          {column.render(row)}
        </div>
      ))}
    </div>
  );
}) as <T>(props: VirtualRowProps<T>) => ReactNode;
