import { describe, expect, test } from 'vitest';
import { learner } from '#ailab/learner';
import type * as Prompting from '../src/prompt.ts';
import type * as Tokenizer from '../src/tokenizer.ts';

// Your code runs in a process of its own; every call to it is awaited.
const { buildPrompt } = await learner<typeof Prompting>('src/prompt.ts');
const { countTokens } = await learner<typeof Tokenizer>('src/tokenizer.ts');

describe('buildPrompt', () => {
  test('numbers the sources from [1] and stays within the token budget', async () => {
    const sources = [
      { id: 'a#0', docId: 'a', text: 'The Kestrel K-207 retained about 0.3 grams between doses.' },
      { id: 'b#0', docId: 'b', text: 'The Osprey K-270 retained about 1.1 grams between doses.' },
      { id: 'c#0', docId: 'c', text: 'Static and retention are the two complaints we hear most about home grinders. '.repeat(10) },
    ];
    const prompt = await buildPrompt('How much does the Kestrel retain?', sources, 150);
    expect(prompt.tokens).toBe(await countTokens(prompt.text));
    expect(prompt.tokens).toBeLessThanOrEqual(150);
    expect(prompt.sources.map((s) => s.id), 'the long third chunk does not fit and is dropped whole').toEqual(['a#0', 'b#0']);
    expect(prompt.dropped.map((s) => s.id)).toEqual(['c#0']);
    expect(prompt.text).toContain('[1] The Kestrel K-207');
    expect(prompt.text).toContain('[2] The Osprey K-270');
    expect(prompt.text).toContain('How much does the Kestrel retain?');
  });
});
