/**
 * `dispatch answer … always --project`: adds an approved command to the
 * project's `.dispatch.yaml` allow list, keeping the rest of the file (and
 * its comments) as they are. Only a rule the project file may hold is
 * added (`project_file.ts`), so the file stays one every later task loads.
 * @module
 */
import { ConfigError } from "../errors.ts";
import { ruleProblem } from "../rules.ts";
import { writeAtomic } from "../store/fsx.ts";
import { loadProjectRules, PROJECT_FILE, projectAllowProblem } from "./project_file.ts";
import { readRegular } from "./read.ts";

/** Why `command` cannot go into a project's allow list, or undefined when it can. */
export function projectRuleProblem(command: string): string | undefined {
  return ruleProblem("allow", command) ?? projectAllowProblem(command);
}

/**
 * Adds `rule` to `<project>/.dispatch.yaml` under `permissions.allow`
 * (creating the file or the keys), unless it is there already. Resolves
 * with the file's path. ConfigError when the file is refused as it stands.
 */
export async function addProjectAllow(project: string, rule: string): Promise<string> {
  const path = `${project}/${PROJECT_FILE}`;
  const problem = projectRuleProblem(rule);
  if (problem) throw new ConfigError(`Cannot add to ${path}: ${problem}`);
  const current = await loadProjectRules(project); // refuses a file that breaks the rules, as a start would
  if (current?.allow.includes(rule)) return path;
  const { parseDocument } = await import("yaml");
  let text = "";
  if (current) text = new TextDecoder().decode((await readRegular(path, 1 << 20)).bytes);
  const doc = parseDocument(text);
  const allow = doc.getIn(["permissions", "allow"]);
  if (allow === undefined || allow === null) doc.setIn(["permissions", "allow"], doc.createNode([rule]));
  else doc.addIn(["permissions", "allow"], rule);
  await writeAtomic(path, doc.toString());
  await loadProjectRules(project); // what was written still loads
  return path;
}
