/// A repeatable random number generator (SplitMix64): the same seed gives the same sequence on
/// every machine, so a failing property test names a seed that reproduces it.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) {
        state = seed
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// `count` random bytes.
    public mutating func bytes(_ count: Int) -> [UInt8] {
        (0..<count).map { _ in UInt8.random(in: 0...255, using: &self) }
    }

    /// `true` with probability `probability`.
    public mutating func chance(_ probability: Double) -> Bool {
        Double.random(in: 0..<1, using: &self) < probability
    }
}

/// How many property-test cases to run: `base` times `FIELDAUDIT_PROPERTY_SCALE` (default 1), so
/// `FIELDAUDIT_PROPERTY_SCALE=50 swift test` runs fifty times as many histories locally.
public func propertyRuns(_ base: Int) -> Int {
    let scale = Int(ProcessInfo.processInfo.environment["FIELDAUDIT_PROPERTY_SCALE"] ?? "") ?? 1
    return base * max(1, scale)
}

import Foundation
