#!/usr/bin/env node
// The `ailab` bin: runs the runner precompiled (runner/bin/bundle.mjs), built on first use and
// whenever a runner source changes; from source through tsx when the bundle can't be built.
import { loadRunner } from './bundle.mjs';

const { main } = await loadRunner();
process.exitCode = await main(process.argv.slice(2));
