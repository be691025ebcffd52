import { Module } from '@nestjs/common';
import { ShellOperations } from './shell.operations.js';

@Module({ providers: [ShellOperations] })
export class ShellCapabilityModule {}
