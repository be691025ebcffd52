import { Module } from '@nestjs/common';
import { ChannelRegistryModule } from '@sandboxed/plugin-sdk';
import { TerminalRegistrar } from './terminal.registrar.js';

@Module({ imports: [ChannelRegistryModule], providers: [TerminalRegistrar] })
export class TerminalCapabilityModule {}
