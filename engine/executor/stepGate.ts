/**
 * The gate behind step mode (`RunOptions.beforeNode`): lets one node through per `next()`,
 * everything once `resume()` is called. It starts with one step granted, so a stepped run does
 * its first node at once and pauses before the second.
 */
export class StepGate {
  private granted: number;
  private open = false;
  private waiting: { nodeId: string; resolve: () => void } | undefined;

  /** `onPause` is told which node (and zone, for a whole repeat zone) waits for `next()`. */
  constructor(
    private readonly onPause: (nodeId: string, where: { zoneId?: string }) => void = () => {},
    initialSteps = 1,
  ) {
    this.granted = initialSteps;
  }

  /** The node waiting now, if any. */
  get pausedAt(): string | undefined {
    return this.waiting?.nodeId;
  }

  readonly beforeNode = (nodeId: string, where: { zoneId?: string }): Promise<void> | void => {
    if (this.open) return;
    if (this.granted > 0) {
      this.granted--;
      return;
    }
    return new Promise<void>((resolve) => {
      this.waiting = { nodeId, resolve };
      this.onPause(nodeId, where);
    });
  };

  /** Lets the waiting node run (or grants the next node when none waits yet). */
  next(): void {
    const w = this.waiting;
    if (!w) {
      this.granted++;
      return;
    }
    this.waiting = undefined;
    w.resolve();
  }

  /** Runs the rest without pausing; also used on cancel so a paused run can see the abort. */
  resume(): void {
    this.open = true;
    const w = this.waiting;
    this.waiting = undefined;
    w?.resolve();
  }
}
