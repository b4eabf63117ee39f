import ArgumentParser

/// A size given on the command line: bytes, or a number with `KiB`, `MiB` or `GiB`.
struct ByteCount: ExpressibleByArgument, CustomStringConvertible {
    /// The size in bytes.
    var bytes: Int64

    init(bytes: Int64) {
        self.bytes = bytes
    }

    init?(argument: String) {
        let units: [(suffix: String, factor: Int64)] = [("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10), ("B", 1), ("", 1)]
        guard let unit = units.first(where: { argument.hasSuffix($0.suffix) }),
              let number = Int64(argument.dropLast(unit.suffix.count)), number > 0,
              number <= Int64.max / unit.factor
        else { return nil }
        bytes = number * unit.factor
    }

    var description: String {
        for (suffix, factor) in [("GiB", Int64(1) << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)] where bytes % factor == 0 {
            return "\(bytes / factor)\(suffix)"
        }
        return "\(bytes)"
    }

    var defaultValueDescription: String { description }
}
