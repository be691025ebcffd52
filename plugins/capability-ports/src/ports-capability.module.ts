import { Module } from '@nestjs/common';

/** Providers come from the plugin's module factory (they need the options). */
@Module({})
export class PortsCapabilityModule {}
