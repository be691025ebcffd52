import type { BearerChallenge } from '@sandboxed/plugin-sdk';

/**
 * `WWW-Authenticate: Bearer ...` (RFC 6750 section 3; `resource_metadata` from RFC 9728 section 5.1).
 * `realm` comes first, as the gateway has always sent it; clients read the parameters by name.
 */
export function formatBearerChallenge(
  challenge: Omit<BearerChallenge, 'resource'> & { resourceMetadata?: string },
): string {
  const params = ['realm="sandboxed"'];
  if (challenge.error) params.push(`error="${challenge.error}"`);
  if (challenge.scope?.length) params.push(`scope="${challenge.scope.join(' ')}"`);
  if (challenge.resourceMetadata) params.push(`resource_metadata="${challenge.resourceMetadata}"`);
  return `Bearer ${params.join(', ')}`;
}
