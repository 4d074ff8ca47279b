import { describe, expect, test } from 'vitest';
import { learner } from '#ailab/learner';
import { because } from '#ailab/checks';
import type * as Errors from '../src/errors.ts';
import type * as Generate from '../src/generate.ts';
import type * as Prompting from '../src/prompt.ts';
import type { Source } from '../src/prompt.ts';
import { enc, loadFixtures } from './reference.ts';

const { buildPrompt } = await learner<typeof Prompting>('src/prompt.ts');
const { ExtractiveGenerator, resolveCitations } = await learner<typeof Generate>('src/generate.ts');
const { RagError } = await learner<typeof Errors>('src/errors.ts');
type RagError = InstanceType<typeof RagError>;

const { docs } = loadFixtures();
const count = (text: string) => enc.encode(text).length;
// realistic sources: paragraphs of fixture pages, best first
const sources: Source[] = docs.slice(0, 40).flatMap((d) => d.text.split('\n\n').slice(1, 3).map((text, i) => ({ id: `${d.id}#${i}`, docId: d.id, text })));
const question = 'How much coffee does the Kestrel K-207 grinder retain between doses?';

describe('prompt (hidden)', () => {
  test('never exceeds the token budget and drops the lowest-ranked chunks whole', async () => {
    let sawPartial = false;
    for (const budget of [60, 90, 120, 200, 333, 512, 1000, 2048, 4096]) {
      const prompt = await buildPrompt(question, sources.slice(0, 12), budget);
      const real = count(prompt.text);
      expect(real, because('over-budget', `budget ${budget}: the prompt is ${real} cl100k tokens`)).toBeLessThanOrEqual(budget);
      expect(prompt.tokens, because('token-count', `budget ${budget}: prompt.tokens is ${prompt.tokens}, but prompt.text is ${real} cl100k tokens`)).toBe(real);
      const n = prompt.sources.length;
      expect(prompt.sources.map((s) => s.id), because('prefix', `budget ${budget}: keep a prefix of the ranking (drop from the bottom)`)).toEqual(sources.slice(0, n).map((s) => s.id));
      expect(prompt.dropped.map((s) => s.id), because('prefix', `budget ${budget}: dropped = the rest, in rank order`)).toEqual(sources.slice(n, 12).map((s) => s.id));
      const numbers = [...prompt.text.matchAll(/^\[(\d+)\] /gm)].map((m) => Number(m[1]));
      expect(numbers, `budget ${budget}: each kept source starts a line with "[n] ", numbered 1..${n}`).toEqual(Array.from({ length: n }, (_, i) => i + 1));
      prompt.sources.forEach((s, i) => {
        expect(prompt.text.includes(`[${i + 1}] ${s.text}`), `budget ${budget}: source [${i + 1}] must appear whole after its number, never cut`).toBe(true);
      });
      expect(prompt.text.includes(question), 'the question is in the prompt').toBe(true);
      if (n > 0 && n < 12) sawPartial = true;
    }
    expect(sawPartial, 'some budget in the list should keep some chunks and drop others').toBe(true);
    // a long chunk that does not fit ends the prompt: smaller chunks ranked below it are not packed in
    const short = (id: string) => ({ id, docId: id, text: `Short note ${id}: the Kestrel retains 0.3 grams.` });
    const mixed = [short('s1'), { id: 'big', docId: 'big', text: sources.slice(0, 12).map((s) => s.text).join(' ') }, short('s2'), short('s3')];
    const cut = await buildPrompt(question, mixed, count((await buildPrompt(question, [short('s1'), short('s2'), short('s3')], 100_000)).text));
    expect(cut.sources.map((s) => s.id), because('prefix', 'keep the top of the ranking only; do not skip the long chunk and pack s2, s3')).toEqual(['s1']);
    expect(cut.dropped.map((s) => s.id), because('prefix', 'dropped = everything from the long chunk on, in rank order')).toEqual(['big', 's2', 's3']);
    const all = await buildPrompt(question, sources.slice(0, 3), 100_000);
    expect(all.sources.length, 'a generous budget keeps every chunk').toBe(3);
  });

  test('every citation of the extractive answer resolves to a retrieved chunk', async () => {
    const generator = await new ExtractiveGenerator();
    const kestrel = docs.find((d) => d.id === 'grinders-01')!;
    const ranked: Source[] = [
      { id: 'grinders-02#0', docId: 'grinders-02', text: docs.find((d) => d.id === 'grinders-02')!.text.split('\n\n')[1] },
      ...kestrel.text.split('\n\n').slice(1).map((text, i) => ({ id: `grinders-01#${i}`, docId: 'grinders-01', text })),
    ];
    for (const budget of [150, 300, 2000]) {
      const prompt = await buildPrompt(question, ranked, budget);
      const answer = await generator.generate(prompt);
      const markers = [...answer.text.matchAll(/\[(\d+)\]/g)].map((m) => Number(m[1]));
      for (const m of markers) expect(m >= 1 && m <= prompt.sources.length, `budget ${budget}: the answer cites [${m}] but the prompt has [1]..[${prompt.sources.length}]`).toBe(true);
      expect(new Set(answer.citations), 'answer.citations lists the [n] markers of the text').toEqual(new Set(markers));
      const cited = await resolveCitations(answer, prompt);
      expect(cited.map((s) => s?.id), because('numbering', `budget ${budget}: resolveCitations of [${answer.citations.join('], [')}]: [n] is prompt.sources[n - 1]`)).toEqual(answer.citations.map((n) => prompt.sources[n - 1].id));
      if (budget === 2000) {
        expect(answer.citations.length, 'with the Kestrel page in the sources the answer cites it').toBeGreaterThan(0);
        expect(cited.some((s) => s.docId === 'grinders-01')).toBe(true);
        const quoted = answer.text.replace(/\s*\[\d+\]/g, '').trim();
        expect(cited.some((s) => s.text.includes(quoted)), `an extractive answer quotes its cited source: "${quoted}"`).toBe(true);
      }
    }
    const prompt = await buildPrompt(question, ranked.slice(0, 2), 2000);
    let code = 'no error';
    try {
      await resolveCitations({ text: 'Made up [3]', citations: [3] }, prompt);
    } catch (err) {
      expect(err instanceof RagError, because('unresolved', `[3] with sources [1]..[2]: got ${String(err)}, expected RagError UNRESOLVED_CITATION`)).toBe(true);
      code = (err as RagError).code;
    }
    expect(code, because('unresolved', `[3] with sources [1]..[2]: got ${code === 'no error' ? 'no error' : `RagError ${code}`}; a citation beyond the sources must throw`)).toBe('UNRESOLVED_CITATION');
  });

  test('a budget smaller than the question throws BUDGET_TOO_SMALL', async () => {
    const long = 'Explain, in detail, '.repeat(40) + question;
    for (const [q, budget] of [[long, 50], [question, 5], [question, 1]] as const) {
      let code = 'no error';
      try {
        await buildPrompt(q, sources.slice(0, 3), budget);
      } catch (err) {
        expect(err, `expected a RagError, got ${String(err)}`).toBeInstanceOf(RagError);
        code = (err as RagError).code;
      }
      expect(code, `budget ${budget} for a ${count(q)}-token question`).toBe('BUDGET_TOO_SMALL');
    }
  });
});
