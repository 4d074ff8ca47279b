#!/usr/bin/env node
// The `ailab` bin: registers tsx so the TypeScript runner runs without a build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../cli.ts');
process.exitCode = await main(process.argv.slice(2));
