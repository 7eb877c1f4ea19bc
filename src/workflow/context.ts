/** Ambient state the workflows need, injected so tests control time, identity and output. */
import os from 'node:os';
import type { Io } from '../io.js';

export interface Context {
  io: Io;
  now: () => Date;
  toolVersion: string;
  /** `user@host/pid`, recorded in locks, leases and journals. */
  who: string;
}

export function defaultContext(io: Io, toolVersion: string): Context {
  let user = 'unknown';
  try {
    user = os.userInfo().username;
  } catch {
    /* no passwd entry (containers) */
  }
  return { io, now: () => new Date(), toolVersion, who: `${user}@${os.hostname()}/${process.pid}` };
}
