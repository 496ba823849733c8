'use client';
import { useSyncExternalStore } from 'react';

/** Per-browser view choices (not part of any graph): the colour theme, snapping to the grid, the minimap shown or folded. */
export interface ViewPrefs {
  theme: 'dark' | 'light';
  snapToGrid: boolean;
  miniMap: boolean;
}

const KEY = 'weft.view';
const DEFAULTS: ViewPrefs = { theme: 'dark', snapToGrid: false, miniMap: true };
/** The canvas's dot spacing, so snapped nodes line up with the dots. */
export const SNAP_GRID: [number, number] = [20, 20];

let prefs: ViewPrefs = DEFAULTS;
let loaded = false;
const listeners = new Set<() => void>();

function read(): ViewPrefs {
  try {
    const raw = JSON.parse(localStorage.getItem(KEY) ?? '{}') as Partial<ViewPrefs>;
    return { theme: raw.theme === 'light' ? 'light' : 'dark', snapToGrid: raw.snapToGrid === true, miniMap: raw.miniMap !== false };
  } catch {
    return DEFAULTS;
  }
}

function current(): ViewPrefs {
  if (!loaded && typeof window !== 'undefined') {
    loaded = true;
    prefs = read();
  }
  return prefs;
}

export function setViewPrefs(patch: Partial<ViewPrefs>): void {
  prefs = { ...current(), ...patch };
  try {
    localStorage.setItem(KEY, JSON.stringify(prefs));
  } catch {
    // Private mode: the choice lasts for this page only.
  }
  for (const l of listeners) l();
}

function subscribe(l: () => void): () => void {
  listeners.add(l);
  return () => listeners.delete(l);
}

export function useViewPrefs(): ViewPrefs {
  return useSyncExternalStore(subscribe, current, () => DEFAULTS);
}
