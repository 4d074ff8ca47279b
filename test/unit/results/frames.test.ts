import { describe, expect, test } from 'vitest';
import { createFrameReader } from '../../../runner/results/frames.ts';
import { OutputSink } from '../../../runner/sandbox/output.ts';

const pass = (name: string) => JSON.stringify({ type: 'test', name, file: 'tests/a.test.ts', state: 'passed', durationMs: 1, errors: [] });

describe('frame reader', () => {
  test('keeps frames with the run nonce and counts imitations', () => {
    const reader = createFrameReader('secret');
    const sink = new OutputSink(1024, reader.intercept);
    sink.write(`hello\n@@ailab:secret:${pass('a > real')}\n@@ailab:guess:${pass('a > forged')}\n`);
    sink.write(`  @@ailab:secret:${pass('a > indented')}\n@@ailab:secret:{not json\n`);
    expect(reader.log.frames.map((f) => (f.type === 'test' ? f.name : f.type))).toEqual(['a > real']);
    expect(reader.log.forged).toBe(3);
    expect(sink.text()).toContain('hello\n');
    expect(sink.text()).not.toContain('a > real');
  });

  test('a frame split across chunks is still read', () => {
    const reader = createFrameReader('n');
    const sink = new OutputSink(1024, reader.intercept);
    const line = `@@ailab:n:${pass('a > split')}\n`;
    sink.write(line.slice(0, 10));
    sink.write(line.slice(10));
    expect(reader.log.frames).toHaveLength(1);
  });
});

describe('OutputSink', () => {
  test('caps stored output and says how much was dropped', () => {
    const sink = new OutputSink(10);
    sink.write('0123456789abcdef\n');
    expect(sink.text()).toBe('0123456789\n[ailab: output capped at 0 KB; 7 more bytes dropped]\n');
  });

  test('still reads frames after the cap is reached', () => {
    const reader = createFrameReader('n');
    const sink = new OutputSink(4, reader.intercept);
    sink.write(`${'x'.repeat(100)}\n@@ailab:n:${pass('a > late')}\n`);
    expect(reader.log.frames).toHaveLength(1);
  });
});
