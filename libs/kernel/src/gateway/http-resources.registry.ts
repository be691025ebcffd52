import type { HttpResourceDeclaration } from '@sandboxed/plugin-sdk';

/** Where RFC 9728 metadata lives: the root document, and `<this><resource path>` for each resource. */
export const PROTECTED_RESOURCE_METADATA_PATH = '/.well-known/oauth-protected-resource';

const under = (path: string, prefix: string): boolean => path === prefix || path.startsWith(`${prefix}/`);

function normalized(path: string, what: string): string {
  if (!path.startsWith('/')) throw new Error(`declareHttpResources: ${what} "${path}" must start with "/"`);
  return path.length > 1 ? path.replace(/\/+$/, '') : path;
}

/** The transports' own paths, as they declared them (see HttpResourceDeclaration). */
export class HttpResources {
  private readonly declared: Array<Required<HttpResourceDeclaration>> = [];

  declare(d: HttpResourceDeclaration): void {
    const paths = d.paths.map((p) => normalized(p, 'path'));
    const resources = d.resources.map((r) => normalized(r, 'resource'));
    const stray = resources.find((r) => !paths.some((p) => under(r, p)));
    if (stray) throw new Error(`declareHttpResources: resource "${stray}" is under none of ${paths.join(', ')}`);
    this.declared.push({ paths, resources, allowedOrigins: d.allowedOrigins ?? [] });
  }

  /** The extra origins allowed on a request path; the metadata, public anyway, takes every transport's. */
  originsFor(path: string): string[] {
    const metadata = under(path, PROTECTED_RESOURCE_METADATA_PATH);
    return this.declared
      .filter((d) => metadata || d.paths.some((p) => under(path, p)))
      .flatMap((d) => d.allowedOrigins);
  }

  /** Whether a path is a declared protected resource (and so has metadata of its own). */
  isResource(path: string): boolean {
    const p = path.length > 1 ? path.replace(/\/+$/, '') : path;
    return this.declared.some((d) => d.resources.includes(p));
  }
}
