import { useLayoutEffect, useRef, useState, type RefObject } from 'react';

/**
 * The live size of an element. The virtual Table needs pixel sizes for its scroll area; this
 * lets it fill whatever room the page layout leaves. Measured before paint so the first frame
 * already has the right number of rows.
 */
export function useElementSize<T extends HTMLElement>(): { ref: RefObject<T | null>; width: number; height: number } {
  const ref = useRef<T>(null);
  const [size, setSize] = useState({ width: 0, height: 0 });
  useLayoutEffect(() => {
    const element = ref.current;
    if (!element) return;
    const update = (width: number, height: number): void =>
      setSize((prev) => (prev.width === width && prev.height === height ? prev : { width, height }));
    const rect = element.getBoundingClientRect();
    update(rect.width, rect.height);
    const observer = new ResizeObserver((entries) => {
      const entry = entries[entries.length - 1];
      if (entry) update(entry.contentRect.width, entry.contentRect.height);
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, []);
  return { ref, ...size };
}
