import AuditModel
import Replication

extension Replica {
    /// Records a control test of `ref` and, in an integrated audit, of the requirements `also`
    /// (of any of the standards) that the same test examined.
    public func recordTest(
        ref: String, also: [String] = [], method: TestMethod, result: TestResult, sample: String?, sampleSize: Int?, population: Int?,
        systems: [String], conclusion: String?, engagement reference: String?
    ) throws(FieldAuditError) -> EntityID {
        let record = try capturing(in: reference, kinds: [.system])
        let requirement = try checkedRefs([ref], in: record)[0]
        var draft = ControlTest.Draft(
            ref: requirement, method: method, result: result, sample: sample, sampleSize: sampleSize, population: population,
            systems: try systemIDs(systems, in: record), conclusion: conclusion)
        draft.alsoRefs = try checkedRefs(also, in: record)
        let writes = try validate { () throws(AuditModelError) in try draft.writes(tester: name) }
        let id = makeEntityID()
        try write(in: record.engagement.id) { writer in try writer.put(writes, entity: id, kind: .test) }
        return id
    }
}
