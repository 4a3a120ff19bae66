#!/usr/bin/env node
// Kept for the scripts that run `node bin/ostal.mjs`: the CLI's launcher is bin/ostal.cjs (a CommonJS entry starts
// sooner; `npm run -s ostal` and the `ostal` bin run it directly).
import './ostal.cjs';
