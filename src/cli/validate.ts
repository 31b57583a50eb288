// `ringflow validate FILE...`: every problem of every file as `file:line:col: CODE: message`.

import { readFile } from 'node:fs/promises';
import { formatLocated } from '../errors.ts';
import type { Engine } from '../runtime/engine.ts';
import type { Problem } from '../scenario/model.ts';

export interface ValidateOutput {
  out: (line: string) => void;
  err: (line: string) => void;
}

/** Returns the exit code: 1 when any file has an error (warnings alone pass). */
export async function validateFiles(engine: Engine, files: readonly string[], io: ValidateOutput): Promise<number> {
  let failed = false;
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      io.err(`${file}: RF_FILE_READ: cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      failed = true;
      continue;
    }
    const { problems } = engine.parse(text, { file });
    for (const p of problems) io.err(formatProblem(p, file));
    const errors = problems.filter((p) => p.severity === 'error').length;
    if (errors > 0) failed = true;
    else io.out(`${file}: ok${problems.length > 0 ? ` (${problems.length} warning${problems.length > 1 ? 's' : ''})` : ''}`);
  }
  return failed ? 1 : 0;
}

export function formatProblem(p: Problem, file: string): string {
  const line = formatLocated({ code: p.code, message: p.message, position: p.position }, file);
  return p.severity === 'warning' ? line.replace(`${p.code}:`, `warning ${p.code}:`) : line;
}
