export { runGraph } from './run';
export { ExecutionCache, type CacheEntry } from './cache';
export type { Fingerprint, NodeFingerprint, ZoneFingerprint } from './signature';
export type { NodeReport, NodeRunStatus, RunEvent, RunGraph, RunOptions, RunReport, RunStatus } from './types';
export { prewarmGraph } from './prewarm';
export { TrajectoryStore, TRAJECTORY_LIMITS, isKeptStep, type ResumeRequest, type StepEvent, type TrajectoryLimits } from './trajectory';
