import Replication

/// A test of a requirement or control: method, sample, result and conclusion.
public struct ControlTest: Hashable, Sendable, Encodable {
    public enum Field: String, CaseIterable { case ref, method, sample, sampleSize, population, systems, result, conclusion, tester }

    public let id: EntityID
    public var ref: String
    public var method: TestMethod?
    public var sample: String?
    public var sampleSize: Int64?
    public var population: Int64?
    /// Ids of the AI systems sampled.
    public var systems: [String]
    public var result: TestResult?
    public var conclusion: String?
    /// The tester's name.
    public var tester: String?
    public var conflicts: [String]

    public init?(_ snapshot: EntitySnapshot) {
        guard snapshot.kind == EntityKind.test.rawValue, !snapshot.deleted else { return nil }
        id = snapshot.id
        ref = snapshot.text(Field.ref.rawValue) ?? ""
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
        public var ref: String
        public var method: TestMethod
        public var result: TestResult
        public var sample: String?
        public var sampleSize: Int?
        public var population: Int?
        public var systems: [EntityID]
        public var conclusion: String?

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
            return writes
        }
    }
}
