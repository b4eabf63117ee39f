import AuditStore
