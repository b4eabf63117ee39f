/// The writer's half of an inline-first-use reference table (`Sync/PROTOCOL.md` §13.3).
///
/// The first time a key appears it is written in full (reference 0) and enters the table with its
/// context; later appearances are written as reference r ≥ 1: the key inserted r-th most recently.
/// The table holds at most `capacity` keys: the k-th insertion (from 0) takes slot k mod capacity,
/// evicting what was there, so both sides need bounded memory whatever the bundle's size.
struct ReferenceEncoder<Key: Hashable, Context> {
    let capacity: Int
    private var slots: [(key: Key, context: Context)] = []
    private var slotOf: [Key: Int] = [:]
    private var insertions = 0

    init(capacity: Int) {
        self.capacity = capacity
    }

    /// The reference for `key` and the context it entered with, if the table holds it.
    func lookup(_ key: Key) -> (reference: UInt64, context: Context)? {
        guard let slot = slotOf[key] else { return nil }
        let newest = (insertions - 1) % capacity
        return (UInt64((newest - slot + capacity) % capacity + 1), slots[slot].context)
    }

    /// Enters `key`, just written in full, evicting the oldest entry when the table is full.
    mutating func insert(_ key: Key, context: Context) {
        let slot = insertions % capacity
        if slots.count < capacity {
            slots.append((key, context))
        } else {
            slotOf.removeValue(forKey: slots[slot].key)
            slots[slot] = (key, context)
        }
        slotOf[key] = slot
        insertions += 1
    }
}

extension ReferenceEncoder where Context == Void {
    /// The reference for `key` if the table holds it; otherwise `nil`, and `key` enters the table
    /// (the caller then writes it in full).
    mutating func reference(for key: Key) -> UInt64? {
        if let found = lookup(key) { return found.reference }
        insert(key, context: ())
        return nil
    }
}

/// The reader's half of an inline-first-use reference table; see `ReferenceEncoder`.
struct ReferenceDecoder<Value> {
    let capacity: Int
    private var slots: [Value] = []
    private var insertions = 0

    init(capacity: Int) {
        self.capacity = capacity
    }

    /// The value that reference `reference` (≥ 1) names, or `nil` if it names nothing yet.
    func value(at reference: UInt64) -> Value? {
        guard reference >= 1, reference <= UInt64(min(insertions, capacity)) else { return nil }
        return slots[(insertions - Int(reference)) % capacity]
    }

    /// Enters a value written in full.
    mutating func insert(_ value: Value) {
        if slots.count < capacity {
            slots.append(value)
        } else {
            slots[insertions % capacity] = value
        }
        insertions += 1
    }
}
