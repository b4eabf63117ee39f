import ArgumentParser

/// A time limit given on the command line: seconds, or a number with `s`, `m` or `h` (`90s`, `10m`, `2h`).
struct TimeLimit: ExpressibleByArgument, CustomStringConvertible {
    /// The limit in seconds.
    var seconds: Int

    init(seconds: Int) {
        self.seconds = seconds
    }

    init?(argument: String) {
        let units: [(suffix: String, factor: Int)] = [("h", 3600), ("m", 60), ("s", 1), ("", 1)]
        guard let unit = units.first(where: { argument.hasSuffix($0.suffix) }),
              let number = Int(argument.dropLast(unit.suffix.count)), number > 0, number <= 7 * 24 * 3600 / unit.factor
        else { return nil }
        seconds = number * unit.factor
    }

    var description: String {
        for (suffix, factor) in [("h", 3600), ("m", 60)] where seconds % factor == 0 { return "\(seconds / factor)\(suffix)" }
        return "\(seconds)s"
    }

    var defaultValueDescription: String { description }
}
