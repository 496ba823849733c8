import { validateGraph } from '../graph/validate';
import type { GraphIssue } from '../errors';
import { Execution } from './execution';
import { buildPlan } from './plan';
import type { RunGraph } from './types';

/**
 * Runs the ancestors of the targets (default: every output node) in dependency order, reusing
 * cached results of unchanged nodes, and reports per node what happened and why.
 */
export const runGraph: RunGraph = async (graph, options) => {
  const plan = buildPlan(graph, options.registry, options.targets);
  options.trajectories?.prune(graph);
  const ex = new Execution(plan, options);
  const issues: GraphIssue[] = [];
  for (const id of plan.unknownTargets) {
    issues.push({ code: 'unknown_target', path: '', message: `there is no node '${id}' to run`, severity: 'error' });
  }
  if (plan.cycle) {
    const path = plan.cycle.map((id) => `'${id}'`).join(' → ');
    issues.push({ code: 'cycle', path: '', message: `the nodes ${path} form a cycle`, severity: 'error', nodeId: plan.cycle[0] });
  }
  let needed: Set<string> | undefined;
  for (const issue of options.issues ?? validateGraph(graph, options.registry)) {
    if (issue.severity !== 'error') continue;
    // Problems in parts of the graph this run does not touch do not block it.
    needed ??= new Set(plan.neededNodes);
    if (issue.nodeId === undefined || needed.has(issue.nodeId)) issues.push(issue);
  }
  if (issues.length) return ex.invalid(issues);
  return ex.start();
};
