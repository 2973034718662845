/// `quire completion bash|zsh|fish`: a completion script for the shell, on stdout.
let completionCommand = Command(
    name: "completion",
    summary: "Print a shell completion script (bash, zsh or fish).",
    discussion: """
    The script completes command names, subcommands, options and file names. Install it:
      bash:  quire completion bash > ~/.local/share/bash-completion/completions/quire
      zsh:   quire completion zsh > ~/.zfunc/_quire   (or: source <(quire completion zsh))
      fish:  quire completion fish > ~/.config/fish/completions/quire.fish
    `quire help --man` prints the manual page (man -l <(quire help --man)).
    """,
    positionals: [PositionalSpec(name: "SHELL", help: "bash, zsh or fish.", minimum: 1, maximum: 1)]
) { _, args in
    switch args.positionals[0] {
    case "bash": Output.outTrusted(Completion.bash())
    case "zsh": Output.outTrusted(Completion.zsh())
    case "fish": Output.outTrusted(Completion.fish())
    case let other: throw UsageError("completion is made for bash, zsh or fish, not '\(other)'")
    }
    return 0
}
