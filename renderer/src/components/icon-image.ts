import type { AbstractNode, IconDefinition } from '@ant-design/icons-svg/es/types';

/**
 * An Ant Design icon (the same outlines @ant-design/icons draws) as a CSS image in one colour:
 * `url("data:image/svg+xml,…")`, for a background drawn by a stylesheet rule.
 *
 * For elements that recycled table rows repeat: an inline <svg> is a replaced box with its own
 * transform and clip nodes in the page's paint property tree, and moving a row that held four of
 * them (a scroll step moves the rows that wrap round) cost a hundred times more layout and
 * layerization work, and garbage, than moving a row without (`npm run bench -- ui`). A background
 * image is one display item. data: images are allowed by the CSP (img-src).
 */
export function iconImage(definition: IconDefinition, color: string): string {
  const node = typeof definition.icon === 'function' ? definition.icon(color, color) : definition.icon;
  const svg = serialize({ ...node, attrs: { ...node.attrs, xmlns: 'http://www.w3.org/2000/svg', fill: color } });
  return `url("data:image/svg+xml,${encodeURIComponent(svg)}")`;
}

function serialize(node: AbstractNode): string {
  const attrs = Object.entries(node.attrs)
    .filter(([name]) => name !== 'focusable')
    .map(([name, value]) => ` ${name}="${value.replace(/&/g, '&amp;').replace(/"/g, '&quot;')}"`)
    .join('');
  return `<${node.tag}${attrs}>${(node.children ?? []).map(serialize).join('')}</${node.tag}>`;
}
