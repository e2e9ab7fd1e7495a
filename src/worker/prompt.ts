/**
 * The prompt every worker gets: short and the same for every CLI. The plan
 * is referenced by absolute path, and the helper by absolute path too,
 * because some CLIs' shells reset PATH.
 * @module
 */

/** What the prompt names. */
export interface PromptInput {
  id: string;
  title: string;
  planPath: string;
  outputPath: string;
  cwd: string;
  /** Absolute path of the `dispatch` helper. */
  bin: string;
  /** The alias's addition, prepended. */
  aliasPrompt?: string;
  /** True when the worker runs in its own git worktree, whose branch should hold the work. */
  worktree?: boolean;
}

/** Renders the worker prompt. */
export function renderPrompt(p: PromptInput): string {
  const lines = [
    ...(p.aliasPrompt ? [p.aliasPrompt.trim(), ""] : []),
    `You are a background worker (task ${p.id}: ${p.title}). Work in ${p.cwd}.`,
    `Your plan is the checklist in ${p.planPath}. Read it first, then do the items in order.`,
    `- After finishing each item, tick it in that file: change "- [ ]" to "- [x]".`,
    `- If you need a decision or information you do not have, do not guess: run`,
    `  ${p.bin} ask "<your question>"`,
    `  It waits for the user's answer and prints it. If it times out, run the same command again.`,
    `- If an item fails and you cannot recover, mark it "- [!]" with a one-line reason, and stop.`,
    ...(p.worktree
      ? [`- This is your own git worktree: commit your changes here with git as you go (never push).`]
      : []),
    `- When you are done, write a short summary (what you did, what you found, files changed) to ${p.outputPath}.`,
  ];
  return lines.join("\n") + "\n";
}
