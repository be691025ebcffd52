import { posix } from 'node:path';
import { Readable } from 'node:stream';
import * as tar from 'tar-stream';
import type { CodeRunPlan } from './code-run.plan.js';

/** A tar of the plan's temp dir holding its one source file, to extract into the dir's parent. */
export function sourceArchive(plan: Pick<CodeRunPlan, 'dir' | 'file'>): Readable {
  const folder = posix.basename(plan.dir);
  const pack = tar.pack();
  pack.entry({ name: `${folder}/`, type: 'directory', mode: 0o755 });
  pack.entry({ name: `${folder}/${plan.file.name}`, mode: 0o644 }, Buffer.from(plan.file.text, 'utf8'));
  pack.finalize();
  return Readable.from(pack);
}
