/**
 * The test commands a plan names: a small fixed list, found as whole words
 * in the plan text (`- [ ] Run npm test`, `` `cargo test` ``), so an `edit`
 * worker may run the project's own tests without asking. Each comes back as
 * a prefix rule (`npm test *`: the command, with or without arguments).
 * @module
 */

/** The test commands recognised in a plan, as they are written. */
export const TEST_COMMANDS: readonly string[] = Object.freeze([
  "npm test",
  "npm run test",
  "yarn test",
  "pnpm test",
  "bun test",
  "deno test",
  "pytest",
  "python -m pytest",
  "cargo test",
  "go test",
  "make test",
]);

const BEFORE = String.raw`(?:^|[\s\x60'"(])`;
const AFTER = String.raw`(?:$|[\s\x60'".,;:)])`;

function named(text: string, command: string): boolean {
  const words = command.split(" ").map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join(" +");
  return new RegExp(`${BEFORE}${words}${AFTER}`, "m").test(text);
}

/** The allow rules for the test commands `plan` names (`npm test *`), in list order. */
export function testCommandRules(plan: string): string[] {
  return TEST_COMMANDS.filter((c) => named(plan, c)).map((c) => `${c} *`);
}
