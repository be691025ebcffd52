import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { describe, it } from '@jest/globals';
import { parseAllDocuments } from 'yaml';

const run = promisify(execFile);

/** A rendered Kubernetes object, as `kubectl kustomize` prints it. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; [key: string]: unknown };
  [key: string]: unknown;
}

/** The kubectl on PATH (1.32 with kustomize 5.5 on these machines), or undefined. */
export function findKubectl(path = process.env.PATH ?? ''): string | undefined {
  for (const dir of path.split(delimiter).filter(Boolean)) {
    const candidate = join(dir, 'kubectl');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** `kubectl kustomize DIR`, parsed: every document must be an object with apiVersion, kind and a name. */
export async function kustomize(kubectl: string, dir: string): Promise<KubeObject[]> {
  const { stdout } = await run(kubectl, ['kustomize', dir], { maxBuffer: 16 * 1024 * 1024 });
  return parseAllDocuments(stdout).map((doc, i) => {
    if (doc.errors.length > 0) throw new Error(`${dir}: document ${i}: ${doc.errors[0]!.message}`);
    const obj = doc.toJS() as KubeObject;
    if (!obj?.apiVersion || !obj.kind || !obj.metadata?.name)
      throw new Error(`${dir}: document ${i} lacks apiVersion, kind or metadata.name`);
    return obj;
  });
}

/**
 * `describe` when kubectl is installed. Otherwise: under CI=true a failing test (a missing kubectl never
 * passes silently); elsewhere a skipped block that says why.
 */
export function describeWithKubectl(name: string, kubectl: string | undefined, body: (kubectl: string) => void): void {
  if (kubectl) return describe(name, () => body(kubectl));
  const reason = 'kubectl is not on PATH (kubectl 1.32 renders the kustomizations)';
  if (process.env.CI === 'true') {
    describe(name, () => {
      it('needs kubectl', () => {
        throw new Error(`Manifest tests cannot run: ${reason}`);
      });
    });
    return;
  }
  console.warn(`Skipping "${name}": ${reason}`);
  describe.skip(name, () => body(''));
}
