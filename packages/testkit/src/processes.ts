/**
 * Processes and ports as the operating system sees them (Linux /proc), for tests and benchmarks
 * that start real servers: one reader of /proc/<pid>/stat, the relations derived from it.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';

interface ProcessRow {
  pid: number;
  ppid: number;
  pgrp: number;
  zombie: boolean;
}

/** Every process now: pid, parent, process group, whether a zombie. */
function processTable(): ProcessRow[] {
  const rows: ProcessRow[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // pid (comm) state ppid pgrp ...: comm may hold spaces, so split after the last ')'.
      const [state, ppid, pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      rows.push({ pid: Number(entry), ppid: Number(ppid), pgrp: Number(pgrp), zombie: state === 'Z' });
    } catch {
      // the process ended while we looked
    }
  }
  return rows;
}

/** The live members of process group `pgid`. */
export function groupMembers(pgid: number): number[] {
  return processTable()
    .filter((row) => row.pgrp === pgid && !row.zombie)
    .map((row) => row.pid);
}

/** The live children of `pid`. */
export function childrenOf(pid: number): number[] {
  return processTable()
    .filter((row) => row.ppid === pid && !row.zombie)
    .map((row) => row.pid);
}

/** Resident memory of a process and all its descendants, in MB. */
export function rssMb(pid: number): number {
  const table = processTable();
  const tree = [pid];
  for (let i = 0; i < tree.length && tree.length < 1000; i++) tree.push(...table.filter((row) => row.ppid === tree[i]).map((row) => row.pid));
  let kb = 0;
  for (const member of tree) {
    try {
      kb += Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${member}/status`, 'utf8'))?.[1] ?? 0);
    } catch {
      // gone
    }
  }
  return kb / 1024;
}

/** A pid that is certainly not running: a child that already exited. */
export async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0']);
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid!;
}

/** A port nobody listens on right now on 127.0.0.1 (cluster workers share a fixed port, not port 0). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** True when something accepts TCP connections on 127.0.0.1:port. */
export async function portInUse(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Waits until `condition` holds, polling every `everyMs`, for at most `timeoutMs`; returns whether it held. */
export async function waitUntil(condition: () => boolean | Promise<boolean>, timeoutMs: number, everyMs = 100): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
  return condition();
}
