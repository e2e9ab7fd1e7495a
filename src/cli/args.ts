/**
 * Flag parsing shared by every subcommand: node:util parseArgs in strict
 * mode, with its errors turned into one-line usage errors and `--help`
 * handled in one place. node:util costs ~13 ms to load, so a command run
 * with no arguments at all (`dispatch status`, the board) skips it.
 * @module
 */
import type { ParseArgsConfig } from "node:util";
import { UsageError } from "../errors.ts";
import type { Ctx } from "../context.ts";

type Options = NonNullable<ParseArgsConfig["options"]>;
type Parsed<O extends Options> = ReturnType<
  typeof import("node:util").parseArgs<{
    args: string[];
    options: O & { help: { type: "boolean"; short: "h" } };
    allowPositionals: true;
    strict: true;
  }>
>;

/** Parsed flags and positionals, or undefined when help was printed. */
export async function parseFlags<O extends Options>(
  ctx: Ctx,
  args: string[],
  options: O,
  help: string,
): Promise<Parsed<O> | undefined> {
  if (args.length === 0) return { values: {}, positionals: [] } as unknown as Parsed<O>;
  const { parseArgs } = await import("node:util");
  let parsed: Parsed<O>;
  try {
    parsed = parseArgs({
      args,
      options: { ...options, help: { type: "boolean", short: "h" } },
      allowPositionals: true,
      strict: true,
    }) as Parsed<O>;
  } catch (e) {
    const message = e instanceof Error ? e.message.split("\n")[0]!.replace(/\.$/, "") : String(e);
    const command = help.split("\n")[0]!.replace(/^Usage: /, "");
    throw new UsageError(`${message} (usage: ${command}; see --help)`);
  }
  if ((parsed.values as Record<string, unknown>).help) {
    ctx.stdout(help.endsWith("\n") ? help : help + "\n");
    return undefined;
  }
  return parsed;
}

/** The one positional argument a command needs, or a usage error naming it. */
export function onePositional(positionals: string[], what: string, usage: string): string {
  if (positionals.length === 0) throw new UsageError(`Missing ${what} (usage: ${usage})`);
  if (positionals.length > 1) {
    throw new UsageError(
      `Too many arguments: ${positionals.slice(1).join(" ")} (usage: ${usage}; quote text)`,
    );
  }
  return positionals[0]!;
}

/** The host session a command acts for: the flag, then the environment. */
export function sessionFrom(ctx: Ctx, flag: string | undefined): string | undefined {
  return flag ?? ctx.env.DISPATCH_SESSION ?? ctx.env.CLAUDE_CODE_SESSION_ID ?? undefined;
}
