import ArgumentParser
import AuditModel
import FieldAudit

/// `yes` or `no`.
enum YesNo: String, ExpressibleByArgument, CaseIterable {
    case yes, no
    var bool: Bool { self == .yes }
}
