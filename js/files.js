// Reading the files a run is given — image list, Dockerfiles, allowlist, CA certificate,
// password file — any of which may come from a pull request: only regular files (a FIFO or a
// device would hang or never end the read), never more than a limit, and opened without
// blocking so that a swap to a FIFO between the check and the open cannot hang either.
import { constants } from 'node:fs';
import { open, stat } from 'node:fs/promises';

export const LIMITS = {
  dockerfile: 1024 * 1024,
  imageList: 16 * 1024 * 1024,
  allowlist: 16 * 1024 * 1024,
  caCert: 1024 * 1024,
  passwordFile: 64 * 1024,
};

/** An input file that is not a regular file, or too large; `code` as Node's errors have one. */
export class InputFileError extends Error {
  constructor(message, code) {
    super(message);
    this.code = code;
  }
}

const mib = (bytes) => (bytes >= 1024 * 1024 ? `${+(bytes / 1024 / 1024).toFixed(1)} MiB` : `${+(bytes / 1024).toFixed(1)} KiB`);

function kindOf(info) {
  if (info.isDirectory()) return 'a directory';
  if (info.isFIFO()) return 'a named pipe (FIFO)';
  if (info.isCharacterDevice() || info.isBlockDevice()) return 'a device';
  if (info.isSocket()) return 'a socket';
  return 'not a regular file';
}

/**
 * The bytes of `file` (links followed), when it is a regular file of at most `limit` bytes.
 * Throws an InputFileError saying what it is instead, or Node's own error (ENOENT, EACCES).
 */
export async function readRegularFile(file, limit) {
  const before = await stat(file);
  if (!before.isFile()) throw new InputFileError(`it is ${kindOf(before)}, not a regular file`, 'ENOTREG');
  if (before.size > limit) throw new InputFileError(`it is ${mib(before.size)}, more than the ${mib(limit)} accepted`, 'EFBIG');
  const handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const info = await handle.stat();
    if (!info.isFile() || info.ino !== before.ino || info.dev !== before.dev) {
      throw new InputFileError('it was replaced while being opened', 'ECHANGED');
    }
    // Read at most one byte past the limit: a file that grows while it is read is still bounded.
    const buffer = Buffer.alloc(Math.min(info.size, limit) + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length === buffer.length) break;
    }
    if (length > limit) throw new InputFileError(`it grew past the ${mib(limit)} accepted while being read`, 'EFBIG');
    return buffer.subarray(0, length);
  } finally {
    await handle.close();
  }
}
