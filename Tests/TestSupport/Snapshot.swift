import Foundation
import Testing

/// Compares text with a golden file in `Tests/<suite>/Snapshots/<name>`, or records it when
/// `RECORD_SNAPSHOTS=1`.
public func assertSnapshot(
    _ text: String, named name: String, in directory: String, sourceLocation: SourceLocation = #_sourceLocation
) throws {
    let path = "\(packageRoot)/Tests/\(directory)/Snapshots/\(name)"
    if isRecordingSnapshots {
        try FileManager.default.createDirectory(atPath: "\(packageRoot)/Tests/\(directory)/Snapshots", withIntermediateDirectories: true)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return
    }
    guard let golden = try? String(contentsOfFile: path, encoding: .utf8) else {
        Issue.record("no golden file \(name); run with RECORD_SNAPSHOTS=1 to record it", sourceLocation: sourceLocation)
        return
    }
    #expect(text == golden, "output differs from Snapshots/\(name)", sourceLocation: sourceLocation)
}
