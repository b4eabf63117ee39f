import Foundation

/// `fieldaudit-bench`: performance measurements kept outside the test suite.
///
/// Built in release by `Benchmarks/run-apply`, which runs it beside the C reference
/// `Benchmarks/apply_reference.c`. Arguments are parsed by hand: the target has no
/// ArgumentParser dependency.

let usage = """
    usage: fieldaudit-bench create-empty PATH
           fieldaudit-bench apply --changes N PATH
           fieldaudit-bench populate --changes N [--append] DIR
           fieldaudit-bench ndjson DIR
           fieldaudit-bench rebuild DIR

      create-empty  create an empty store at PATH (schema and PRAGMAs of Store.open)
      apply         apply N generated remote changes to the empty store at PATH in one
                    Store.apply call and print `swift_apply changes=N seconds=S rate=R`
      populate      create a replica in DIR (or add to it with --append) with N changes of its own
      ndjson        print the replica's changes as NDJSON, for the gzip/zstd comparison
      rebuild       rebuild the state of the replica in DIR from its log (`Store.rebuild`) and print
                    `rebuild changes=N seconds=S rate=R digest_unchanged=true|false`
    """

func run(_ arguments: [String]) throws {
    switch arguments.first {
    case "create-empty" where arguments.count == 2:
        try Commands.createEmpty(at: arguments[1])
    case "apply" where arguments.count == 4 && arguments[1] == "--changes":
        guard let count = Int(arguments[2]), count > 0 else {
            throw BenchError("--changes needs a positive integer, not '\(arguments[2])'")
        }
        try Commands.apply(changes: count, at: arguments[3])
    case "populate" where arguments.count >= 4 && arguments[1] == "--changes":
        guard let count = Int(arguments[2]), count > 0 else { throw BenchError("--changes needs a positive integer") }
        let append = arguments.contains("--append")
        try SyncCommands.populate(directory: arguments.last!, changes: count, append: append)
    case "ndjson" where arguments.count == 2:
        try SyncCommands.ndjson(directory: arguments[1])
    case "rebuild" where arguments.count == 2:
        try SyncCommands.rebuild(directory: arguments[1])
    default:
        FileHandle.standardError.write(Data((usage + "\n").utf8))
        exit(2)
    }
}

do {
    try run(Array(CommandLine.arguments.dropFirst()))
} catch {
    log("error: \(error)")
    exit(1)
}
