/**
 * Shell completion: a bash or zsh script that completes the command names, then the flags of the
 * command typed (from the oclif manifest the host hands in), then file names. zsh runs the bash
 * script through bashcompinit, so both complete the same words.
 */
export type Shell = 'bash' | 'zsh';

export interface CompletableCommand {
  /** `plan`; a topic command as `topic:name`. */
  id: string;
  /** Long flag names, without `--` (a negatable boolean also as `no-NAME`). */
  flags: string[];
}

export function completionScript(shell: Shell, bin: string, commands: readonly CompletableCommand[]): string {
  const fn = `_${bin.replace(/[^A-Za-z0-9_]/g, '_')}`;
  const sorted = [...commands].sort((a, b) => a.id.localeCompare(b.id));
  const words = (c: CompletableCommand) => [...new Set([...c.flags].sort().map((f) => `--${f}`)), '--help', '-h'].join(' ');
  const cases = sorted.map((c) => `    ${c.id.replaceAll(':', ' ').split(' ')[0]}) words="${words(c)}" ;;`);
  const lines = [
    `# ${bin} completion for ${shell}; load it with: source <(${bin} completion ${shell})`,
    ...(shell === 'zsh' ? ['autoload -U +X bashcompinit && bashcompinit'] : []),
    `${fn}() {`,
    '  local cur="${COMP_WORDS[COMP_CWORD]}" words=""',
    '  if [ "$COMP_CWORD" -eq 1 ]; then',
    `    COMPREPLY=($(compgen -W "${sorted.map((c) => c.id.replaceAll(':', ' ')).join(' ')} --help -h --version" -- "$cur"))`,
    '    return',
    '  fi',
    '  case "${COMP_WORDS[1]}" in',
    ...cases,
    '  esac',
    '  if [[ "$cur" == -* ]]; then',
    '    COMPREPLY=($(compgen -W "$words" -- "$cur"))',
    '  else',
    '    COMPREPLY=($(compgen -f -- "$cur"))',
    '  fi',
    '}',
    `complete -o default -F ${fn} ${bin}`,
  ];
  return lines.join('\n') + '\n';
}
