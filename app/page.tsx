'use client';
import dynamic from 'next/dynamic';
import { startEngineEarly } from '@/workers/earlyBridge';

// The engine worker (and ONNX Runtime in it) starts now, while the editor's code loads.
startEngineEarly();

// The editor lives in the browser only (Web Worker, IndexedDB, canvas measurements).
const Editor = dynamic(() => import('./editor/Editor'), {
  ssr: false,
  loading: () => <div className="loading">Loading Weft…</div>,
});

export default function Page() {
  return <Editor />;
}
