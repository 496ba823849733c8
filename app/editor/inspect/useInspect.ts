'use client';
import { useController } from '../EditorContext';
import { useStoreSelector } from '../store';
import { inspectOf, type InspectController, type InspectState } from './inspectState';

export function useInspectController(): InspectController {
  return inspectOf(useController());
}

/** Subscribes to one slice of the inspect state; the selector must return existing references. */
export function useInspect<T>(selector: (s: InspectState) => T): T {
  return useStoreSelector(useInspectController().store, selector);
}
