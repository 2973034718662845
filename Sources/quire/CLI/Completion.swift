/// Shell completion scripts, made from the command table so they cannot drift from it:
/// `quire completion bash|zsh|fish`.
enum Completion {
    /// Every option a command takes, as `--long` (and `-s`), global ones included.
    private static func options(_ command: Command) -> [String] {
        (command.options + GlobalOptions.all).flatMap { o in ["--" + o.long] + (o.short.map { ["-\($0)"] } ?? []) }
    }

    /// A bash script defining `_quire` and registering it (`complete -F _quire quire`).
    static func bash() -> String {
        var cases = ""
        for command in allCommands {
            if command.subcommands.isEmpty {
                cases += "        \(command.name)) opts=\"\(options(command).joined(separator: " "))\" ;;\n"
            } else {
                cases += "        \(command.name))\n"
                cases += "            if [[ -z \"$sub\" ]]; then COMPREPLY=($(compgen -W \"\(command.subcommands.map(\.name).joined(separator: " "))\" -- \"$cur\")); return; fi\n"
                cases += "            case \"$sub\" in\n"
                for sub in command.subcommands {
                    cases += "                \(sub.name)) opts=\"\(options(sub).joined(separator: " "))\" ;;\n"
                }
                cases += "            esac ;;\n"
            }
        }
        return """
        # bash completion for quire (made by `quire completion bash`; source it, or put it in
        # /etc/bash_completion.d/quire or ~/.local/share/bash-completion/completions/quire).
        _quire() {
            local cur="${COMP_WORDS[COMP_CWORD]}" prev="${COMP_WORDS[COMP_CWORD-1]}"
            local cmd="" sub="" opts="" i
            if [[ "$prev" == "-A" || "$prev" == "--archive" ]]; then COMPREPLY=($(compgen -f -- "$cur")); return; fi
            for ((i = 1; i < COMP_CWORD; i++)); do
                case "${COMP_WORDS[i]}" in
                    -A|--archive) ((i++)) ;;
                    -*) ;;
                    *) if [[ -z "$cmd" ]]; then cmd="${COMP_WORDS[i]}"; elif [[ -z "$sub" ]]; then sub="${COMP_WORDS[i]}"; fi ;;
                esac
            done
            if [[ -z "$cmd" ]]; then
                COMPREPLY=($(compgen -W "\(allCommands.map(\.name).joined(separator: " ")) help version --help --version -A" -- "$cur"))
                return
            fi
            case "$cmd" in
                completion) COMPREPLY=($(compgen -W "bash zsh fish" -- "$cur")); return ;;
        \(cases)        help) COMPREPLY=($(compgen -W "\(allCommands.map(\.name).joined(separator: " ")) --man" -- "$cur")); return ;;
            esac
            if [[ "$cur" == -* ]]; then
                COMPREPLY=($(compgen -W "$opts" -- "$cur"))
            else
                COMPREPLY=($(compgen -f -- "$cur"))
            fi
        }
        complete -o filenames -F _quire quire

        """
    }

    /// A zsh script: the bash completion through zsh's bashcompinit.
    static func zsh() -> String {
        """
        #compdef quire
        # zsh completion for quire (made by `quire completion zsh`; source it from ~/.zshrc).
        autoload -U +X compinit && compinit
        autoload -U +X bashcompinit && bashcompinit

        """ + bash()
    }

    /// A fish script: commands with their summaries, then each command's options.
    static func fish() -> String {
        func quote(_ s: String) -> String { "'" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'" }
        var out = "# fish completion for quire (made by `quire completion fish`; save as ~/.config/fish/completions/quire.fish).\n"
        out += "complete -c quire -f\n"
        for command in allCommands {
            out += "complete -c quire -n __fish_use_subcommand -a \(command.name) -d \(quote(command.summary))\n"
        }
        out += "complete -c quire -n '__fish_seen_subcommand_from completion' -a 'bash zsh fish'\n"
        for command in allCommands {
            for sub in command.subcommands {
                out += "complete -c quire -n '__fish_seen_subcommand_from \(command.name)' -a \(sub.name) -d \(quote(sub.summary))\n"
            }
            for option in command.options + command.subcommands.flatMap(\.options) + GlobalOptions.all {
                out += "complete -c quire -n '__fish_seen_subcommand_from \(command.name)' -l \(option.long)"
                    + (option.short.map { " -s \($0)" } ?? "") + (option.value != nil ? " -r -F" : "") + " -d \(quote(option.help))\n"
            }
        }
        return out
    }
}
