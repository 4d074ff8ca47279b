import { z } from 'zod';

const ErrorSchema = z.object({
  name: z.string().optional(),
  message: z.string().optional(),
  diff: z.string().optional(),
  at: z.string().optional(),
});

/** One frame the harness reporter writes: a test result, a module load failure, start or end. */
export const FrameSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('start'), pid: z.number() }),
  z.object({
    type: z.literal('test'),
    name: z.string(),
    file: z.string(),
    state: z.enum(['passed', 'failed', 'skipped', 'pending']),
    durationMs: z.number(),
    errors: z.array(ErrorSchema),
  }),
  z.object({ type: z.literal('module'), file: z.string(), errors: z.array(ErrorSchema) }),
  z.object({ type: z.literal('end'), reason: z.string(), modules: z.number(), unhandledErrors: z.array(ErrorSchema) }),
]);
export type Frame = z.infer<typeof FrameSchema>;
export type FrameError = z.infer<typeof ErrorSchema>;

/** Frames collected from one run, plus lines that looked like frames but carried a wrong nonce. */
export interface FrameLog {
  frames: Frame[];
  forged: number;
}

const PREFIX = '@@ailab:';

/** Returns a line interceptor: it keeps genuine frames and reports whether a line was a frame; `onFrame` sees each genuine one as it arrives. */
export function createFrameReader(nonce: string, onFrame?: (frame: Frame) => void): { log: FrameLog; intercept(line: string): boolean } {
  const log: FrameLog = { frames: [], forged: 0 };
  const genuine = `${PREFIX}${nonce}:`;
  return {
    log,
    intercept(line) {
      const at = line.indexOf(PREFIX);
      if (at < 0) return false;
      if (at === 0 && line.startsWith(genuine)) {
        try {
          const frame = FrameSchema.safeParse(JSON.parse(line.slice(genuine.length)));
          if (frame.success) {
            log.frames.push(frame.data);
            onFrame?.(frame.data);
            return true;
          }
        } catch {
          // fall through: malformed, so treat it as forged
        }
      }
      log.forged++;
      return false;
    },
  };
}
