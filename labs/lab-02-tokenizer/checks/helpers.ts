/** What a call to learner code did: its value, or the error it threw (a throw arrives as a rejection). */
export type Settled<T> = { ok: true; value: T } | { ok: false; error: string; message: string };

/** Awaits a call and reports whether it returned or threw, so that a check can say which it expected. */
export async function settle<T>(call: Promise<T>): Promise<Settled<T>> {
  try {
    return { ok: true, value: await call };
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    const name = e instanceof Error && e.name && e.name !== 'Error' ? `${e.name}: ` : '';
    return { ok: false, error: `${name}${message}`, message };
  }
}

/** Index of the first difference between two id lists, or -1 when they are equal. */
export function firstDifference(a: readonly number[], b: readonly number[]): number {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return -1;
}

/** Two id lists for a message: the first difference and the ids around it, or their lengths. */
export function idDifference(got: readonly number[], want: readonly number[]): string {
  const i = firstDifference(got, want);
  const around = (ids: readonly number[]) => JSON.stringify(ids.slice(Math.max(0, i - 2), i + 3));
  const at = (ids: readonly number[]) => (i < ids.length ? `${ids[i]} (in ${around(ids)})` : `nothing (${ids.length} ids)`);
  return `first difference at position ${i}: got ${at(got)}, expected ${at(want)}`;
}

/** Whether a value is a list of the same ids (or of the same merges, pairs of ids) in the same order, as toEqual says. */
export function sameIds(got: unknown, want: readonly (number | readonly number[])[]): boolean {
  return (
    Array.isArray(got) &&
    got.length === want.length &&
    want.every((w, i) => (typeof w === 'number' ? got[i] === w : sameIds(got[i], w)))
  );
}
