// Placeholder replaced by the executor implementation.
export class ExecutionCache {}
