import type { Metadata, Viewport } from 'next';
import '@xyflow/react/dist/style.css';
import './globals.css';

export const metadata: Metadata = {
  title: 'Weft',
  description: 'A visual node-graph editor for generative-AI pipelines that runs in the browser tab.',
};

export const viewport: Viewport = { themeColor: '#121418', colorScheme: 'dark' };

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en">
      <body>{children}</body>
    </html>
  );
}
