// Helpers for a lab's checks, imported as #ailab/checks (on the checks' side only).

/**
 * A failure message that names the way the check failed: the key of one of the check's
 * `hint_when` hints in lab.yaml, which the learner then gets instead of the ladder's first rung.
 * The marker is taken out of the message before anyone sees it.
 *
 *   expect(r.pvalue, because('pvalue', `p-value: got ${r.pvalue}, expected ${want}`)).toBeCloseTo(want);
 */
export function because(key: string, message: string): string {
  return `${message} [hint: ${key}]`;
}
