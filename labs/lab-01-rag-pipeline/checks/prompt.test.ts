import { describe, expect, test } from 'vitest';
import { field, learner } from '#ailab/learner';
import { because } from '#ailab/checks';
import type * as Errors from '../src/errors.ts';
import type * as Generate from '../src/generate.ts';
import type * as Prompting from '../src/prompt.ts';
import type { Source } from '../src/prompt.ts';
import type * as Text from '../src/text.ts';
import { enc, loadFixtures, startEmbeddingServer } from './reference.ts';

const { buildPrompt } = await learner<typeof Prompting>('src/prompt.ts');
const { ExtractiveGenerator, HfGenerator, parseCitations, resolveCitations } = await learner<typeof Generate>('src/generate.ts');
const { analyze, STOPWORDS } = await learner<typeof Text>('src/text.ts');
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
    // the given renderPrompt's instructions are part of the prompt
    expect(all.text.startsWith('Answer the question using only the numbered sources below. '), 'the prompt starts with the instructions of renderPrompt').toBe(true);
    expect(all.text, 'the prompt asks for citations like [1]').toContain('Cite every claim with its source number in brackets, like [1]. ');
    expect(all.text, 'the prompt says what to do without an answer').toContain('If the sources do not contain the answer, say so.');
    // a budget the prompt fills to the last token keeps that chunk; one token less drops it
    const exact = count(all.text);
    const full = await buildPrompt(question, sources.slice(0, 3), exact);
    expect(full.sources.length, because('prefix', `budget ${exact}, exactly the tokens of the prompt with 3 sources: keep all 3 (a prompt of exactly the budget fits)`)).toBe(3);
    expect(full.tokens, because('token-count', `budget ${exact}: prompt.tokens`)).toBe(exact);
    const less = await buildPrompt(question, sources.slice(0, 3), exact - 1);
    expect(less.sources.length, because('prefix', `budget ${exact - 1}, one token less than the prompt with 3 sources: keep 2`)).toBe(2);
    const bare = count((await buildPrompt(question, [], 100_000)).text);
    const empty = await buildPrompt(question, sources.slice(0, 3), bare);
    expect([empty.sources.length, empty.tokens], because('prefix', `budget ${bare}, exactly the question and instructions: no source fits, and that is not an error`)).toEqual([0, bare]);
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
    for (const n of [0, -1, 1.5]) {
      let got: unknown;
      try {
        await resolveCitations({ text: `Made up [${n}]`, citations: [n] }, prompt);
      } catch (err) {
        got = err;
      }
      expect(got instanceof RagError && got.code === 'UNRESOLVED_CITATION', because('unresolved', `[${n}] with sources [1]..[2]: got ${got === undefined ? 'no error' : String(got)}, expected RagError UNRESOLVED_CITATION (n must be an integer in [1, 2])`)).toBe(true);
      const message = (got as RagError).message;
      expect(message.includes(String(n)) && message.includes('2'), because('unresolved', `[${n}] with sources [1]..[2]: the message "${message}" should name ${n} and the valid range`)).toBe(true);
    }
    // parseCitations: the distinct markers, in order of first appearance
    for (const [text, want] of [['x [2] y [1] z [2]', [2, 1]], ['[10] then [3], [10] and [3]', [10, 3]], ['no markers, [a] or [] or [-1]', []], ['[1]', [1]]] as const) {
      expect(await parseCitations(text), because('parse', `parseCitations(${JSON.stringify(text)})`)).toEqual(want);
    }
  });

  test('the extractive generator quotes the first best sentence; the chat generator keeps only citations that resolve', async () => {
    const stop = new Set<string>(await STOPWORDS);
    const generator = await new ExtractiveGenerator();
    const name = await field(generator, 'name');
    expect(typeof name === 'string' && name.length > 0, 'the extractive generator has a name').toBe(true);
    const src = (id: string, text: string): Source => ({ id, docId: id, text });
    const q = 'Which burr grinder retains the least coffee?';
    const wanted = new Set((await analyze(q)).filter((w: string) => !stop.has(w)));
    const ranked = [
      src('a', ' The town hall was rebuilt in 1911.  Its clock still runs slow!\nA grinder sits in the lobby.'),
      src('b', ' This burr grinder retains the least coffee of all?\nBackground: burr grinders grind. Nobody knows.'),
      src('c', 'That burr grinder retains the least coffee, says the review.'),
    ];
    const prompt = await buildPrompt(q, ranked, 4000);
    // the reference: split after . ! ? and whitespace, score by distinct wanted words, keep the first best
    let best: { sentence: string; n: number; score: number } | undefined;
    for (const [i, s] of ranked.entries()) {
      for (const sentence of s.text.split(/(?<=[.!?])\s+/)) {
        const words = new Set(await analyze(sentence));
        const score = [...wanted].filter((w) => words.has(w)).length;
        if (score > 0 && (!best || score > best.score)) best = { sentence: sentence.trim(), n: i + 1, score };
      }
    }
    const answer = await generator.generate(prompt);
    expect(answer, because('extractive', `question ${JSON.stringify(q)}: quote the first sentence with the most distinct question words, trimmed, then its [n]`)).toEqual({ text: `${best!.sentence} [${best!.n}]`, citations: [best!.n] });
    const none = await generator.generate(await buildPrompt('Which exoplanet has rings?', ranked, 4000));
    expect(none, because('extractive', 'no sentence shares a question word: say so, and cite nothing')).toEqual({ text: 'The sources do not contain the answer.', citations: [] });

    // the chat generator, against a fake chat-completion server
    const content = 'The review says so [2], the town page too [1]; see also [2], [0] and [7].';
    const server = await startEmbeddingServer((req) => ({
      status: 200,
      json: { id: 'chat-1', object: 'chat.completion', created: 1, model: req.body?.model ?? 'm', system_fingerprint: 'fp', usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 }, choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: req.body?.max_tokens === 1 ? null : content } }].slice(0, req.body?.max_tokens === 2 ? 0 : 1).map((c) => (req.body?.max_tokens === 3 ? { index: 0, finish_reason: 'stop' } : c)) },
    }));
    try {
      const chat = await new HfGenerator({ model: 'acme/chat-7b', accessToken: 'hf_chat', endpointUrl: server.url, maxTokens: 77 });
      expect(await field(chat, 'name'), because('chat', 'the chat generator names its model')).toBe('chat model acme/chat-7b');
      const two = await buildPrompt(q, ranked.slice(0, 2), 4000);
      const reply = await chat.generate(two);
      expect(reply, because('chat', `the model answered ${JSON.stringify(content)} with 2 sources: keep its text, and only the distinct citations in [1..2], in order ([0] and [7] do not resolve)`)).toEqual({ text: content, citations: [2, 1] });
      const req = server.requests[0];
      expect(req.headers.authorization, because('chat', 'the token goes to the client')).toBe('Bearer hf_chat');
      expect(req.body?.messages, because('chat', 'the prompt is the one user message')).toEqual([{ role: 'user', content: two.text }]);
      expect(req.body?.max_tokens, because('chat', 'maxTokens 77 is sent as max_tokens')).toBe(77);
      const plain = await new HfGenerator({ model: 'acme/chat-7b', accessToken: 'hf_chat', endpointUrl: server.url });
      await plain.generate(two);
      expect(server.requests[1].body?.max_tokens, because('chat', 'without maxTokens, max_tokens is 300')).toBe(300);
      const silent = await new HfGenerator({ model: 'acme/chat-7b', accessToken: 'hf_chat', endpointUrl: server.url, maxTokens: 1 });
      expect(await silent.generate(two), because('chat', 'a reply with no content is an empty answer with no citations')).toEqual({ text: '', citations: [] });
      const noChoice = await new HfGenerator({ model: 'acme/chat-7b', accessToken: 'hf_chat', endpointUrl: server.url, maxTokens: 2 });
      expect(await noChoice.generate(two), because('chat', 'a reply with no choices is an empty answer with no citations')).toEqual({ text: '', citations: [] });
      const noMessage = await new HfGenerator({ model: 'acme/chat-7b', accessToken: 'hf_chat', endpointUrl: server.url, maxTokens: 3 });
      expect(await noMessage.generate(two), because('chat', 'a choice with no message is an empty answer with no citations')).toEqual({ text: '', citations: [] });
    } finally {
      await server.close();
    }
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
    // a budget that is not a positive integer is an invalid option, whatever the question
    for (const budget of [0, -10, 1.5, 600.5]) {
      let got: unknown;
      try {
        await buildPrompt(question, sources.slice(0, 3), budget);
      } catch (err) {
        got = err;
      }
      expect(got instanceof RagError ? got.code : String(got), `budget ${budget}: a budget must be a positive integer`).toBe('INVALID_OPTIONS');
    }
    let small: unknown;
    try {
      await buildPrompt(question, sources.slice(0, 3), 5);
    } catch (err) {
      small = err;
    }
    const bare = count((await buildPrompt(question, [], 100_000)).text);
    expect((small as RagError).message, `budget 5: the message should say both numbers, the ${bare} tokens needed and the budget of 5`).toMatch(new RegExp(`\\b${bare}\\b[^]*\\b5\\b|\\b5\\b[^]*\\b${bare}\\b`));
  });
});
