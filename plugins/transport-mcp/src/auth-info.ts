import type { AuthInfo } from '@modelcontextprotocol/server';
import { UnauthorizedError, type Principal } from '@sandboxed/plugin-sdk';
import type { HandlerExtra } from './mcp-server.factory.js';

/** The SDK hands `req.auth` of each HTTP request to the handlers; it carries that request's principal. */
export function authInfoFor(principal: Principal): AuthInfo {
  return { token: '', clientId: principal.id, scopes: [...principal.scopes], extra: { principal } };
}

export function principalFromAuthInfo(extra: HandlerExtra): Principal {
  const principal = extra.http?.authInfo?.extra?.principal as Principal | undefined;
  if (!principal) throw new UnauthorizedError();
  return principal;
}
