#!/usr/bin/env node
import 'reflect-metadata';
import { exitOnBootFailure } from './boot-failure.js';
import { runGateway } from './gateway.command.js';

runGateway(process.argv.slice(2)).catch(exitOnBootFailure('sandboxed: failed to start'));
