/** Shell completion scripts, generated from the commands and options commander knows (so they never drift). */
export interface CompletionCommand {
  name: string;
  options: string[];
  /** Subcommands (pricing list|show|…). */
  subcommands: string[];
}

export const SHELLS = ["bash", "zsh", "fish"] as const;
export type Shell = (typeof SHELLS)[number];

export function completionScript(shell: Shell, commands: readonly CompletionCommand[]): string {
  const names = commands.map((c) => c.name).join(" ");
  if (shell === "fish") {
    const lines = [
      "# llmcost completion for fish: llmcost completion fish > ~/.config/fish/completions/llmcost.fish",
      `complete -c llmcost -f -n "__fish_use_subcommand" -a "${names}"`,
      ...commands.flatMap((c) => [
        ...(c.subcommands.length ? [`complete -c llmcost -f -n "__fish_seen_subcommand_from ${c.name}" -a "${c.subcommands.join(" ")}"`] : []),
        ...c.options.map((o) => `complete -c llmcost -n "__fish_seen_subcommand_from ${c.name}" -l ${o.replace(/^--/, "")}`),
      ]),
    ];
    return `${lines.join("\n")}\n`;
  }
  const cases = commands.map((c) => `    ${c.name}) subs="${c.subcommands.join(" ")}" opts="${c.options.join(" ")}" ;;`).join("\n");
  const bash = `_llmcost() {
  local cur=\${COMP_WORDS[COMP_CWORD]} subs="" opts=""
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=($(compgen -W "${names}" -- "$cur"))
    return
  fi
  case "\${COMP_WORDS[1]}" in
${cases}
  esac
  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$opts" -- "$cur"))
  elif [ "$COMP_CWORD" -eq 2 ] && [ -n "$subs" ]; then
    COMPREPLY=($(compgen -W "$subs" -- "$cur"))
  fi
}
complete -o default -F _llmcost llmcost
`;
  if (shell === "zsh") {
    return `# llmcost completion for zsh: llmcost completion zsh > ~/.zfunc/_llmcost.zsh, then source it from ~/.zshrc
autoload -U +X bashcompinit && bashcompinit
${bash}`;
  }
  return `# llmcost completion for bash: llmcost completion bash > ~/.local/share/bash-completion/completions/llmcost
${bash}`;
}
