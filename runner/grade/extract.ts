import { createReadStream, createWriteStream, mkdirSync } from 'node:fs';
import { dirname, isAbsolute, join, normalize, sep } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import tarStream from 'tar-stream';
import yauzl from 'yauzl';
import { SubmissionError } from '../core/errors.ts';

/** Caps on what an archive may unpack to; a .tar.gz may decompress to `tarBytes` at most. */
export const ARCHIVE_LIMITS = { files: 2000, totalBytes: 64 * 1024 * 1024, tarBytes: 128 * 1024 * 1024 };

/** Returns the safe relative path of an archive entry, or throws why it is unsafe. */
export function safeEntryPath(name: string): string {
  const clean = name.replace(/\\/g, '/');
  if (isAbsolute(clean) || /^[a-zA-Z]:\//.test(clean)) throw new SubmissionError(`the archive holds an absolute path: ${name}`);
  const norm = normalize(clean);
  if (norm === '..' || norm.startsWith(`..${sep}`) || norm.split(sep).includes('..')) throw new SubmissionError(`the archive holds a path that escapes its folder: ${name}`);
  return norm;
}

/** Tracks file count and total size while unpacking, throwing at the caps. */
function budget() {
  let files = 0;
  let bytes = 0;
  return (size: number) => {
    files++;
    bytes += size;
    if (files > ARCHIVE_LIMITS.files) throw new SubmissionError(`the archive holds more than ${ARCHIVE_LIMITS.files} files`);
    if (bytes > ARCHIVE_LIMITS.totalBytes) throw new SubmissionError(`the archive unpacks to more than ${ARCHIVE_LIMITS.totalBytes / 1024 / 1024} MB`);
  };
}

/**
 * Passes decompressed bytes on up to a cap. The file caps alone would not stop a gzip bomb: zeros
 * after the end of the tar data are never an entry, yet gunzipping gigabytes of them costs minutes.
 */
function capDecompressed(max: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      seen += chunk.length;
      if (seen > max) done(new SubmissionError(`the archive decompresses to more than ${max / 1024 / 1024} MB`));
      else done(null, chunk);
    },
  });
}

/** Unpacks a .tar.gz into dest, rejecting links, absolute paths, `..` and oversized content. */
export async function extractTarGz(file: string, dest: string): Promise<void> {
  const charge = budget();
  const extract = tarStream.extract();
  extract.on('entry', (header, stream, next) => {
    try {
      const rel = safeEntryPath(header.name);
      if (header.type === 'directory') {
        mkdirSync(join(dest, rel), { recursive: true });
        stream.resume();
        stream.on('end', next);
        return;
      }
      if (header.type !== 'file') throw new SubmissionError(`the archive holds a ${header.type} (${header.name}); only files and folders are accepted`);
      charge(header.size ?? 0);
      mkdirSync(dirname(join(dest, rel)), { recursive: true });
      pipeline(stream, createWriteStream(join(dest, rel))).then(() => next(), next);
    } catch (error) {
      extract.destroy(error as Error);
    }
  });
  try {
    await pipeline(createReadStream(file), createGunzip(), capDecompressed(ARCHIVE_LIMITS.tarBytes), extract);
  } catch (error) {
    if (error instanceof SubmissionError) throw error;
    throw new SubmissionError(`the archive could not be read: ${(error as Error).message}`);
  }
}

/** Unpacks a .zip into dest with the same rules as extractTarGz. */
export async function extractZip(file: string, dest: string): Promise<void> {
  const charge = budget();
  let zip: yauzl.ZipFile;
  try {
    zip = await new Promise<yauzl.ZipFile>((resolve, reject) => yauzl.open(file, { lazyEntries: true, validateEntrySizes: true }, (err, z) => (err ? reject(err) : resolve(z!))));
  } catch (error) {
    throw new SubmissionError(`the archive could not be read: ${(error as Error).message}`);
  }
  await new Promise<void>((resolve, reject) => {
    const fail = (error: unknown) => {
      zip.close();
      const message = (error as Error).message ?? String(error);
      // yauzl validates names itself; say what it found in the same words as our own checks.
      const escaped = /^invalid relative path: (.*)$/.exec(message);
      const absolute = /^absolute path: (.*)$/.exec(message);
      if (error instanceof SubmissionError) reject(error);
      else if (escaped) reject(new SubmissionError(`the archive holds a path that escapes its folder: ${escaped[1]}`));
      else if (absolute) reject(new SubmissionError(`the archive holds an absolute path: ${absolute[1]}`));
      else reject(new SubmissionError(`the archive could not be read: ${message}`));
    };
    zip.on('error', fail);
    zip.on('end', resolve);
    zip.on('entry', (entry: yauzl.Entry) => {
      try {
        const rel = safeEntryPath(entry.fileName);
        const mode = (entry.externalFileAttributes >>> 16) & 0o170000;
        if (mode === 0o120000) throw new SubmissionError(`the archive holds a symbolic link (${entry.fileName}); only files and folders are accepted`);
        if (entry.fileName.endsWith('/')) {
          mkdirSync(join(dest, rel), { recursive: true });
          zip.readEntry();
          return;
        }
        charge(entry.uncompressedSize);
        mkdirSync(dirname(join(dest, rel)), { recursive: true });
        zip.openReadStream(entry, (err, stream) => {
          if (err || !stream) return fail(err);
          pipeline(stream, createWriteStream(join(dest, rel))).then(() => zip.readEntry(), fail);
        });
      } catch (error) {
        fail(error);
      }
    });
    zip.readEntry();
  });
}
