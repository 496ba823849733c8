import { describe, expect, it } from 'vitest';
import { NODE_DEFINITIONS, registry } from '@/nodes';
import { portFor, suggestionsFor } from './wireSuggestions';

describe('wire suggestions', () => {
  it('a text output suggests nodes that read text, with the port it lands on', () => {
    const wire = { nodeId: 'p', port: 'text', side: 'output' as const, spec: { name: 'text', type: 'text' as const } };
    const types = suggestionsFor(NODE_DEFINITIONS, wire).map((d) => d.type);
    expect(types).toContain('conditioning.tokenize');
    expect(types).toContain('textgen.generate');
    expect(types).not.toContain('latent.vaeDecode');
    expect(portFor(registry.get('textgen.generate')!, wire)).toBe('prompt');
    expect(portFor(registry.get('conditioning.tokenize')!, wire)).toBe('text');
    // nodes with a port of exactly that type come before those taking any value (Output)
    expect(types.indexOf('conditioning.tokenize')).toBeLessThan(types.indexOf('output.value'));
  });

  it('an input dragged out suggests nodes that produce its type', () => {
    const wire = { nodeId: 'd', port: 'latent', side: 'input' as const, spec: { name: 'latent', type: 'latent' as const } };
    const types = suggestionsFor(NODE_DEFINITIONS, wire).map((d) => d.type);
    expect(types).toContain('sampling.sampler');
    expect(types).toContain('latent.empty');
    expect(types).not.toContain('conditioning.prompt');
    expect(portFor(registry.get('sampling.sampler')!, wire)).toBe('latent');
  });
});
