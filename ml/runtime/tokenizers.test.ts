import { describe, expect, it } from 'vitest';
import { createNodeFiles } from '@/bin/nodeFiles';
import type { FileAccess, MlServices, TokenizerRef } from './types';
import { tokenizerFor } from './tokenizers';

const ref: TokenizerRef = { kind: 'tokenizer', source: 'shipped:shapes-v1', path: 'tokenizer', name: 'tokenizer' };

describe('tokenizerFor', () => {
  it("is loaded once, and one caller's cancel does not fail another waiting for it", async () => {
    const inner = createNodeFiles();
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    let reads = 0;
    const files: FileAccess = {
      read: async (s, p, o) => {
        reads++;
        await gate;
        return inner.read(s, p, o);
      },
      exists: (s, p) => inner.exists(s, p),
    };
    const ml = { files } as MlServices;
    const prewarm = new AbortController();
    const first = tokenizerFor(ml, ref, prewarm.signal);
    const second = tokenizerFor(ml, ref, new AbortController().signal);
    prewarm.abort();
    await expect(first).rejects.toMatchObject({ code: 'cancelled' });
    open();
    const tok = await second;
    expect(tok.encode('a red circle').ids.length).toBeGreaterThan(2);
    expect(await tokenizerFor(ml, ref)).toBe(tok);
    expect(reads).toBe(2); // tokenizer_config.json and tokenizer.json, once each
  });
});
