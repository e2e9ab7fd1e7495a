/**
 * A sandbox whose model `evil` runs a shell script as its worker: the
 * hostile worker of the security tests.
 * @module
 */
import { type Sandbox, sandbox } from "../helpers.ts";

/** A sandbox whose model `evil` runs `script` (sh) as its worker. */
export async function evilSandbox(script: string): Promise<Sandbox> {
  const sb = await sandbox();
  const file = `${sb.project}/evil.sh`;
  await Deno.writeTextFile(file, script);
  const config = await Deno.readTextFile(`${sb.home}/config.yaml`);
  await Deno.writeTextFile(
    `${sb.home}/config.yaml`,
    config.replace("backends:\n", `backends:\n  evil:\n    command: "sh ${file}"\n    model_flag: ""\n`)
      .replace("models:\n", "models:\n  evil: { backend: evil }\n"),
  );
  return sb;
}
