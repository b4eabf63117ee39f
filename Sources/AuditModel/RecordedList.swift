import Foundation

/// The JSON arrays an engagement records whole standards and mapping sets in (its `catalogs` and
/// `mappings` fields): the elements this build reads, and those it does not (a newer format a
/// newer build recorded), which every rewrite of the field carries on unchanged, so that an older
/// build adding a standard never removes one (`Sync/PROTOCOL.md` §22.4).
enum RecordedList {
    /// The elements of a recorded array, each as compact JSON with sorted keys; empty when the
    /// text is not a JSON array.
    static func elements(_ json: String) -> [Data] {
        guard let array = (try? JSONSerialization.jsonObject(with: Data(json.utf8))) as? [Any] else { return [] }
        return array.compactMap { try? JSONSerialization.data(withJSONObject: $0, options: [.sortedKeys, .withoutEscapingSlashes]) }
    }

    /// The elements of `json` that `reads` cannot read, as compact JSON, in order.
    static func unread(_ json: String, reads: (Data) -> Bool) -> [String] {
        elements(json).filter { !reads($0) }.map { String(decoding: $0, as: UTF8.self) }
    }

    /// An array of the encoded elements, then the unread ones kept (each once).
    static func encode(_ encoded: [String], keeping unread: [String]) -> String {
        var kept: [String] = []
        for element in unread where !kept.contains(element) { kept.append(element) }
        return "[" + (encoded + kept).joined(separator: ",") + "]"
    }
}
