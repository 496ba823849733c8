'use client';
import { useEffect, useState } from 'react';
import { wrap } from 'comlink';
import type { BenchApi } from '@/workers/bench.worker';

declare global {
  interface Window {
    __bench?: ReturnType<typeof wrap<BenchApi>>;
  }
}

/** A bare page for bench:pipeline: exposes the bench worker to the driving script. */
export default function BenchPage() {
  const [ready, setReady] = useState(false);
  useEffect(() => {
    const worker = new Worker(new URL('../../workers/bench.worker.ts', import.meta.url), { type: 'module', name: 'weft-bench' });
    window.__bench = wrap<BenchApi>(worker);
    setReady(true);
    return () => worker.terminate();
  }, []);
  return <main data-testid="bench" data-ready={ready}>Weft pipeline benchmark page (driven by npm run bench:pipeline).</main>;
}
