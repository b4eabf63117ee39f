import Replication

extension EntitySnapshot {
    /// The winning value of a field.
    subscript(field: String) -> Value? { fields[field]?.winner.value }

    /// The winning value as text.
    func text(_ field: String) -> String? { self[field]?.text }

    /// The winning value as an integer.
    func integer(_ field: String) -> Int64? { self[field]?.integer }

    /// The winning value as a boolean (false when absent).
    func flag(_ field: String) -> Bool { self[field]?.isTrue ?? false }

    /// The winning value parsed as a closed choice.
    func choice<C: Choice>(_ field: String, as type: C.Type = C.self) -> C? {
        text(field).flatMap { C(rawValue: $0) }
    }

    /// The winning value as a JSON array of strings.
    func strings(_ field: String) -> [String] {
        guard let json = self[field]?.text else { return [] }
        return FieldCoding.decodeStrings(json)
    }

    /// The fields with more than one visible value, sorted.
    var conflictedFields: [String] {
        fields.filter { $0.value.isConflict }.keys.sorted()
    }

    /// The change that wrote the winning value of a field.
    func author(of field: String) -> ReplicaID? { fields[field]?.winner.id.origin }
}

/// How lists travel in fields: as JSON arrays of strings, sorted keys, no extra spaces.
public enum FieldCoding {
    /// A list as a `.json` value: a JSON array of strings, escaped so the text is the same on every
    /// replica (two equal lists always make equal values, hence equal hashes).
    public static func encodeStrings(_ strings: [String]) -> Value {
        let escaped = strings.map { string -> String in
            var out = "\""
            for scalar in string.unicodeScalars {
                switch scalar {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case "\n": out += "\\n"
                case "\r": out += "\\r"
                case "\t": out += "\\t"
                case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
                default: out.unicodeScalars.append(scalar)
                }
            }
            return out + "\""
        }
        return .json("[" + escaped.joined(separator: ",") + "]")
    }

    /// Reads a list written by `encodeStrings`; text that is not a JSON array reads as empty, and
    /// elements that are not strings are left out.
    public static func decodeStrings(_ json: String) -> [String] {
        guard let data = json.data(using: .utf8),
              let array = try? JSONSerialization.jsonObject(with: data) as? [Any]
        else { return [] }
        return array.compactMap { $0 as? String }
    }
}

import Foundation
