/**
 * Reading a command backend's shell string (`backends.X.command`) for the
 * program it runs, so `dispatch doctor` can check that program.
 * @module
 */

/**
 * The executable a command backend's shell string runs: the first word after
 * `env` and its options, variable assignments and wrappers like `exec` or
 * `nice`. Undefined when the string is too shell-heavy to tell.
 */
export function commandExecutable(command: string): string | undefined {
  const words = command.trim().match(/"[^"]*"|'[^']*'|\S+/g)?.map((w) => w.replace(/^["']|["']$/g, "")) ?? [];
  let i = 0;
  const skipAssignments = () => {
    while (i < words.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[i]!)) i++;
  };
  skipAssignments();
  for (;;) {
    const w = words[i];
    if (w === "env") {
      i++;
      while (i < words.length && words[i]!.startsWith("-")) {
        i += /^-(u|C|S)$|^--(unset|chdir|split-string)$/.test(words[i]!) ? 2 : 1;
      }
      skipAssignments();
    } else if (w === "exec" || w === "command" || w === "nohup" || w === "stdbuf" || w === "time") i++;
    else if (w === "nice") i += words[i + 1] === "-n" ? 3 : 1;
    else break;
  }
  const exe = words[i];
  if (!exe || /[$`|;&<>(){}]/.test(exe)) return undefined;
  return exe;
}
