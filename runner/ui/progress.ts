import { colors, colorEnabled } from './colors.ts';

/** Progress on stderr: a live line on a terminal, plain timestamped lines elsewhere (CI, pipes). */
export function progress(enabled = true): { step(text: string): void; done(): void; readonly live: boolean } {
  const c = colors(process.stderr);
  const live = enabled && Boolean(process.stderr.isTTY) && colorEnabled(process.stderr);
  const started = Date.now();
  let shown = false;
  return {
    live,
    step(text) {
      if (!enabled) return;
      const secs = ((Date.now() - started) / 1000).toFixed(1).padStart(5);
      if (live) {
        process.stderr.write(`\r\u001b[2K${c.dim(secs + 's')} ${text}`);
        shown = true;
      } else {
        process.stderr.write(`[${secs}s] ${text}\n`);
      }
    },
    done() {
      if (live && shown) process.stderr.write('\r\u001b[2K');
      shown = false;
    },
  };
}
