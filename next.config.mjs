/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
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
