import type { FrameChannelDefinition, MessageChannelDefinition, TunnelDefinition } from './channel.types.js';

type Without<T, K extends keyof T> = Omit<T, K>;

/** Typed builders: they only help inference; the registry accepts the plain object too. */
export function sandboxMessageChannel<I extends object>(
  def: Without<MessageChannelDefinition<I>, 'kind' | 'scope'>,
): MessageChannelDefinition<I> {
  return { ...def, kind: 'messages', scope: 'sandbox' };
}

export function sandboxTunnel<I extends object>(
  def: Without<TunnelDefinition<I>, 'kind' | 'scope'>,
): TunnelDefinition<I> {
  return { ...def, kind: 'tunnel', scope: 'sandbox' };
}

export function sandboxFrameChannel<I extends object>(
  def: Without<FrameChannelDefinition<I>, 'kind' | 'scope'>,
): FrameChannelDefinition<I> {
  return { ...def, kind: 'frames', scope: 'sandbox' };
}

/** The HTTP path of something sandbox-scoped: `/v1/sandboxes/<id>/<sub>`, the convention every HTTP transport follows. */
export function sandboxHttpPath(sandboxId: string, sub: string): string {
  return `/v1/sandboxes/${encodeURIComponent(sandboxId)}/${sub.replace(/^\/+/, '')}`;
}
