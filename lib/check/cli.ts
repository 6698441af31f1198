#!/usr/bin/env node
import { runCorsCheck } from './cors-check.js'

process.exitCode = await runCorsCheck(process.argv.slice(2), process.stdout, process.stderr)
