// Writes the report directory. File names come from the core and are fixed names, never engine
// data (checked again here); files of an earlier run are removed when the directory is opened,
// so a report never mixes two runs. The core hands each file over in chunks of bytes, which are
// appended as they come: no file is ever held whole.
import { closeSync, openSync, writeSync } from 'node:fs';
import { copyFile, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { writeReportHtml } from './report-html.js';

const OURS = /^(anchore-gate\.json|anchore-gate\.sarif|anchore-gate-junit\.xml|anchore_gates\.json|anchore_security\.json|anchoreengine-api-response-(evaluation|vulnerabilities)-\d+\.json|report\.html)$/;

function checked(name) {
  if (!OURS.test(name)) throw new Error(`refusing to write unexpected report file name ${JSON.stringify(name)}`);
  return name;
}

export class ReportDir {
  #pending = [];

  constructor(dir) {
    this.dir = path.resolve(dir);
  }

  /** Creates the directory and removes the files an earlier run left in it. */
  static async open(dir) {
    const d = new ReportDir(dir);
    await mkdir(d.dir, { recursive: true });
    for (const name of await readdir(d.dir)) {
      if (OURS.test(name)) await rm(path.join(d.dir, name), { force: true });
    }
    return d;
  }

  path(name) {
    return path.join(this.dir, checked(name));
  }

  /** Saves an engine answer's bytes as the core asked (`save_body`); awaited by `finish`. */
  saveBody(file, bytes) {
    this.#pending.push(writeFile(this.path(file), bytes));
  }

  /** `sink(name, chunk, last)` for the core's writeFiles/evaluate. */
  sink() {
    let open = null;
    return (name, chunk, last) => {
      if (open?.name !== name) {
        if (open) closeSync(open.fd);
        open = { name, fd: openSync(this.path(name), 'w') };
      }
      for (let at = 0; at < chunk.length;) at += writeSync(open.fd, chunk, at);
      if (last) {
        closeSync(open.fd);
        open = null;
      }
    };
  }

  /**
   * Writes the run's files (`run.writeFiles`, or a function taking the sink), then report.html
   * from anchore-gate.json; returns the core's outcome.
   */
  async write(render, warn = console.error) {
    await Promise.all(this.#pending.splice(0));
    const outcome = render(this.sink());
    if (outcome.files.includes('anchore-gate.json')) {
      await writeReportHtml(this.path('anchore-gate.json'), this.path('report.html'), warn);
    }
    return outcome;
  }

  /** Copies a file of the directory to `target` (--sarif FILE, --junit FILE). */
  async copy(name, target) {
    await mkdir(path.dirname(path.resolve(target)), { recursive: true });
    await copyFile(this.path(name), target);
  }
}
