#!/usr/bin/env node
// Entry of the headless CLI (`npm run -s ostal -- …` or the `ostal` bin). Runs the TypeScript core through tsx.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
