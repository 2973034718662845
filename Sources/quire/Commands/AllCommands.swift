/// Every top-level command, in the order `quire --help` lists them.
let allCommands: [Command] = [
    initCommand,
    ingestCommand,
    lsCommand,
    logCommand,
    showCommand,
    catCommand,
    batchesCommand,
    statsCommand,
    stateCommand,
    digestCommand,
    bundleCommand,
    syncCommand,
    peersCommand,
    headsCommand,
    resolveCommand,
]
