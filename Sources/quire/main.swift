#if canImport(Glibc)
import Glibc
#endif

// quire: see `quire --help`, README.md and docs/cli.md.
let status = CLI.main(CommandLine.arguments)
Output.flush()
Pager.finish()
exit(status)
