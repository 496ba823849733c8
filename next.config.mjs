/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  // A separate build folder lets a benchmark or test build run beside a dev's own build.
  distDir: process.env.WEFT_DIST_DIR || '.next',
  // Types are checked by `npm test` (tsc --noEmit) over the whole project; the build need not repeat it.
  typescript: { ignoreBuildErrors: true },
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
