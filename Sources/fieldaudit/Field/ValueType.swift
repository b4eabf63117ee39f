import ArgumentParser
import FieldAudit

/// The value types the `field set` command can write.
enum ValueType: String, ExpressibleByArgument, CaseIterable {
    case text, integer, real, json, null
}
