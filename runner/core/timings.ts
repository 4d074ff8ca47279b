// Stage timestamps for finding where a run's time goes: AILAB_DEBUG=timings (or --timings) prints
// them to stderr when the command ends, in ms since the process started.

const marks: { label: string; at: number }[] = [];

/** True when timings were asked for. */
export function timingsOn(): boolean {
  return /(^|,)timings(,|$)/.test(process.env.AILAB_DEBUG ?? '');
}

/** Records that a stage was reached (a no-op unless timings are on). */
export function mark(label: string): void {
  if (timingsOn()) marks.push({ label, at: performance.now() });
}

/** The marks so far, as lines: elapsed since process start, and since the previous mark. */
export function timingLines(): string[] {
  let last = 0;
  return marks.map(({ label, at }) => {
    const line = `[timings] ${at.toFixed(0).padStart(6)} ms  (+${(at - last).toFixed(0).padStart(5)})  ${label}`;
    last = at;
    return line;
  });
}

/**
 * Prints the marks to stderr, once, if timings are on, and then what still keeps the process from
 * exiting (Node's active resources, stdio aside): a timer left behind here is wall time the user waits.
 */
export function printTimings(): void {
  if (!timingsOn() || marks.length === 0) return;
  const holding = process.getActiveResourcesInfo().filter((r) => !['TTYWrap', 'PipeWrap', 'WriteWrap', 'ShutdownWrap', 'SimpleShutdownWrap'].includes(r));
  process.stderr.write(`${timingLines().join('\n')}\n[timings] still keeping the process alive: ${holding.length > 0 ? holding.join(', ') : 'nothing'}\n`);
  marks.length = 0;
}
