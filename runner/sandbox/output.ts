/** Collects a process's output up to a byte cap while passing every complete line to an interceptor. */
export class OutputSink {
  private kept: string[] = [];
  private keptBytes = 0;
  private partial = '';
  /** Bytes dropped because the cap was reached. */
  dropped = 0;

  constructor(
    private readonly capBytes: number,
    private readonly intercept: (line: string) => boolean = () => false,
    /** A line longer than this is never a frame; it is kept (capped) without waiting for its end. */
    private readonly maxLine = 64 * 1024,
  ) {}

  /** Feeds a chunk of output. */
  write(chunk: Buffer | string): void {
    this.partial += typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    let nl: number;
    while ((nl = this.partial.indexOf('\n')) >= 0) {
      const line = this.partial.slice(0, nl);
      this.partial = this.partial.slice(nl + 1);
      if (!this.intercept(line)) this.keep(`${line}\n`);
    }
    if (this.partial.length > this.maxLine) {
      this.keep(this.partial);
      this.partial = '';
    }
  }

  private keep(text: string): void {
    const room = this.capBytes - this.keptBytes;
    const bytes = Buffer.byteLength(text);
    if (bytes <= room) {
      this.kept.push(text);
      this.keptBytes += bytes;
    } else {
      if (room > 0) {
        this.kept.push(Buffer.from(text).subarray(0, room).toString('utf8'));
        this.keptBytes = this.capBytes;
      }
      this.dropped += bytes - Math.max(room, 0);
    }
  }

  /** The kept output, with a note when some was dropped. */
  text(): string {
    if (this.partial) {
      const rest = this.partial;
      this.partial = '';
      if (!this.intercept(rest)) this.keep(rest);
    }
    const body = this.kept.join('');
    return this.dropped > 0 ? `${body}\n[ailab: output capped at ${Math.round(this.capBytes / 1024)} KB; ${this.dropped} more bytes dropped]\n` : body;
  }
}
