import { cpus } from 'node:os';

/** Lets a pool run past its limit while the machine has CPU to spare (like `make -l`). */
export interface Burst {
  /** Never more than this many in flight. */
  max: number;
  /** Whether one more task may start now. */
  admit: () => boolean;
  /** How often to ask `admit` while every regular slot is busy, in ms. */
  everyMs: number;
}

/**
 * Slots shared by tasks that start at different times: at most `limit` hold one at once, more while
 * `burst` admits them, first come first served. Once stopped, it starts nothing more and every
 * waiting task gets the reason.
 */
export class Slots {
  private active = 0;
  private readonly waiting: { start: () => void; fail: (e: unknown) => void }[] = [];
  private stopped: { error: unknown } | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly regular: number;
  private readonly ceiling: number;

  constructor(limit: number, private readonly burst?: Burst) {
    this.regular = Math.max(1, limit);
    this.ceiling = Math.max(this.regular, burst?.max ?? this.regular);
  }

  /** Runs `fn` in a slot, once one is free. */
  async run<R>(fn: () => Promise<R>): Promise<R> {
    if (this.stopped) throw this.stopped.error;
    await new Promise<void>((start, fail) => {
      this.waiting.push({ start, fail });
      this.pump();
    });
    try {
      return await fn();
    } finally {
      this.active--;
      this.pump();
    }
  }

  /** Starts nothing more: waiting tasks reject with `error`; those running finish. */
  stop(error: unknown): void {
    this.stopped ??= { error };
    for (const w of this.waiting.splice(0)) w.fail(this.stopped.error);
    this.pump();
  }

  private pump(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    while (!this.stopped && this.waiting.length > 0 && (this.active < this.regular || (this.active < this.ceiling && this.burst!.admit()))) {
      this.active++;
      this.waiting.shift()!.start();
    }
    if (this.burst && !this.stopped && this.waiting.length > 0 && this.active < this.ceiling) this.timer = setTimeout(() => this.pump(), this.burst.everyMs);
  }
}

/**
 * Runs tasks through `slots` (or at most `slots` at once), keeping results in input order. Once
 * aborted, or once a task fails, it starts no new ones, waits for those in flight, and throws the
 * first failure.
 */
export async function mapPool<T, R>(items: readonly T[], slots: number | Slots, fn: (item: T, index: number) => Promise<R>, signal?: AbortSignal): Promise<R[]> {
  const pool = typeof slots === 'number' ? new Slots(slots) : slots;
  let failure: { error: unknown } | undefined;
  const fail = (error: unknown) => {
    failure ??= { error };
    if (typeof slots === 'number') pool.stop(error);
  };
  const onAbort = () => fail(signal!.reason);
  if (signal?.aborted) onAbort();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const results = await Promise.all(
      items.map((item, i) =>
        pool
          .run(async () => {
            if (failure) return undefined as R;
            // recorded before the slot is given back, so that no task starts after a failure
            return fn(item, i).catch((error) => (fail(error), undefined as R));
          })
          .catch((error) => (fail(error), undefined as R)),
      ),
    );
    if (failure) throw failure.error;
    return results;
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

/**
 * A burst that admits one more task when the machine's cores were at most `busyBelow` busy (0 to 1)
 * since it last looked, and not within `settleMs` of the last one it admitted, so that a task's own
 * load shows before the next is let in.
 */
export function whenCpuIdle(max: number, opts: { busyBelow?: number; settleMs?: number } = {}): Burst {
  const busyBelow = opts.busyBelow ?? 0.6;
  const settleMs = opts.settleMs ?? 3000;
  let last = cpuTimes();
  let admittedAt = 0;
  return {
    max,
    everyMs: 1000,
    admit: () => {
      const now = cpuTimes();
      const busy = busyFraction(last, now);
      if (busy === undefined) return false; // too short to tell: the window goes on growing
      last = now;
      if (Date.now() - admittedAt < settleMs || busy >= busyBelow) return false;
      admittedAt = Date.now();
      return true;
    },
  };
}

/** The machine's CPU time so far, busy and total, in ms summed over cores. */
export function cpuTimes(): { busy: number; total: number } {
  let busy = 0;
  let total = 0;
  for (const { times } of cpus()) {
    const all = times.user + times.nice + times.sys + times.irq + times.idle;
    busy += all - times.idle;
    total += all;
  }
  return { busy, total };
}

/** The busy share of the CPU time between two `cpuTimes()` readings, or undefined if too little passed. */
export function busyFraction(a: { busy: number; total: number }, b: { busy: number; total: number }): number | undefined {
  const total = b.total - a.total;
  return total < 50 ? undefined : (b.busy - a.busy) / total;
}
