import { NodeRunError } from '@/engine/errors';
import { cancelled } from './ortErrors';

export interface FetchBytesOptions {
  signal?: AbortSignal;
  onProgress?: (loaded: number, total?: number) => void;
  fetch?: typeof fetch;
}

/**
 * Fetches a file into memory, reporting progress from the body stream (total from
 * Content-Length when the server sends it). Failures name the address.
 */
export async function fetchBytes(url: string, what: string, options: FetchBytesOptions = {}): Promise<Uint8Array> {
  const { signal, onProgress } = options;
  const doFetch = options.fetch ?? fetch;
  const brokeOff = (err: unknown, after = '') =>
    signal?.aborted ? cancelled() : new NodeRunError('fetch_failed', `download of ${what} from ${url} broke off${after}: ${err instanceof Error ? err.message : String(err)}`);
  let response: Response;
  try {
    response = await doFetch(url, { signal });
  } catch (err) {
    if (signal?.aborted) throw cancelled();
    if (err instanceof NodeRunError) throw err; // a refusal by the host's own fetch (a redirect it does not allow)
    throw new NodeRunError('fetch_failed', `could not download ${what} from ${url}: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (response.status === 404) throw new NodeRunError('file_missing', `${what} was not found at ${url} (404)`);
  if (!response.ok) throw new NodeRunError('fetch_failed', `could not download ${what} from ${url}: HTTP ${response.status} ${response.statusText}`);
  const header = response.headers.get('content-length');
  const total = header && !response.headers.get('content-encoding') ? Number(header) : undefined;
  if (!response.body || !onProgress) {
    // Without a progress listener the browser buffers the body itself: a JS read loop stalls the
    // download whenever this thread is busy (a session being created, a tokenizer parsed), and on a
    // cold page the UNet's download took 2.5 s of a 6 s first image that way.
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await response.arrayBuffer());
    } catch (err) {
      throw brokeOff(err);
    }
    onProgress?.(bytes.length, bytes.length);
    return bytes;
  }
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let loaded = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      loaded += value.length;
      onProgress?.(loaded, total);
    }
  } catch (err) {
    throw brokeOff(err, ` after ${loaded} bytes`);
  }
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(loaded);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.length;
  }
  return out;
}
