// Writes the report directory. File names come from the core and are fixed names, never engine
// data; files of an earlier run that this run does not rewrite are removed, so a report never
// mixes two runs.
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

const OURS = /^(anchore-gate\.json|anchore-gate\.sarif|anchore-gate-junit\.xml|anchore-gate-gitlab-cs\.json|anchore_gates\.json|anchore_security\.json|anchoreengine-api-response-(evaluation|vulnerabilities)-\d+\.json|report\.html)$/;

export async function writeReport(dir, files) {
  await mkdir(dir, { recursive: true });
  const names = new Set(files.map((f) => f.name));
  for (const name of await readdir(dir)) {
    if (OURS.test(name) && !names.has(name)) await rm(path.join(dir, name), { force: true });
  }
  for (const { name, content } of files) {
    if (!OURS.test(name)) throw new Error(`refusing to write unexpected report file name ${JSON.stringify(name)}`);
    await writeFile(path.join(dir, name), content);
  }
  return path.resolve(dir);
}
