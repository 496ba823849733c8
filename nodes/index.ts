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
import { loadPipelineNode } from './loadPipeline';
import { loadModelNode } from './loadModel';
import { loadLoraNode } from './lora/loadLora';
import { quantizeModelNode } from './quantize/quantizeModel';
import { promptNode } from './prompt';
import { tokenizerNode } from './tokenizer';
import { textEncoderNode } from './textEncoder';
import { emptyLatentNode } from './emptyLatent';
import { latentNoiseNode } from './latentNoise';
import { schedulerNode } from './scheduler';
import { initialLatentNode } from './initialLatent';
import { unetStepNode } from './unetStep';
import { schedulerStepNode } from './schedulerStep';
import { samplerNode } from './sampler';
import { vaeDecodeNode } from './vaeDecode';
import { vaeEncodeNode } from './vaeEncode';
import { loadImageNode } from './loadImage';
import { imageOutputNode } from './imageOutput';
import { rewardNode } from './reward';
import { detectorNode } from './detector';
import { selectBestNode } from './selectBest';
import { loadTensorNode } from './loadTensor';
import { saveTensorNode } from './saveTensor';
import { noteNode } from './note';
import { loadLanguageModelNode } from './textgen/loadLanguageModel';
import { tokenizeTextNode } from './textgen/tokenizeText';
import { decodeTokensNode } from './textgen/decodeTokens';
import { nextTokenLogitsNode } from './textgen/nextTokenLogits';
import { sampleTokenNode } from './textgen/sampleToken';
import { generateTextNode } from './textgen/generateText';

/** Every node type Weft knows, in palette order. */
export const NODE_DEFINITIONS: readonly NodeDefinition[] = [
  loadPipelineNode,
  loadModelNode,
  loadLoraNode,
  quantizeModelNode,
  promptNode,
  tokenizerNode,
  textEncoderNode,
  schedulerNode,
  emptyLatentNode,
  latentNoiseNode,
  initialLatentNode,
  unetStepNode,
  schedulerStepNode,
  samplerNode,
  vaeDecodeNode,
  vaeEncodeNode,
  loadImageNode,
  selectBestNode,
  rewardNode,
  detectorNode,
  loadTensorNode,
  loadLanguageModelNode,
  generateTextNode,
  tokenizeTextNode,
  nextTokenLogitsNode,
  sampleTokenNode,
  decodeTokensNode,
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
  imageOutputNode,
  saveTensorNode,
  slowNode,
  noteNode,
];

export const registry = makeRegistry(NODE_DEFINITIONS);
