#!/usr/bin/env node
import 'reflect-metadata';
import { cli } from './cli.js';

cli(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`sandboxed: ${(err as Error).message}`);
    process.exit(1);
  },
);
