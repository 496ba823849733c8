'use client';
import { useEffect, useRef } from 'react';
import { copyFragment, pasteFragment, removeElements } from '@/engine/commands/commands';
import type { Fragment } from '@/engine/commands/commands';
import type { EditorController } from './controller';
import { copySelection, readFragment } from './canvas/clipboard';
import { groupSelection, ungroupSelection } from './canvas/groupActions';

function isTyping(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el) return false;
  const tag = el.tagName;
  return tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || el.isContentEditable;
}

/** Editor keyboard shortcuts on the window; keys typed into fields are left to the fields. */
export function useShortcuts(ctrl: EditorController): void {
  const pasteCount = useRef(0);
  useEffect(() => {
    const paste = (fragment: Fragment, step: number) => {
      const offset = { x: 40 * step, y: 40 * step };
      let ids: string[] = [];
      ctrl.apply(pasteFragment(fragment, offset, (newIds) => (ids = newIds)));
      if (ids.length) ctrl.selectNodes(ids);
    };
    const onKey = (e: KeyboardEvent) => {
      const mod = e.ctrlKey || e.metaKey;
      const key = e.key.toLowerCase();
      if (e.key === 'Escape') {
        const s = ctrl.store.get();
        if (s.fileErrors) ctrl.store.set({ fileErrors: null });
        else if (s.libraryOpen) ctrl.store.set({ libraryOpen: false });
        else if (s.run.status === 'running') ctrl.cancel();
        else if (!isTyping(e.target)) ctrl.selectNodes([]);
        return;
      }
      if (mod && e.key === 'Enter') {
        e.preventDefault();
        void ctrl.run();
        return;
      }
      if (isTyping(e.target) || ctrl.store.get().libraryOpen || ctrl.store.get().fileErrors) return;
      const sel = ctrl.store.get().selection;
      if ((e.key === 'Delete' || e.key === 'Backspace') && !mod) {
        if (sel.nodes.size || sel.edges.size) {
          e.preventDefault();
          ctrl.apply(removeElements({ nodeIds: [...sel.nodes], edgeIds: [...sel.edges] }));
        }
        return;
      }
      if (!mod) return;
      if (key === 'z' && !e.shiftKey) {
        e.preventDefault();
        ctrl.undo();
      } else if ((key === 'z' && e.shiftKey) || key === 'y') {
        e.preventDefault();
        ctrl.redo();
      } else if (key === 'a') {
        e.preventDefault();
        ctrl.selectNodes(ctrl.graph.nodes.map((n) => n.id));
      } else if (key === 'c') {
        if (!sel.nodes.size) return;
        e.preventDefault();
        pasteCount.current = 0;
        void copySelection(ctrl.graph, [...sel.nodes]).then((n) => n && ctrl.toast('info', `Copied ${n} node${n === 1 ? '' : 's'}`, 1500));
      } else if (key === 'v') {
        e.preventDefault();
        void readFragment().then((f) => {
          if (f?.nodes.length) paste(f, ++pasteCount.current);
        });
      } else if (key === 'g') {
        e.preventDefault();
        if (e.shiftKey) ungroupSelection(ctrl);
        else groupSelection(ctrl);
      } else if (key === 'd') {
        e.preventDefault();
        if (sel.nodes.size) paste(copyFragment(ctrl.graph, [...sel.nodes]), 1);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [ctrl]);
}
