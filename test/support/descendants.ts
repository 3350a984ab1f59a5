import { execFileSync } from 'node:child_process';

/**
 * Which of `names` run among this process's descendants (matched in their command lines), in the order given:
 * a stop that left a child running shows here. Processes the test process did not start never count.
 */
export function descendantsRunning(names: readonly string[]): string[] {
  const table = execFileSync('ps', ['-eo', 'pid=,ppid=,args='], { encoding: 'utf8' });
  const rows = table
    .split('\n')
    .map((line) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line))
    .filter((match): match is RegExpExecArray => match !== null)
    .map(([, pid, ppid, args]) => ({ pid: Number(pid), ppid: Number(ppid), args: args! }));
  const ours = new Set([process.pid]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const row of rows)
      if (ours.has(row.ppid) && !ours.has(row.pid)) {
        ours.add(row.pid);
        grew = true;
      }
  }
  return names.filter((name) =>
    rows.some((row) => ours.has(row.pid) && row.pid !== process.pid && row.args.includes(name)),
  );
}
