/**
 * Process-level helpers: another process's CPU time from /proc, and pinning a process to one
 * core with taskset so that a server and its load generator do not fight for the same one.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';

/** Linux USER_HZ: /proc reports CPU time in ticks of 1/100 s. */
const TICKS_PER_SECOND = 100;

/**
 * CPU seconds a process has used (user + system) from /proc/PID/stat fields 14 and 15
 * (proc(5)); undefined off Linux or once the process is gone. The command name (field 2) may
 * hold spaces, so the fields are counted from after its closing parenthesis.
 */
export function cpuSeconds(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 (state), so utime (14) and stime (15) are at 11 and 12.
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/** Pinning only helps with two cores or more, and needs util-linux's taskset. */
export const canPin = existsSync('/usr/bin/taskset') && os.cpus().length >= 2;

/** `[cmd, ...args]` prefixed with `taskset -c CORE` when pinning is possible. */
export function pinnedCommand(core: number, command: string[]): string[] {
  return canPin ? ['taskset', '-c', String(core), ...command] : command;
}

/** Moves a running process (the current one by default) onto one core, when possible. */
export function pin(core: number, pid: number = process.pid): void {
  if (canPin) execFileSync('taskset', ['-p', '-c', String(core), String(pid)], { stdio: 'ignore' });
}

/** A one-line description of the machine for the head of every result file. */
export const machine = (): string => `Node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'} (shared with other work)`;
