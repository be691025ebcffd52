import { Module } from '@nestjs/common';

/** Providers come from the plugin's module factory, which resolves the options first. */
@Module({})
export class WebCapabilityModule {}
