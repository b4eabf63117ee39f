// The front door speaks the audit domain's language (`AuditModel`: engagements, interviews,
// findings…) and the replication core's (`Replication`: entity and replica ids, changes, digests),
// so a program that imports `FieldAudit` sees them too, without importing either itself.
// `AuditStore` and `BundleFormat` stay behind the door: what callers need of them (history, search
// hits, verification, bundle inspection, error categories) is `FieldAudit`'s own API.
@_exported import AuditModel
@_exported import Replication
