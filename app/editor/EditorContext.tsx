'use client';
import { createContext, useContext } from 'react';
import type { EditorController } from './controller';
import { useStoreSelector, type EditorState } from './store';

export const EditorContext = createContext<EditorController | null>(null);

export function useController(): EditorController {
  const c = useContext(EditorContext);
  if (!c) throw new Error('useController outside the editor');
  return c;
}

/** Subscribes to one slice of editor state; pass a stable selector or one returning existing references. */
export function useEditor<T>(selector: (s: EditorState) => T): T {
  return useStoreSelector(useController().store, selector);
}
