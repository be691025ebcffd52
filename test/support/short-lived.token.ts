import { SignJWT } from 'jose';

export interface ShortLivedToken {
  bearer: Record<string, string>;
  /** The token's `exp`, in epoch ms. */
  expiresAt: number;
}

/** An HS256 JWT with every sandbox scope that expires `lifetimeSeconds` from now. */
export async function shortLivedToken(secret: string, sub: string, lifetimeSeconds: number): Promise<ShortLivedToken> {
  const exp = Math.floor(Date.now() / 1000) + lifetimeSeconds;
  const jwt = await new SignJWT({ sub, scope: 'sandbox:read sandbox:write' })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuedAt()
    .setExpirationTime(exp)
    .sign(new TextEncoder().encode(secret));
  return { bearer: { authorization: `Bearer ${jwt}` }, expiresAt: exp * 1000 };
}
