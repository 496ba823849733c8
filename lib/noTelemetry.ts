/**
 * onnxruntime-node 1.30 reports usage to Microsoft (DNS lookups of its collector, a device id
 * and an event database under ~/.cache/Microsoft/DeveloperTools, a /tmp/mat-debug-<pid>.log)
 * unless ORT_DISABLE_TELEMETRY is set before the library loads. Scripts that import it
 * statically import this module first.
 */
process.env.ORT_DISABLE_TELEMETRY = '1';
export {};
