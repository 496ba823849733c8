/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  // A separate build folder lets a benchmark or test build run beside a dev's own build.
  distDir: process.env.WEFT_DIST_DIR || '.next',
  // Types are checked by `npm test` (tsc --noEmit) over the whole project; the build need not repeat it.
  typescript: { ignoreBuildErrors: true },
  // Next gzips every response anew, on every request: 0.5 s of CPU for ONNX Runtime's 14 MB wasm alone,
  // on the path to the first image. Weft is served from the user's own machine (npm start) or from a
  // CDN that compresses (and caches) itself, so the server sends files as they are.
  compress: false,
  // Cross-origin isolation: lets onnxruntime-web use wasm threads (SharedArrayBuffer). The content
  // security policy lets the browser itself enforce what the code promises: an opened graph never
  // makes a request (images only from the app, data: and blob:; connections only to the app, and
  // over HTTPS for the model imports a user asks for).
  async headers() {
    const headers = [
      { key: 'Cross-Origin-Opener-Policy', value: 'same-origin' },
      { key: 'Cross-Origin-Embedder-Policy', value: 'require-corp' },
    ];
    // next dev evaluates code with eval (fast refresh); the policy is for the built app.
    if (process.env.NODE_ENV === 'production') headers.push({ key: 'Content-Security-Policy', value: contentSecurityPolicy() });
    return [{ source: '/:path*', headers }];
  },
};
/**
 * WEFT_CONNECT_SRC (at build time) replaces `https:` with the hosts model imports may use, e.g.
 * `https://huggingface.co https://cdn-lfs.huggingface.co`.
 */
function contentSecurityPolicy() {
  const connect = process.env.WEFT_CONNECT_SRC || 'https:';
  return [
    "default-src 'self'",
    // Next's pages carry inline scripts; ONNX Runtime compiles WebAssembly.
    "script-src 'self' 'unsafe-inline' 'wasm-unsafe-eval'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    `connect-src 'self' ${connect}`,
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export default nextConfig;
