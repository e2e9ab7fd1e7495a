import assert from "node:assert/strict";
import { launcherFirstOnPath } from "./approve.ts";
import { tempDir } from "../../test/temp_dir.ts";

Deno.test("launcherFirstOnPath: the first dispatch on PATH decides; none means Claude Code's appended bin/", async () => {
  await using dir = await tempDir("dispatch-path-");
  const ours = `${dir.path}/plugin/bin/dispatch`;
  await Deno.mkdir(`${dir.path}/plugin/bin`, { recursive: true });
  await Deno.writeTextFile(ours, "#!/bin/sh\n");
  await Deno.mkdir(`${dir.path}/other`);
  await Deno.writeTextFile(`${dir.path}/other/dispatch`, "#!/bin/sh\n");
  await Deno.mkdir(`${dir.path}/link`);
  await Deno.symlink(ours, `${dir.path}/link/dispatch`);
  assert.equal(launcherFirstOnPath("/usr/bin:/bin", ours), true);
  assert.equal(launcherFirstOnPath(`${dir.path}/plugin/bin:${dir.path}/other`, ours), true);
  assert.equal(launcherFirstOnPath(`${dir.path}/link:/bin`, ours), true);
  assert.equal(launcherFirstOnPath(`/bin:${dir.path}/other:${dir.path}/plugin/bin`, ours), false);
  assert.equal(launcherFirstOnPath("/bin::/usr/bin", ours), false, "an empty entry is the current directory");
  assert.equal(launcherFirstOnPath("/bin", `${dir.path}/missing`), false);
});
