'use client';
import { useController } from './EditorContext';
import { mlOf, type MlController, type MlState } from './mlState';
import { useStoreSelector } from './store';

export function useMlController(): MlController {
  return mlOf(useController());
}

/** Subscribes to one slice of the model state. */
export function useMl<T>(selector: (s: MlState) => T): T {
  return useStoreSelector(useMlController().store, selector);
}
