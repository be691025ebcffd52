import { Module } from '@nestjs/common';
import { definePlugin } from '@sandboxed/plugin-sdk';
import { BrowserOptionsDto, BrowserSettings, resolveBrowserOptions } from './browser-options.dto.js';
import { BrowserOperationsRegistrar } from './browser-operations.registrar.js';

/** Providers come from the plugin's module factory, which resolves the options first. */
@Module({})
export class BrowserCapabilityModule {}

export const plugin = definePlugin<BrowserOptionsDto>({
  id: 'capability-browser',
  kind: 'capability',
  version: '0.1.0',
  engine: '^1',
  description: 'Chromium inside each sandbox over CDP: browser.* operations, a live screencast and a raw CDP relay',
  options: BrowserOptionsDto,
  module: (options) => ({
    module: BrowserCapabilityModule,
    providers: [{ provide: BrowserSettings, useValue: resolveBrowserOptions(options) }, BrowserOperationsRegistrar],
  }),
});
