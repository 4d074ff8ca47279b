import { describe, expect, test } from 'vitest';
import { field, learner } from '#ailab/learner';
import type * as Embed from '../src/embed.ts';

// Your code runs in a process of its own; every call to it is awaited.
const { HashEmbedder } = await learner<typeof Embed>('src/embed.ts');

const cosine = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + x * b[i], 0);

describe('HashEmbedder', () => {
  test('vectors are deterministic, 384 wide, unit length, and similar texts score higher', async () => {
    const embedder = await new HashEmbedder();
    const [a, b, c, again] = await embedder.embed([
      'The grinder retains coffee between doses.',
      'How much coffee does a grinder retain?',
      'The lighthouse is painted in red and white spirals.',
      'The grinder retains coffee between doses.',
    ]);
    // Your objects reach the tests as handles that carry method calls; field() reads a field.
    expect(await field(embedder, 'dim')).toBe(384);
    expect(a).toBeInstanceOf(Float32Array);
    expect(a.length).toBe(384);
    expect(Array.from(again), 'same text, same vector').toEqual(Array.from(a));
    expect(Math.hypot(...a), 'L2-normalized').toBeCloseTo(1, 5);
    expect(cosine(a, b), 'related texts are closer than unrelated ones').toBeGreaterThan(cosine(a, c));
    const [empty] = await embedder.embed(['']);
    expect(Array.from(empty).every((x) => x === 0), 'a text with no words embeds to the zero vector, not NaN').toBe(true);
  });
});
