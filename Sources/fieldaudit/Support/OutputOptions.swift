import ArgumentParser
import FieldAudit

/// `--json`: machine-readable output for read commands.
struct OutputOptions: ParsableArguments {
    @Flag(help: "Print JSON instead of text.")
    var json = false
}
