import { describe, expect, it } from 'vitest';
import { zlibSync, strToU8 } from 'fflate';
import { parseGraph } from '@/engine/graph/parse';
import { registry } from '@/nodes';
import textToImage from '@/examples/text-to-image.json';
import { SHARE_URL_LIMIT, encodeGraph, fromBase64Url, readShareHash, shareLinkFor, toBase64Url } from './shareLink';

const BASE = 'https://weft.example/editor';

function example() {
  const r = parseGraph(textToImage, registry);
  if (!r.ok) throw new Error('example broken');
  return r.value;
}

describe('share links', () => {
  it('round-trips a graph through the link', () => {
    const graph = example();
    const link = shareLinkFor(graph, `${BASE}#old`);
    expect(link.ok).toBe(true);
    if (!link.ok) return;
    expect(link.url.startsWith(`${BASE}#g=`)).toBe(true);
    expect(link.url).not.toContain('#old');
    const opened = readShareHash(new URL(link.url).hash, registry);
    expect(opened?.ok).toBe(true);
    if (opened?.ok) expect(opened.graph).toEqual(graph);
  });

  it('ignores a hash that is not a share link', () => {
    expect(readShareHash('', registry)).toBeNull();
    expect(readShareHash('#section-2', registry)).toBeNull();
  });

  it('reports a cut-off link instead of throwing', () => {
    const link = shareLinkFor(example(), BASE);
    if (!link.ok) throw new Error('expected a link');
    const hash = new URL(link.url).hash;
    const cut = readShareHash(hash.slice(0, Math.floor(hash.length / 2)), registry);
    expect(cut?.ok).toBe(false);
    if (cut && !cut.ok) expect(cut.lines.join(' ')).toMatch(/damaged|cut off/);
  });

  it('reports flipped bytes, bad characters and an empty payload', () => {
    const payload = encodeGraph(example());
    const flipped = payload.slice(0, 40) + (payload[40] === 'A' ? 'B' : 'A') + payload.slice(41);
    expect(readShareHash(`#g=${flipped}`, registry)?.ok).toBe(false);
    const bad = readShareHash('#g=abc$def', registry);
    expect(bad?.ok).toBe(false);
    if (bad && !bad.ok) expect(bad.lines[0]).toMatch(/base64url/);
    expect(readShareHash('#g=', registry)?.ok).toBe(false);
  });

  it('checks what it decompresses like a file', () => {
    const notGraph = toBase64Url(zlibSync(strToU8('{"hello": 1}')));
    const r = readShareHash(`#g=${notGraph}`, registry);
    expect(r?.ok).toBe(false);
    if (r && !r.ok) expect(r.lines.join(' ')).toMatch(/schemaVersion/);
    const notJson = toBase64Url(zlibSync(strToU8('not json')));
    const j = readShareHash(`#g=${notJson}`, registry);
    if (j && !j.ok) expect(j.lines[0]).toMatch(/not valid JSON/);
    else throw new Error('expected an error');
  });

  it('refuses a link that would expand past the graph limit', () => {
    // 17 MB of spaces compresses to about 17 KB.
    const bomb = toBase64Url(zlibSync(new Uint8Array(17 * 1024 * 1024).fill(32), { level: 9 }));
    const r = readShareHash(`#g=${bomb}`, registry);
    expect(r?.ok).toBe(false);
    if (r && !r.ok) expect(r.lines[0]).toMatch(/larger than 16\.0 MB/);
  });

  it('says why a link longer than browsers carry is refused', () => {
    const r = readShareHash(`#g=${'A'.repeat(3 * 1024 * 1024)}`, registry);
    expect(r?.ok).toBe(false);
    if (r && !r.ok) expect(r.lines[0]).toMatch(/^the link is 3\.0 MB; browsers carry links of up to 2\.0 MB whole/);
  });

  it('says to share a file when the link would pass the size limit', () => {
    const graph = example();
    // Text that does not compress: a long random prompt.
    let noise = '';
    let s = 7;
    for (let i = 0; i < 12_000; i++) noise += String.fromCharCode(33 + ((s = (s * 1103515245 + 12345) >>> 0) % 90));
    graph.metadata.description = noise;
    const link = shareLinkFor(graph, BASE);
    expect(link.ok).toBe(false);
    if (!link.ok) {
      expect(link.length).toBeGreaterThan(SHARE_URL_LIMIT);
      expect(link.message).toMatch(/limited to 8\.0 KB/);
      expect(link.message).toMatch(/Save file/);
    }
  });

  it('keeps base64url round trips exact', () => {
    const bytes = new Uint8Array(300).map((_, i) => (i * 37) % 256);
    expect(fromBase64Url(toBase64Url(bytes))).toEqual(bytes);
    expect(fromBase64Url('a')).toBeNull();
  });
});
