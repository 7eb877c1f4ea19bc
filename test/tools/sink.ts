import { Writable } from 'node:stream';

/** A writable that keeps what was written; `isTTY` makes it pass for a terminal. */
export function sink(isTTY = false): Writable & { text: () => string; isTTY?: boolean } {
  const chunks: string[] = [];
  const w = new Writable({
    write(chunk: Buffer | string, _enc, cb) {
      chunks.push(chunk.toString());
      cb();
    },
  }) as Writable & { text: () => string; isTTY?: boolean };
  w.text = () => chunks.join('');
  if (isTTY) w.isTTY = true;
  return w;
}
