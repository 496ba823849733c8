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
  // Cross-origin isolation: lets onnxruntime-web use wasm threads (SharedArrayBuffer).
  async headers() {
    return [
      {
        source: '/:path*',
        headers: [
          { key: 'Cross-Origin-Opener-Policy', value: 'same-origin' },
          { key: 'Cross-Origin-Embedder-Policy', value: 'require-corp' },
        ],
      },
    ];
  },
};
export default nextConfig;
