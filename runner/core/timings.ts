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

/** Prints the marks to stderr, once, if timings are on. */
export function printTimings(): void {
  if (!timingsOn() || marks.length === 0) return;
  process.stderr.write(`${timingLines().join('\n')}\n`);
  marks.length = 0;
}
