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

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** A strict-enough parser of the Prometheus text format 0.0.4; throws on any malformed line. */
export function parseProm(text: string): { types: Map<string, string>; helps: Set<string>; samples: Sample[] } {
  const types = new Map<string, string>();
  const helps = new Set<string>();
  const samples: Sample[] = [];
  const nameRe = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
  for (const [n, line] of text.split('\n').entries()) {
    if (line.trim() === '') continue;
    if (line.startsWith('#')) {
      const m = /^# (HELP|TYPE) (\S+)(?: (.*))?$/.exec(line);
      if (!m) continue; // a plain comment
      if (!nameRe.test(m[2])) throw new Error(`line ${n + 1}: bad metric name in ${JSON.stringify(line)}`);
      if (m[1] === 'HELP') helps.add(m[2]);
      if (m[1] === 'TYPE') {
        if (!['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(m[3] ?? '')) throw new Error(`line ${n + 1}: unknown TYPE in ${JSON.stringify(line)}`);
        if (types.has(m[2])) throw new Error(`line ${n + 1}: second TYPE line for ${m[2]}`);
        types.set(m[2], m[3]!);
      }
      continue;
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+-?\d+)?$/.exec(line);
    if (!m) throw new Error(`line ${n + 1}: not a sample line: ${JSON.stringify(line)}`);
    const labels: Record<string, string> = {};
    if (m[2]) {
      const labelRe = /\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*(,|$)/y;
      let rest = m[2];
      while (rest.length > 0) {
        labelRe.lastIndex = 0;
        const lm = labelRe.exec(rest);
        if (!lm) throw new Error(`line ${n + 1}: bad labels in ${JSON.stringify(line)}`);
        labels[lm[1]] = lm[2];
        rest = rest.slice(lm[0].length);
      }
    }
    const raw = m[3];
    const value = raw === '+Inf' ? Infinity : raw === '-Inf' ? -Infinity : Number(raw);
    if (raw !== 'NaN' && Number.isNaN(value)) throw new Error(`line ${n + 1}: bad value in ${JSON.stringify(line)}`);
    const family = m[1].replace(/_(bucket|sum|count)$/, '');
    if (!types.has(m[1]) && !types.has(family)) throw new Error(`line ${n + 1}: sample ${m[1]} comes before its # TYPE line`);
    samples.push({ name: m[1], labels, value });
  }
  return { types, helps, samples };
}
