/**
 * A single-node Slurm cluster on 127.0.0.1 for tests: munged with its own
 * key and socket, slurmctld and slurmd with a slurm.conf in a scratch
 * folder, on free ports. `await using cluster = await slurmCluster()` starts
 * it and waits until the node is idle; disposing cancels every job, kills
 * the daemons and checks nothing of it is left running (PID 1 here reaps no
 * orphans, and a job step can outlive a killed slurmd, so it looks).
 * Resolves undefined, with the reason, when the packages are not installed.
 * @module
 */
import { tempDir } from "./temp_dir.ts";

/** A running cluster. */
export interface SlurmCluster extends AsyncDisposable {
  /** The slurm.conf the clients need as SLURM_CONF. */
  conf: string;
  /** The environment for clients (and dispatch): SLURM_CONF and PATH. */
  env: Record<string, string>;
  /** The scratch folder (state, spool, logs). */
  dir: string;
  /** Runs a client command (squeue, scancel, ...) against the cluster. */
  run(cmd: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }>;
}

/** Why the cluster cannot start here, or undefined when the packages are present. */
export function slurmMissing(): string | undefined {
  for (const exe of ["slurmctld", "slurmd", "sbatch", "squeue", "munged"]) {
    const found = ["/usr/sbin", "/usr/bin", "/sbin", "/bin"].some((d) => {
      try {
        return Deno.statSync(`${d}/${exe}`).isFile;
      } catch {
        return false;
      }
    });
    if (!found) {
      return `${exe} is not installed (apt-get install -y slurmctld slurmd slurm-client munge)`;
    }
  }
  if (Deno.uid() !== 0) return "the test cluster runs its daemons as root, and this is not root";
  return undefined;
}

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

async function exec(cmd: string, args: string[], env: Record<string, string> = {}) {
  const out = await new Deno.Command(cmd, { args, env, stdin: "null", stdout: "piped", stderr: "piped" })
    .output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr) };
}

async function hostName(): Promise<string> {
  return (await exec("hostname", ["-s"])).stdout.trim();
}

/** Pids whose command line mentions `needle` (the scratch folder names every process of the cluster). */
function pidsMentioning(needle: string): number[] {
  const pids: number[] = [];
  for (const e of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    try {
      const stat = Deno.readTextFileSync(`/proc/${e.name}/stat`);
      if (stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z")) continue; // a zombie runs nothing
      const cmd = Deno.readTextFileSync(`/proc/${e.name}/cmdline`).replaceAll("\0", " ");
      if (cmd.includes(needle)) pids.push(Number(e.name));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

/** Pids of live slurmstepd processes of this cluster: they inherit slurmd's SLURM_CONF. */
function liveStepds(conf: string): number[] {
  return pidsMentioning("slurmstepd").filter((pid) => {
    try {
      return Deno.readTextFileSync(`/proc/${pid}/environ`).split("\0").includes(`SLURM_CONF=${conf}`);
    } catch {
      return false;
    }
  });
}

async function until<T>(what: string, check: () => Promise<T | undefined>, ms: number): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Starts the cluster; undefined (with the reason on stderr) when it cannot run here. */
export async function slurmCluster(): Promise<SlurmCluster | undefined> {
  const missing = slurmMissing();
  if (missing) {
    console.error(`skipping the slurm tests: ${missing}`);
    return undefined;
  }
  const scratch = await tempDir("dispatch-slurm-");
  const dir = scratch.path;
  await Deno.chmod(dir, 0o755); // munged checks its folders are not writable by others
  const host = await hostName();
  const [ctldPort, slurmdPort] = [freePort(), freePort()];
  for (const d of ["munge", "state", "spool", "log"]) await Deno.mkdir(`${dir}/${d}`, { mode: 0o700 });
  const key = `${dir}/munge/munge.key`;
  await Deno.writeFile(key, crypto.getRandomValues(new Uint8Array(128)), { mode: 0o400 });
  const socket = `${dir}/munge/munge.socket`;
  const conf = `${dir}/slurm.conf`;
  await Deno.writeTextFile(
    conf,
    [
      "ClusterName=dispatch-test",
      `SlurmctldHost=${host}(127.0.0.1)`,
      `SlurmctldPort=${ctldPort}`,
      `SlurmdPort=${slurmdPort}`,
      `AuthInfo=socket=${socket}`,
      "SlurmUser=root",
      "SlurmdUser=root",
      "ProctrackType=proctrack/linuxproc",
      "TaskPlugin=task/none",
      "SelectType=select/cons_tres",
      "SelectTypeParameters=CR_Core",
      "JobAcctGatherType=jobacct_gather/none",
      "AccountingStorageType=accounting_storage/none",
      "ReturnToService=2",
      "KillWait=2", // scancel's SIGTERM → SIGKILL grace: short, so a cancelled test job goes at once
      "MinJobAge=300",
      "SchedulerParameters=batch_sched_delay=0,sched_min_interval=0",
      `StateSaveLocation=${dir}/state`,
      `SlurmdSpoolDir=${dir}/spool`,
      `SlurmctldLogFile=${dir}/log/slurmctld.log`,
      `SlurmdLogFile=${dir}/log/slurmd.log`,
      `SlurmctldPidFile=${dir}/slurmctld.pid`,
      `SlurmdPidFile=${dir}/slurmd.pid`,
      `NodeName=${host} NodeAddr=127.0.0.1 CPUs=${navigator.hardwareConcurrency} State=UNKNOWN`,
      `PartitionName=debug Nodes=${host} Default=YES MaxTime=INFINITE State=UP OverSubscribe=FORCE:8`,
    ].join("\n") + "\n",
  );
  const env = { SLURM_CONF: conf, PATH: Deno.env.get("PATH") ?? "/usr/sbin:/usr/bin:/sbin:/bin" };
  const run = (cmd: string, args: string[]) => exec(cmd, args, env);
  const daemons: Deno.ChildProcess[] = [];
  const spawn = (cmd: string, args: string[]) => {
    const child = new Deno.Command(cmd, { args, env, stdin: "null", stdout: "null", stderr: "null" }).spawn();
    daemons.push(child);
    return child;
  };
  const teardown = async () => {
    const ids = (await run("squeue", ["-h", "-o", "%i"]).catch(() => ({ stdout: "" }))).stdout.trim();
    if (ids) {
      await run("scancel", ids.split(/\s+/)).catch(() => {});
      await until("the cancelled jobs to leave the queue", async () => {
        const r = await run("squeue", ["-h", "-o", "%i"]).catch(() => ({ code: 1, stdout: "" }));
        return r.code !== 0 || r.stdout.trim() === "" ? true : undefined;
      }, 10_000).catch(() => {}); // the kill below stops them anyway
    }
    // slurmd may not end on SIGTERM while a step lives: SIGKILL whatever is left after a moment.
    const signal = (sig: Deno.Signal) => {
      for (const d of daemons) {
        try {
          d.kill(sig);
        } catch {
          // already gone
        }
      }
    };
    signal("SIGTERM");
    const ended = Promise.all(daemons.map((d) => d.status)).then(() => true);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<boolean>((r) => timer = setTimeout(() => r(false), 1000));
    const inTime = await Promise.race([ended, late]);
    clearTimeout(timer);
    if (!inTime) {
      signal("SIGKILL");
      await ended;
    }
    // A slurmstepd outlives its slurmd, and the job's processes run from this cluster's spool.
    const leftovers = () => [...pidsMentioning(dir), ...liveStepds(conf)];
    for (const pid of leftovers()) {
      try {
        Deno.kill(pid, "SIGKILL");
      } catch {
        // gone meanwhile
      }
    }
    await until("the cluster's processes to end", () => {
      return Promise.resolve(leftovers().length === 0 ? true : undefined);
    }, 10_000);
    await scratch[Symbol.asyncDispose]();
  };
  try {
    spawn("munged", [
      "-F",
      "--force",
      `--key-file=${key}`,
      `--socket=${socket}`,
      `--pid-file=${dir}/munge/munged.pid`,
      `--seed-file=${dir}/munge/seed`,
      `--log-file=${dir}/log/munged.log`,
    ]);
    await until("munged's socket", () => Promise.resolve(exists(socket) ? true : undefined), 10_000);
    spawn("slurmctld", ["-D", "-f", conf]);
    spawn("slurmd", ["-D", "-f", conf, "-N", host]);
    await until("the node to be idle", async () => {
      const r = await run("sinfo", ["-h", "-N", "-o", "%t"]);
      return r.code === 0 && /^idle/.test(r.stdout.trim()) ? true : undefined;
    }, 30_000);
  } catch (e) {
    const logs = await Promise.all(
      ["munged", "slurmctld", "slurmd"].map((n) =>
        Deno.readTextFile(`${dir}/log/${n}.log`).then((t) => `${n}: ${t.slice(-600)}`).catch(() => "")
      ),
    );
    await teardown().catch(() => {});
    throw new Error(`${e instanceof Error ? e.message : e}\n${logs.join("\n")}`);
  }
  return { conf, env, dir, run, [Symbol.asyncDispose]: teardown };
}

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}
