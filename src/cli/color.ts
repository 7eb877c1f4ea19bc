/**
 * Whether a stream gets ANSI colours: a terminal does, unless the user said no. `--no-color` and
 * NO_COLOR (any non-empty value, https://no-color.org) turn it off; FORCE_COLOR turns it on for
 * a pipe (any value but '', '0' or 'false'), as most CLIs read it. The environment is passed in.
 */
export interface ColorInputs {
  isTTY: boolean | undefined;
  env: Readonly<Record<string, string | undefined>>;
  /** The global --no-color flag. */
  noColorFlag: boolean;
}

export function colorEnabled({ isTTY, env, noColorFlag }: ColorInputs): boolean {
  if (noColorFlag) return false;
  if (env.NO_COLOR) return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined && force !== '') return force !== '0' && force !== 'false';
  return !!isTTY && env.TERM !== 'dumb';
}

/** ANSI SGR wrapping, or none. */
export function paint(on: boolean, code: '31' | '33'): (s: string) => string {
  return (s) => (on ? `\u001b[${code}m${s}\u001b[0m` : s);
}
