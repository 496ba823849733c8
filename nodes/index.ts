import { makeRegistry, type NodeDefinition } from '@/engine/nodeDefinition';
import { textNode } from './text';
import { numberNode } from './number';
import { integerNode } from './integer';
import { booleanNode } from './boolean';
import { seedNode } from './seed';
import { arithmeticNode } from './arithmetic';
import { templateNode } from './template';
import { noiseNode } from './noise';
import { tensorStatsNode } from './tensorStats';
import { slowNode } from './slow';
import { outputNode } from './output';
import { repeatInputNode } from './repeatInput';
import { repeatOutputNode } from './repeatOutput';

/** Every node type Weft knows, in palette order. */
export const NODE_DEFINITIONS: readonly NodeDefinition[] = [
  textNode,
  numberNode,
  integerNode,
  booleanNode,
  seedNode,
  arithmeticNode,
  templateNode,
  noiseNode,
  tensorStatsNode,
  repeatInputNode,
  repeatOutputNode,
  outputNode,
  slowNode,
];

export const registry = makeRegistry(NODE_DEFINITIONS);
