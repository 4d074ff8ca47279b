// Flags source lines an instructor should look at: code that reaches for the test framework's
// internals, the result channel, other processes or the hidden checks. Flags never change a score
// (legitimate code can match); they put a line reference in the results and the gradebook.

/** What a flagged line reaches for, by pattern. */
const PATTERNS: readonly { re: RegExp; what: string }[] = [
  { re: /__vitest_\w+__/, what: "vitest's internal state" },
  { re: /(?:from\s*|import\s*\(\s*|require\s*\(\s*)['"`](?:vitest|@vitest\/[^'"`]*|chai|vite)['"`]/, what: 'the test framework' },
  { re: /\basymmetricMatch\b/, what: 'the hook that equality assertions consult' },
  { re: /@@ailab/, what: "the runner's result channel" },
  { re: /process\s*\.\s*(?:ppid|reallyExit|kill|abort|binding|_send|channel)\b/, what: 'other processes or the result channel' },
  { re: /['"`]\/proc\//, what: 'process internals under /proc' },
  { re: /(?:^|[^\w.])checks\/|\.test\.[cm]?[jt]s\b/, what: 'the checks' },
  { re: /\b(?:evaluatedModules|prepareStackTrace|getHeapSnapshot)\b/, what: 'the module runner, stack traces or the heap' },
];

/** At most this many flags per submission, so a flood can't bury the gradebook. */
const MAX_FLAGS = 10;

/** Review flags for a submission's text files, as "review: path:line mentions `x` (what)". */
export function scanSubmission(files: ReadonlyMap<string, Buffer>): string[] {
  const flags: string[] = [];
  for (const [path, content] of [...files].sort(([a], [b]) => a.localeCompare(b))) {
    if (content.includes(0)) continue; // binary: nothing to read
    const lines = content.toString('utf8').split('\n');
    for (let i = 0; i < lines.length && flags.length < MAX_FLAGS; i++) {
      for (const { re, what } of PATTERNS) {
        const hit = re.exec(lines[i]);
        if (hit) {
          flags.push(`review: ${path}:${i + 1} mentions \`${hit[0].trim().slice(0, 40)}\` (${what})`);
          break;
        }
      }
    }
  }
  return flags;
}
