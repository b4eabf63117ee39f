import ArgumentParser
import FieldAudit

extension AuditType: ExpressibleByArgument {}

extension TeamRole: ExpressibleByArgument {}

extension TestMethod: ExpressibleByArgument {}

extension TestResult: ExpressibleByArgument {}

extension FindingGrade: ExpressibleByArgument {}

extension AISystemRole: ExpressibleByArgument {}

extension RiskClass: ExpressibleByArgument {}

extension ImplementationStatus: ExpressibleByArgument {}

extension FindingStatus: ExpressibleByArgument {}

extension Recommendation: ExpressibleByArgument {}
