import { Injectable } from '@nestjs/common';
import type { ChannelDefinition, ChannelRegistry } from '@sandboxed/plugin-sdk';

const CHANNEL_ID = /^[a-z][a-zA-Z0-9]*(\.[a-z][a-zA-Z0-9]*)+$/;

@Injectable()
export class InMemoryChannelRegistry implements ChannelRegistry {
  private readonly channels = new Map<string, ChannelDefinition>();

  register(channel: ChannelDefinition): void {
    if (!CHANNEL_ID.test(channel.id)) throw new Error(`Channel id "${channel.id}" must look like area.verb`);
    if (this.channels.has(channel.id)) throw new Error(`Duplicate channel id "${channel.id}"`);
    if (typeof channel.input !== 'function') throw new Error(`Channel "${channel.id}" needs an input DTO class`);
    const path = channel.path.replace(/^\/+|\/+$/g, '');
    const taken = [...this.channels.values()].find((c) => c.path.replace(/^\/+|\/+$/g, '') === path);
    if (taken) throw new Error(`Channel "${channel.id}": path "${path}" is already used by "${taken.id}"`);
    this.channels.set(channel.id, channel);
  }

  get(id: string): ChannelDefinition | undefined {
    return this.channels.get(id);
  }

  list(): ChannelDefinition[] {
    return [...this.channels.values()];
  }
}
