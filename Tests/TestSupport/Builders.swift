import Replication

/// A replica identity made from a seed, the same on every run.
public func testIdentity(_ seed: UInt64) -> ReplicaIdentity {
    var generator = SeededGenerator(seed: seed)
    return try! ReplicaIdentity(privateKeyBytes: generator.bytes(32))
}

/// An entity id made from a seed, the same on every run.
public func testEntity(_ seed: UInt64, milliseconds: UInt64 = 1_764_000_000_000) -> EntityID {
    var generator = SeededGenerator(seed: seed)
    return EntityID.make(milliseconds: milliseconds, using: &generator)
}
