#!/usr/bin/env node
// The command-line tool runs the committed bundle, so `npx parallel-setup` needs no build step.
import '../dist/cli/index.js'
