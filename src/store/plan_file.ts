/**
 * Reading the files a worker writes (plan.md, its question files): each may
 * be deleted, replaced by a folder, a FIFO, a link to an endless device or a
 * huge file. Only a regular file is read, and at most a bounded prefix of it.
 * @module
 */
import { MAX_PLAN_BYTES } from "../plan/checklist.ts";

/** The most of a worker-written plan read: the start limit with room for ticks and notes. */
export const MAX_PLAN_READ = 4 * MAX_PLAN_BYTES;

/**
 * The plan's text: undefined when it is gone, "" when it is not a regular
 * file (nothing parses). Sync, for boards and for the supervisor's tick.
 */
export function readPlanSync(path: string): string | undefined {
  return readWorkerFileSync(path, MAX_PLAN_READ);
}

/**
 * A file in a worker's `work/` folder, as text: undefined when it is gone,
 * "" when it is anything but a regular file (a FIFO would block the reader
 * on open, a folder or device says nothing), at most `max` bytes of it.
 * (A FIFO swapped in between the look and the open still blocks: no
 * O_NONBLOCK open in Deno.)
 */
export function readWorkerFileSync(path: string, max: number): string | undefined {
  let info: Deno.FileInfo;
  try {
    info = Deno.lstatSync(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return undefined;
    return "";
  }
  if (!info.isFile) return "";
  try {
    using file = Deno.openSync(path, { read: true });
    const buf = new Uint8Array(Math.min(info.size, max));
    let got = 0;
    while (got < buf.length) {
      const n = file.readSync(buf.subarray(got));
      if (n === null) break;
      got += n;
    }
    return new TextDecoder().decode(buf.subarray(0, got));
  } catch (e) {
    return e instanceof Deno.errors.NotFound ? undefined : "";
  }
}
