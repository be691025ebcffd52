import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import {
  CHANNEL_REGISTRY,
  OPERATION_REGISTRY,
  type ChannelRegistry,
  type OperationRegistry,
} from '@sandboxed/plugin-sdk';
import { BrowserSettings } from './browser-options.dto.js';
import { BrowserSessionPool } from './browser-session.pool.js';
import { cdpRelayChannel } from './cdp-relay.channel.js';
import { contentOperations } from './content.operations.js';
import { interactionOperations } from './interaction.operations.js';
import { navigationOperations } from './navigation.operations.js';
import { tabsOperations } from './tabs.operations.js';

@Injectable()
export class BrowserOperationsRegistrar implements OnModuleInit, OnModuleDestroy {
  private readonly pool: BrowserSessionPool;

  constructor(
    @Inject(OPERATION_REGISTRY) private readonly operations: OperationRegistry,
    @Inject(CHANNEL_REGISTRY) private readonly channels: ChannelRegistry,
    @Inject(BrowserSettings) private readonly settings: BrowserSettings,
  ) {
    this.pool = new BrowserSessionPool(settings);
  }

  onModuleInit(): void {
    const deps = { pool: this.pool, settings: this.settings };
    for (const op of [
      ...navigationOperations(deps),
      ...interactionOperations(deps),
      ...contentOperations(deps),
      ...tabsOperations(deps),
    ]) {
      this.operations.register(op);
    }
    this.channels.register(cdpRelayChannel(deps));
  }

  async onModuleDestroy(): Promise<void> {
    await this.pool.closeAll();
  }
}
