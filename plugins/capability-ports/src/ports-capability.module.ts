import { Module } from '@nestjs/common';
import { ChannelRegistryModule } from '@sandboxed/plugin-sdk';

/** Providers come from the plugin's module factory (they need the options). */
@Module({ imports: [ChannelRegistryModule] })
export class PortsCapabilityModule {}
