/**
 * What an approved command printed and how it exited, kept in the task's
 * trusted folder (`permissions/NNN.out` and `NNN.json`): the supervisor runs
 * the command outside the worker's sandbox and stores this; the worker's
 * hook then hands the CLI a command that prints it back.
 * @module
 */
import { ensureDir, readJsonSyncOrUndefined, writeAtomic, writeJsonAtomic } from "./fsx.ts";
import { messageFile } from "./questions.ts";
import { taskPaths } from "./paths.ts";

/** The most output kept of one approved command. */
export const MAX_PERMISSION_OUTPUT = 64 * 1024;

/** How an approved command ran. */
export interface PermissionOutput {
  n: number;
  /** The command as approved (from the answer). */
  command: string;
  code: number;
  /** The file that holds its output (stdout and stderr, capped). */
  output: string;
  ts: number;
}

function dirOf(home: string, id: string): string {
  return `${taskPaths(home, id).dir}/permissions`;
}

/** The record for question `n`, or undefined when its command has not run. */
export function readPermissionOutput(home: string, id: string, n: number): PermissionOutput | undefined {
  const record = readJsonSyncOrUndefined<PermissionOutput>(`${dirOf(home, id)}/${messageFile(n)}`);
  return record && typeof record.code === "number" && typeof record.output === "string" ? record : undefined;
}

/** Where question `n`'s command writes its output. */
export async function permissionOutputFile(home: string, id: string, n: number): Promise<string> {
  await ensureDir(dirOf(home, id));
  return `${dirOf(home, id)}/${String(n).padStart(3, "0")}.out`;
}

/** Stores how question `n`'s command ran (its output already in `record.output`). */
export async function writePermissionOutput(
  home: string,
  id: string,
  record: PermissionOutput,
): Promise<void> {
  await ensureDir(dirOf(home, id));
  await writeJsonAtomic(`${dirOf(home, id)}/${messageFile(record.n)}`, record);
}

/** Writes `text` as question `n`'s output (for a command that could not start). */
export async function writeOutputText(home: string, id: string, n: number, text: string): Promise<string> {
  const file = await permissionOutputFile(home, id, n);
  await writeAtomic(file, text);
  return file;
}
