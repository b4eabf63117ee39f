import Replication

/// A test of a requirement or control: method, sample, result and conclusion.
public struct ControlTest: Hashable, Sendable, Encodable {
    /// The field names a control test's change records use.
    public enum Field: String, CaseIterable {
        case ref, method, sample, sampleSize, population, systems, result, conclusion, tester
        /// The other requirements the same test examined (an integrated audit's test of, say, a
        /// 42001 control and a 27001 control at once): a JSON list of stored references.
        case alsoRefs
    }

    /// The test's entity id, a UUIDv7 minted when it was recorded.
    public let id: EntityID
    /// The requirement or control tested (`A.6.2.8`); empty only if no change ever named one.
    public var ref: String
    /// The other requirements the test examined, as stored references; `nil` when it tested `ref` alone.
    public var alsoRefs: [String]?
    /// Every requirement the test examined: `ref`, then `alsoRefs`.
    public var refs: [String] { [ref] + (alsoRefs ?? []) }
    /// How the auditor tested it; `nil` if not recorded.
    public var method: TestMethod?
    /// What was sampled, in the auditor's words (`25 inference logs from March`).
    public var sample: String?
    /// How many items were examined; never negative, never above `population` when both were recorded.
    public var sampleSize: Int64?
    /// How many items the sample was drawn from.
    public var population: Int64?
    /// Ids of the AI systems sampled.
    public var systems: [String]
    /// What the test concluded; `nil` if not recorded.
    public var result: TestResult?
    /// The auditor's conclusion, in the auditor's words.
    public var conclusion: String?
    /// The tester's name.
    public var tester: String?
    /// Fields edited concurrently and not yet resolved, sorted.
    public var conflicts: [String]

    /// Reads a test from its entity's snapshot, taking each field's winning value.
    ///
    /// Returns `nil` when the snapshot is not a `test` entity or has been deleted.
    init?(_ snapshot: EntitySnapshot) {
        guard snapshot.kind == EntityKind.test.rawValue, !snapshot.deleted else { return nil }
        id = snapshot.id
        ref = snapshot.text(Field.ref.rawValue) ?? ""
        let also = snapshot.strings(Field.alsoRefs.rawValue)
        alsoRefs = also.isEmpty ? nil : also
        method = snapshot.choice(Field.method.rawValue)
        sample = snapshot.text(Field.sample.rawValue)
        sampleSize = snapshot.integer(Field.sampleSize.rawValue)
        population = snapshot.integer(Field.population.rawValue)
        systems = snapshot.strings(Field.systems.rawValue)
        result = snapshot.choice(Field.result.rawValue)
        conclusion = snapshot.text(Field.conclusion.rawValue)
        tester = snapshot.text(Field.tester.rawValue)
        conflicts = snapshot.conflictedFields
    }

    /// What `test record` asks for.
    public struct Draft: Sendable {
        /// The requirement or control tested; the caller checks it against the catalog.
        public var ref: String
        /// The other requirements the same test examined (stored references, checked by the caller).
        public var alsoRefs: [String] = []
        /// How the auditor tested it.
        public var method: TestMethod
        /// What the test concluded.
        public var result: TestResult
        /// What was sampled, in the auditor's words.
        public var sample: String?
        /// How many items were examined; must not be negative or above `population`.
        public var sampleSize: Int?
        /// How many items the sample was drawn from; must not be negative.
        public var population: Int?
        /// The AI systems sampled, as inventory ids.
        public var systems: [EntityID]
        /// The auditor's conclusion.
        public var conclusion: String?

        /// A draft with the required method and result; everything else optional.
        public init(
            ref: String, method: TestMethod, result: TestResult, sample: String? = nil, sampleSize: Int? = nil,
            population: Int? = nil, systems: [EntityID] = [], conclusion: String? = nil
        ) {
            self.ref = ref
            self.method = method
            self.result = result
            self.sample = sample
            self.sampleSize = sampleSize
            self.population = population
            self.systems = systems
            self.conclusion = conclusion
        }

        /// The fields of a new test recorded by `tester` (the auditor's name).
        ///
        /// - Throws: `AuditModelError.sampleLargerThanPopulation`, or `.missing` for a negative size.
        public func writes(tester: String) throws(AuditModelError) -> FieldWrites {
            if let sampleSize, sampleSize < 0 { throw .missing(field: "a non-negative sample size") }
            if let population, population < 0 { throw .missing(field: "a non-negative population") }
            if let sampleSize, let population, sampleSize > population {
                throw .sampleLargerThanPopulation(sample: sampleSize, population: population)
            }
            var writes: FieldWrites = [
                (Field.ref.rawValue, .text(ref)), (Field.method.rawValue, .text(method.rawValue)),
                (Field.result.rawValue, .text(result.rawValue)), (Field.tester.rawValue, .text(tester)),
            ]
            if let sample { writes.append((Field.sample.rawValue, .text(sample))) }
            if let sampleSize { writes.append((Field.sampleSize.rawValue, .integer(Int64(sampleSize)))) }
            if let population { writes.append((Field.population.rawValue, .integer(Int64(population)))) }
            if !systems.isEmpty { writes.append((Field.systems.rawValue, FieldCoding.encodeStrings(systems.map(\.description)))) }
            if let conclusion { writes.append((Field.conclusion.rawValue, .text(conclusion))) }
            let also = alsoRefs.filter { $0 != ref }.reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
            if !also.isEmpty { writes.append((Field.alsoRefs.rawValue, FieldCoding.encodeStrings(also))) }
            return writes
        }
    }
}
