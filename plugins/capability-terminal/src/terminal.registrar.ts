import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { CHANNEL_REGISTRY, type ChannelRegistry } from '@sandboxed/plugin-sdk';
import { terminalChannel } from './terminal.channel.js';

@Injectable()
export class TerminalRegistrar implements OnModuleInit {
  constructor(@Inject(CHANNEL_REGISTRY) private readonly channels: ChannelRegistry) {}

  onModuleInit(): void {
    this.channels.register(terminalChannel);
  }
}
