import fs from 'node:fs';
import path from 'node:path';
import type { BrowserWindow, Rectangle } from 'electron';

interface WindowState {
  bounds: Rectangle;
  maximized: boolean;
}

const DEFAULT: WindowState = { bounds: { x: 0, y: 0, width: 1280, height: 820 }, maximized: false };

/** Remembers the window's size and position between runs (a small JSON file in userData). */
export function loadWindowState(userData: string): WindowState & { save(win: BrowserWindow): void } {
  const file = path.join(userData, 'window-state.json');
  let state = DEFAULT;
  try {
    const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<WindowState>;
    if (parsed.bounds && typeof parsed.bounds.width === 'number' && typeof parsed.bounds.height === 'number') {
      state = { bounds: parsed.bounds, maximized: Boolean(parsed.maximized) };
    }
  } catch {
    // first run or unreadable: defaults
  }
  return {
    ...state,
    save(win) {
      const next: WindowState = { bounds: win.isMaximized() ? state.bounds : win.getBounds(), maximized: win.isMaximized() };
      try {
        fs.writeFileSync(file, JSON.stringify(next));
      } catch {
        // not worth failing a quit over
      }
    },
  };
}
