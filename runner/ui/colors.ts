import pc from 'picocolors';

/** Whether to colour a stream: never with NO_COLOR, in CI or off a terminal, unless FORCE_COLOR asks. */
export function colorEnabled(stream: NodeJS.WriteStream = process.stdout): boolean {
  if ('NO_COLOR' in process.env && process.env.NO_COLOR !== '') return false;
  const force = process.env.FORCE_COLOR;
  if (force !== undefined && force !== '' && force !== '0' && force !== 'false') return true;
  if (force === '0' || force === 'false') return false;
  if (process.env.CI && process.env.CI !== 'false' && process.env.CI !== '0') return false;
  return Boolean(stream.isTTY) && process.env.TERM !== 'dumb';
}

/** picocolors, switched on or off for a stream. */
export function colors(stream: NodeJS.WriteStream = process.stdout) {
  return pc.createColors(colorEnabled(stream));
}

export type Colors = ReturnType<typeof colors>;
