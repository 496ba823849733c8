'use client';
import { useEffect, useState } from 'react';
import { ReactFlowProvider } from '@xyflow/react';
import { takeEngineBridge } from '@/workers/earlyBridge';
import { EditorController } from './controller';
import { EditorContext, useController, useEditor } from './EditorContext';
import { Canvas } from './canvas/Canvas';
import { Palette } from './panels/Palette';
import { Inspector } from './panels/Inspector';
import { RunBar } from './runbar/RunBar';
import { CanvasErrorBoundary, FileErrorDialog, ImportReportDialog, OpeningOverlay, RecoveryBanner, StorageBanner, Toasts } from './Overlays';
import { LibraryDialog } from './dialogs/LibraryDialog';
import { ResultsPanel } from './results/ResultsPanel';
import { HistoryPanel } from './history/HistoryPanel';
import { ComfortOverlays } from './ComfortOverlays';
import { useShortcuts } from './useShortcuts';
import { Lesson } from './teach/Lesson';
import { TimelinePanel } from './inspect/Timeline';
import { StepsPanel } from './teach/StepsPanel';
import { installDevApi } from './devApi';
import { mlOf } from './mlState';

/** The whole editor: one controller, shared through context. */
export default function Editor() {
  const [ctrl] = useState(() => new EditorController());

  useEffect(() => {
    const bridge = takeEngineBridge();
    ctrl.attachBridge(bridge);
    mlOf(ctrl).attach(bridge);
    void ctrl.restore();
    const uninstall = installDevApi(ctrl);
    // Autosave is debounced; these make sure the last edit is written when the tab goes away.
    const onHide = () => ctrl.flushIfDirty();
    const onVisibility = () => document.visibilityState === 'hidden' && ctrl.flushIfDirty();
    // An edit storage has not taken yet (it is kept in localStorage meanwhile): ask before leaving.
    const onBeforeUnload = (e: BeforeUnloadEvent) => {
      if (ctrl.store.get().saved === 'error') e.preventDefault();
    };
    window.addEventListener('pagehide', onHide);
    window.addEventListener('beforeunload', onBeforeUnload);
    document.addEventListener('visibilitychange', onVisibility);
    return () => {
      window.removeEventListener('pagehide', onHide);
      window.removeEventListener('beforeunload', onBeforeUnload);
      document.removeEventListener('visibilitychange', onVisibility);
      uninstall();
      bridge.dispose();
    };
  }, [ctrl]);

  useShortcuts(ctrl);

  return (
    <EditorContext.Provider value={ctrl}>
      <ReactFlowProvider>
        <Shell />
      </ReactFlowProvider>
    </EditorContext.Provider>
  );
}

function Shell() {
  const ctrl = useController();
  const ready = useEditor((s) => s.ready);
  const view = useEditor((s) => `${s.docId}:${s.viewVersion}`);
  // The canvas of a graph just switched to mounts in a task after the one that switched (the old
  // canvas goes and the panels update first), so neither keeps the page busy long.
  const [canvasView, setCanvasView] = useState(view);
  useEffect(() => {
    if (canvasView === view) return;
    const t = setTimeout(() => setCanvasView(view), 0);
    return () => clearTimeout(t);
  }, [view, canvasView]);
  return (
    <div className="app" data-testid="editor" data-ready={ready ? 'true' : 'false'}>
      <RunBar />
      <StorageBanner />
      <RecoveryBanner />
      <ComfortOverlays />
      <div className="workspace">
        <Palette />
        <main className="canvas-wrap">
          <div className="canvas-area">
            {ready && canvasView === view ? (
              <CanvasErrorBoundary key={view} ctrl={ctrl}>
                <Canvas />
              </CanvasErrorBoundary>
            ) : (
              <div className="loading">Opening…</div>
            )}
            <OpeningOverlay />
            {ready ? <Lesson key={`lesson:${view}`} /> : null}
          </div>
          {ready ? <StepsPanel /> : null}
          {ready ? <TimelinePanel /> : null}
        </main>
        <Inspector />
      </div>
      <Toasts />
      <FileErrorDialog />
      <ImportReportDialog />
      <LibraryDialog />
      <ResultsPanel />
      <HistoryPanel />
    </div>
  );
}
