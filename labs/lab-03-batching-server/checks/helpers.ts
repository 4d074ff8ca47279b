import { expect } from 'vitest';
import { because } from '#ailab/checks';
import { until, type Started } from '../tests/harness.ts';

/** Waits until the blocked model holds `batch` (and `queued` more wait); else fails with the batching cause: 'partial-batch', or `noneKey` when none of it left. */
export async function untilFirstBatch(s: Started, batch: string[], o: { queued?: number; noneKey?: string } = {}): Promise<void> {
  const queued = o.queued ?? 0;
  const what = `the first full batch [${batch.join(', ')}] to reach the (blocked) model${queued ? ` and ${queued} more request(s) to be queued` : ''}`;
  try {
    await until(async () => s.model.seen.length === batch.length && (queued === 0 || (await s.queueDepth()) === queued), 2000, what);
  } catch (err) {
    const got = JSON.stringify(s.model.batches);
    const first = s.model.batches[0];
    if (first && first.length < batch.length) {
      expect.fail(
        because('partial-batch', `the model got ${got}; expected [${batch.join(', ')}] together as one full batch (maxBatchSize ${batch.length}), since they were sent at the same time`),
      );
    }
    if (!first && o.noneKey) {
      expect.fail(because(o.noneKey, `the model got nothing within 2000 ms; expected [${batch.join(', ')}], a full batch (maxBatchSize ${batch.length}), to leave at once`));
    }
    throw err;
  }
}
