import { z } from 'zod';
import { defineNode } from '@/engine/nodeDefinition';
import { NodeRunError } from '@/engine/errors';
import { cpuTensor } from '@/engine/values';
import { decodeNpy } from '@/engine/npy';
import { base64ToBytes } from '@/lib/base64';

/** Host service for reading local files by path (the CLI has one; the browser does not). */
export interface LocalFiles {
  read(path: string): Promise<Uint8Array>;
}

export const loadTensorNode = defineNode({
  type: 'tensor.load',
  version: 1,
  title: 'Load Tensor',
  category: 'Tensors',
  description: 'Reads a NumPy .npy file, so exact inputs from Python tools can drive the graph.',
  inputs: [],
  outputs: [{ name: 'tensor', type: 'tensor' }],
  params: z.object({
    data: z.string().max(4_000_000).default('').meta({ label: '.npy file', widget: 'npyFile' }),
    path: z.string().max(4096).default('').meta({ label: 'Path (CLI)', widget: 'localPath' }),
  }),
  run: async ({ params, runtime }) => {
    let bytes: Uint8Array;
    if (params.data) {
      bytes = base64ToBytes(params.data);
    } else if (params.path) {
      const files = runtime.services.localFiles as LocalFiles | undefined;
      if (!files) throw new NodeRunError('no_local_files', 'this host cannot read files by path: choose the .npy file in the node instead');
      bytes = await files.read(params.path);
    } else {
      throw new NodeRunError('no_file', 'no .npy file chosen');
    }
    const r = decodeNpy(bytes);
    if (!r.ok) throw new NodeRunError('bad_npy', r.message);
    return { tensor: cpuTensor(r.dtype, r.dims, r.data) };
  },
});
