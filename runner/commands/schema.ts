import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { parseOptions } from '../cli.ts';
import { AilabError, EXIT } from '../core/errors.ts';
import { courseRoot } from '../core/paths.ts';
import { LabManifestSchema } from '../lab/schema.ts';

/** The JSON Schema of lab.yaml, generated from the zod schema so editors can autocomplete. */
export function labJsonSchema(): string {
  const schema = z.toJSONSchema(LabManifestSchema, { io: 'input', target: 'draft-7' }) as Record<string, unknown>;
  return `${JSON.stringify({ ...schema, title: 'ailab lab.yaml (format 1)' }, null, 2)}\n`;
}

/** Where the generated schema is checked in. */
export const SCHEMA_PATH = 'runner/lab/lab.schema.json';

/** `ailab schema [--write|--check]`. */
export async function run(argv: string[]): Promise<number> {
  const { values } = parseOptions(argv, { write: { type: 'boolean' }, check: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }, 'schema [--write|--check]');
  if (values.help) {
    process.stdout.write(`Usage: ailab schema [--write|--check]\n\nPrints the JSON Schema of lab.yaml. --write updates ${SCHEMA_PATH}; --check fails when it is stale.\n\nExample:\n  npm run schema\n`);
    return EXIT.ok;
  }
  const text = labJsonSchema();
  const path = join(courseRoot(), SCHEMA_PATH);
  if (values.write) {
    writeFileSync(path, text);
    process.stdout.write(`wrote ${SCHEMA_PATH}\n`);
  } else if (values.check) {
    let current = '';
    try {
      current = readFileSync(path, 'utf8');
    } catch {}
    if (current !== text) throw new AilabError('E_SCHEMA_STALE', `${SCHEMA_PATH} is out of date with runner/lab/schema.ts.`, 'Run `npm run schema` and commit the result.');
    process.stdout.write(`${SCHEMA_PATH} is up to date\n`);
  } else process.stdout.write(text);
  return EXIT.ok;
}
