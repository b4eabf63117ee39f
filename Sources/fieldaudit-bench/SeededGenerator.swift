import Replication

/// A repeatable random number generator (SplitMix64), so every run builds the same workload.
///
/// A copy of `Tests/TestSupport/SeededGenerator.swift`: the bench cannot depend on the test target.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// `count` random bytes.
    mutating func bytes(_ count: Int) -> [UInt8] {
        (0..<count).map { _ in UInt8.random(in: 0...255, using: &self) }
    }

    /// `count` random printable ASCII characters (space through `~`).
    mutating func printableText(_ count: Int) -> String {
        let utf8 = (0..<count).map { _ in UInt8.random(in: 0x20...0x7E, using: &self) }
        return String(decoding: utf8, as: UTF8.self)
    }
}

/// A replica identity made from a seed, the same on every run (as `testIdentity` in the tests).
func benchIdentity(_ seed: UInt64) -> ReplicaIdentity {
    var generator = SeededGenerator(seed: seed)
    return try! ReplicaIdentity(privateKeyBytes: generator.bytes(32))
}
