/**
 * Editor benchmark: opens a generated 1,000-node, 1,500-edge graph in Chromium and measures the
 * time to open it (load -> nodes rendered) and frame times while panning continuously.
 * Prints numbers and ends with one JSON line. Targets: open < 1.5 s, p95 frame < 20 ms.
 *
 * Uses WEFT_URL when set; otherwise serves the built app (`next build` first if needed) on a port.
 * WEFT_BENCH_QUERY adds URL flags for comparisons: `&visible=0` (render every node, not only those
 * in view), `&minimap=0`, `&panzoom=1` (pan at zoom 1 instead of the zoom the graph opens at).
 */
import { chromium } from '@playwright/test';
import { CHROMIUM_ARGS, serveApp } from './serveApp';

const NODES = 1000;
const EDGES = 1500;
const PAN_MS = 3000;
/** A zoom where node titles and widgets are legible (DOM nodes, only those in view). */
const DETAIL_ZOOM = 0.6;
const PORT = Number(process.env.WEFT_BENCH_PORT ?? 3210);

function benchGraph() {
  const rows = 25;
  const cols = NODES / rows;
  const nodes: unknown[] = [];
  const edges: unknown[] = [];
  const id = (c: number, r: number) => `n${c}_${r}`;
  for (let c = 0; c < cols; c++) {
    for (let r = 0; r < rows; r++) {
      const first = c === 0;
      nodes.push({
        id: id(c, r),
        type: first ? 'values.number' : 'math.arithmetic',
        typeVersion: 1,
        position: { x: c * 320, y: r * 260 },
        params: first ? { value: r } : { operation: 'add', b: 1 },
        mode: 'normal',
      });
    }
  }
  // Each arithmetic node takes `a` from the previous column; enough also take `b` to reach EDGES.
  let extra = EDGES - (cols - 1) * rows;
  for (let c = 1; c < cols; c++) {
    for (let r = 0; r < rows; r++) {
      const out = (cr: number) => ({ node: id(c - 1, cr), port: c - 1 === 0 ? 'value' : 'result' });
      edges.push({ id: `e${edges.length + 1}`, from: out(r), to: { node: id(c, r), port: 'a' } });
      if (extra > 0) {
        edges.push({ id: `e${edges.length + 1}`, from: out((r + 1) % rows), to: { node: id(c, r), port: 'b' } });
        extra--;
      }
    }
  }
  return { schemaVersion: 1, metadata: { title: 'Benchmark graph' }, nodes, edges, zones: [], groups: [] };
}

function stats(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
  const p = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { mean, p50: p(0.5), p95: p(0.95), max: sorted[sorted.length - 1] };
}

const round = (n: number) => Math.round(n * 10) / 10;

async function main() {
  const { url, stop } = await serveApp(PORT);
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    page.on('pageerror', (e) => console.error('page error:', e.message));
    // tsx (esbuild keepNames) wraps functions in __name(); define it in the page for evaluate().
    await page.addInitScript({ content: 'window.__name = (f) => f;' });
    await page.goto(`${url}/?bench=1${process.env.WEFT_BENCH_QUERY ?? ''}`);
    await page.waitForSelector('[data-ready="true"]', { timeout: 60_000 });
    await page.waitForSelector('.react-flow__node-weft');
    await page.waitForTimeout(500);

    const graph = benchGraph();
    const open = await page.evaluate(async (g) => {
      const t0 = performance.now();
      const r = window.__weft!.loadGraph(g);
      if (!r.ok) throw new Error(r.errors.join('\n'));
      const parsedMs = performance.now() - t0;
      await new Promise<void>((resolve) => {
        const check = () => {
          const nodes = document.querySelectorAll<HTMLElement>('.react-flow__node-weft');
          // Zoomed out, a big graph is drawn on the overview canvas instead of DOM nodes.
          const overview = document.querySelector<HTMLCanvasElement>('[data-testid="overview-canvas"]');
          const ready =
            Number(overview?.dataset.drawn) === g.nodes.length ||
            (nodes.length > 0 &&
            nodes[0].dataset.id?.startsWith('n') &&
            [...nodes].every((n) => n.style.visibility !== 'hidden') &&
            document.querySelectorAll('.react-flow__edge').length > 0);
          if (ready) resolve();
          else requestAnimationFrame(check);
        };
        requestAnimationFrame(check);
      });
      // one more frame so the measured layout has painted
      await new Promise((r) => requestAnimationFrame(() => r(null)));
      return {
        openMs: performance.now() - t0,
        parsedMs,
        overview: !!document.querySelector('[data-testid="overview-canvas"]'),
        renderedNodes: document.querySelectorAll('.react-flow__node-weft').length,
        renderedEdges: document.querySelectorAll('.react-flow__edge').length,
        zoom: window.__weft!.viewport?.get().zoom ?? NaN,
      };
    }, graph);

    await page.waitForTimeout(800);
    // Pans at the zoom the graph opened at (or `panzoom`), then at a zoom where node text is legible.
    const pan = (zoomOverride: number | null) =>
      page.evaluate(
        async ({ panMs, zoomOverride }) => {
          const vp = window.__weft!.viewport!;
          const start = vp.get();
          const zoom = zoomOverride ?? Number(new URLSearchParams(location.search).get('panzoom') ?? start.zoom);
          vp.set({ ...start, zoom });
          await new Promise((r) => setTimeout(r, 500));
          const deltas: number[] = [];
          return new Promise<number[]>((resolve) => {
            let t0 = 0;
            let last = 0;
            const step = (t: number) => {
              if (!t0) t0 = last = t;
              else {
                deltas.push(t - last);
                last = t;
              }
              const k = (t - t0) / panMs;
              // pan diagonally across the graph at a steady pace (about 1,000 screen px per second)
              vp.set({ x: start.x - k * 3000, y: start.y - k * 800, zoom });
              if (t - t0 < panMs) requestAnimationFrame(step);
              else {
                vp.set(start);
                resolve(deltas);
              }
            };
            requestAnimationFrame(step);
          });
        },
        { panMs: PAN_MS, zoomOverride },
      );
    const frames = await pan(null);
    await page.waitForTimeout(500);
    const detailFrames = await pan(DETAIL_ZOOM);
    const d = stats(detailFrames);
    const f = stats(frames);
    console.log(`graph: ${NODES} nodes, ${EDGES} edges`);
    console.log(`open: ${round(open.openMs)} ms (parse + load ${round(open.parsedMs)} ms; ${open.renderedNodes} nodes and ${open.renderedEdges} edges in the DOM at zoom ${open.zoom.toFixed(2)})`);
    console.log(`pan at the opening zoom (${open.overview ? 'overview canvas' : 'DOM nodes'}): ${frames.length} frames over ${PAN_MS} ms: mean ${round(f.mean)} ms, p50 ${round(f.p50)} ms, p95 ${round(f.p95)} ms, max ${round(f.max)} ms (target p95 < 20 ms: ${f.p95 < 20 ? 'met' : 'NOT met'})`);
    console.log(`pan at zoom ${DETAIL_ZOOM} (DOM nodes, text legible): mean ${round(d.mean)} ms, p50 ${round(d.p50)} ms, p95 ${round(d.p95)} ms, max ${round(d.max)} ms`);
    console.log(`open target < 1500 ms: ${open.openMs < 1500 ? 'met' : 'NOT met'}`);
    console.log(
      JSON.stringify({ bench: 'editor', nodes: NODES, edges: EDGES, openMs: round(open.openMs), overview: open.overview, p95FrameMs: round(f.p95), meanFrameMs: round(f.mean), detailZoom: DETAIL_ZOOM, detailP95FrameMs: round(d.p95), detailMeanFrameMs: round(d.mean) }),
    );
  } finally {
    await browser.close();
    stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
