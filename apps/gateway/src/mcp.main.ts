#!/usr/bin/env node
import 'reflect-metadata';
import { exitOnBootFailure } from './boot-failure.js';
import { runMcpStdio } from './mcp-stdio.command.js';

runMcpStdio(process.argv.slice(2))
  .then(() => process.exit(0))
  .catch(exitOnBootFailure('sandboxed mcp: failed'));
