/** Expected failures travel as values: a code, a path into the document, and a sentence. */
export interface GraphIssue {
  code: string;
  /** JSON-style path into the document, e.g. `edges[3].to.port`; empty for the whole document. */
  path: string;
  message: string;
  severity: 'error' | 'warning';
  /** The node the issue is about, when there is one (the UI marks it). */
  nodeId?: string;
}

export type PathPart = string | number;

/** `['edges', 3, 'to']` -> `edges[3].to` */
export function formatPath(parts: readonly PathPart[]): string {
  let out = '';
  for (const p of parts) {
    if (typeof p === 'number') out += `[${p}]`;
    else if (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(p)) out += out ? `.${p}` : p;
    else out += `[${JSON.stringify(p)}]`;
  }
  return out;
}

export function issueToLine(issue: GraphIssue): string {
  return issue.path ? `${issue.path}: ${issue.message}` : issue.message;
}

export function issue(
  code: string,
  path: readonly PathPart[] | string,
  message: string,
  extra: Partial<Pick<GraphIssue, 'severity' | 'nodeId'>> = {},
): GraphIssue {
  return {
    code,
    path: typeof path === 'string' ? path : formatPath(path),
    message,
    severity: extra.severity ?? 'error',
    ...(extra.nodeId ? { nodeId: extra.nodeId } : {}),
  };
}

/** The error a node's run throws for an expected failure; its message is shown on the node. */
export class NodeRunError extends Error {
  constructor(
    public readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'NodeRunError';
  }
}

export type Result<T, E = GraphIssue[]> = { ok: true; value: T } | { ok: false; errors: E };
