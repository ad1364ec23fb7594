import { appendFileSync, closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, truncateSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Small durable-file helpers for the local stand-ins (stream positions, the bus journal, the e-mail
 * outbox). They survive a SIGKILL of the process: a file is replaced by rename (never half-written),
 * and a journal line cut short by a crash is ignored when the journal is read back.
 */

/** Writes JSON to `file` so that a reader sees either the old or the new content, never a mix. */
export function writeJsonAtomic(file: string, value: unknown): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, JSON.stringify(value));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
}

export function readJson<T>(file: string): T | undefined {
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch (error) {
    console.error(`[local] ${file} is unreadable and is ignored:`, (error as Error).message);
    return undefined;
  }
}

/**
 * An append-only JSON-lines file. `append` returns once the line is in the operating system's
 * hands (a killed process loses nothing it appended); `read` skips a torn last line.
 */
export class JsonLines<T> {
  constructor(readonly file: string) {
    mkdirSync(dirname(file), { recursive: true });
    // A line torn by a crash would swallow the next append into one unparsable line: cut it off.
    if (existsSync(file)) {
      const content = readFileSync(file);
      if (content.length > 0 && content[content.length - 1] !== 0x0a) truncateSync(file, content.lastIndexOf(0x0a) + 1);
    }
  }

  read(): T[] {
    if (!existsSync(this.file)) return [];
    const out: T[] = [];
    for (const line of readFileSync(this.file, 'utf8').split('\n')) {
      if (!line) continue;
      try {
        out.push(JSON.parse(line) as T);
      } catch {
        // a line cut short by a crash: it was never acknowledged, so nothing depends on it
      }
    }
    return out;
  }

  append(...values: T[]): void {
    if (values.length === 0) return;
    appendFileSync(this.file, values.map((v) => `${JSON.stringify(v)}\n`).join(''));
  }

  /** Replaces the whole file (atomically) with these values: compaction. */
  rewrite(values: T[]): void {
    const tmp = `${this.file}.${process.pid}.tmp`;
    const fd = openSync(tmp, 'w');
    try {
      if (values.length) writeSync(fd, values.map((v) => `${JSON.stringify(v)}\n`).join(''));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.file);
  }
}
