/** The exit-code table rendered for `--help` descriptions and the README. */
import { EXIT_CODE_TABLE } from '../errors.js';

export const EXIT_CODES_HELP = ['EXIT CODES', ...EXIT_CODE_TABLE.map((r) => `  ${String(r.code).padStart(2)}  ${r.name.padEnd(15)} ${r.meaning}`)].join('\n');
