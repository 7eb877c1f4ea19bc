/**
 * Runs one benchmark step as a child process and measures it from outside: wall time, and the
 * child's peak resident memory (VmHWM, sampled from /proc every 50 ms; the kernel keeps the
 * high-water mark, so a short peak between samples is not lost). A step that outlives its time
 * limit is killed, so a hung CLI cannot hold the run (and its clusters) forever.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface Measured {
  code: number;
  seconds: number;
  peakRssMb: number;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

export interface MeasureOptions {
  env: NodeJS.ProcessEnv;
  cwd: string;
  timeoutMs: number;
}

function vmHwmMb(pid: number): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0; // exited between samples; the last sample stands
  }
}

export function measure(args: string[], opts: MeasureOptions): Promise<Measured> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, args, { env: opts.env, cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let peak = 0;
    let timedOut = false;
    const sample = () => {
      if (child.pid) peak = Math.max(peak, vmHwmMb(child.pid));
    };
    const timer = setInterval(sample, 50);
    const limit = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, opts.timeoutMs);
    child.stdout.on('data', (d: Buffer) => {
      sample();
      out.push(d);
    });
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.on('error', reject);
    child.on('close', (code) => {
      clearInterval(timer);
      clearTimeout(limit);
      resolve({
        code: code ?? -1,
        seconds: (performance.now() - t0) / 1000,
        peakRssMb: peak,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        timedOut,
      });
    });
  });
}
