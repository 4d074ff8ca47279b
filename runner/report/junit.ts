import type { Results } from '../results/schema.ts';

/** Escapes text for XML attributes and bodies, dropping characters XML 1.0 cannot hold. */
export function xmlEscape(text: string): string {
  return text
    .replace(/[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

/** JUnit XML: one testsuite per task, one testcase per check. */
export function renderJunit(results: Results): string {
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const failures = results.checks.filter((c) => c.status === 'fail').length;
  const errors = results.checks.filter((c) => !['pass', 'fail', 'skipped'].includes(c.status)).length;
  lines.push(`<testsuites name="${xmlEscape(results.lab.id)}" tests="${results.checks.length}" failures="${failures}" errors="${errors}" time="${(results.sandbox.durationMs / 1000).toFixed(3)}">`);
  for (const task of results.tasks) {
    const checks = results.checks.filter((c) => c.task === task.id);
    const f = checks.filter((c) => c.status === 'fail').length;
    const e = checks.filter((c) => !['pass', 'fail', 'skipped'].includes(c.status)).length;
    lines.push(`  <testsuite name="${xmlEscape(`${results.lab.id} ${task.title}`)}" tests="${checks.length}" failures="${f}" errors="${e}">`);
    for (const check of checks) {
      const open = `    <testcase classname="${xmlEscape(`${results.lab.id}.${task.id}`)}" name="${xmlEscape(`${check.id}: ${check.title}`)}" time="${(check.durationMs / 1000).toFixed(3)}"`;
      if (check.status === 'pass') {
        lines.push(`${open}/>`);
        continue;
      }
      const body = xmlEscape([check.message, check.hint ? `hint: ${check.hint}` : ''].filter(Boolean).join('\n'));
      const tag = check.status === 'fail' ? 'failure' : check.status === 'skipped' ? 'skipped' : 'error';
      lines.push(`${open}>`);
      lines.push(`      <${tag} message="${xmlEscape(`${check.status} (0/${check.maxPoints} points)`)}" type="${check.status}">${body}</${tag}>`);
      lines.push('    </testcase>');
    }
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>');
  return `${lines.join('\n')}\n`;
}
