import ArgumentParser

/// `yes` or `no`.
enum YesNo: String, ExpressibleByArgument, CaseIterable {
    case yes, no
    var bool: Bool { self == .yes }
}
