import { Module } from '@nestjs/common';
import { TerminalRegistrar } from './terminal.registrar.js';

@Module({ providers: [TerminalRegistrar] })
export class TerminalCapabilityModule {}
