import AuditModel
import CatalogFormats
import Foundation

extension Replica {
    /// What `importCatalog` did.
    public struct CatalogImport: Sendable {
        /// The catalog as it is stored and engagements use it.
        public var catalog: Catalog
        /// Whether this replica already held the same catalog, same version, same text: nothing was written.
        public var alreadyImported: Bool
        /// The locale asked for when the file has no translation into it (its own text was used).
        public var missingLocale: String?
    }

    /// The catalogs this replica knows: built in, plus those imported into the store directory,
    /// every version of each (ordered by id, then version).
    public func catalogs() -> [Catalog] {
        Self.catalogs(in: location.directory)
    }

    /// The catalogs built in, plus those imported into the store directory `storeDirectory`.
    static func catalogs(in storeDirectory: String) -> [Catalog] {
        let directory = storeDirectory + "/catalogs"
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        let imported = files.filter { $0.hasSuffix(".json") }.sorted().compactMap { name in
            FileManager.default.contents(atPath: directory + "/" + name).flatMap { try? Catalog.decode($0) }
        }
        return Catalog.builtIn + imported.filter { catalog in !Catalog.builtIn.contains { $0.id == catalog.id } }.sorted(by: Catalog.listedBefore)
    }

    /// Imports a catalog file so engagements can audit against it: FieldAudit's own JSON, an OSCAL
    /// catalog, or a CISO Assistant framework library (read in `locale`), recognised by content.
    ///
    /// Each version of a published catalog is kept beside the others (`catalogs/ID@VERSION.json`),
    /// so importing a newer one changes no engagement, which records its catalog whole anyway. A
    /// version already held is written again only if its text is the same.
    ///
    /// - Parameters:
    ///   - id: the id to give a published catalog instead of the one made from its urn or title.
    /// - Throws: `FieldAuditError.unreadableInput` (no such file), `.invalidInput` (larger than
    ///   `CatalogFile.maximumBytes`, not UTF-8), `.model(.invalidCatalog)` naming the first
    ///   problem, or the same id and version already held with other text; nothing is written.
    public func importCatalog(from path: String, locale: String = "en", id: String? = nil) throws(FieldAuditError) -> CatalogImport {
        let text = try InputFile.text(of: path, atMost: CatalogFile.maximumBytes, what: "a catalog file")
        return try store(try validate { () throws(AuditModelError) in try CatalogFile.read(text, locale: locale, id: id) })
    }

    /// What `importLibrary` did: a catalog imported, or a mapping set.
    public enum LibraryImport: Sendable {
        /// A catalog (`importCatalog`).
        case catalog(CatalogImport)
        /// A requirement mapping set, checked against the catalogs of its two frameworks.
        case mappingSet(MappingSetImport)
    }

    /// What importing a mapping set did.
    public struct MappingSetImport: Sendable {
        /// The mapping set as stored.
        public var mappingSet: MappingSet
        /// The catalogs of its source and target frameworks it was checked against.
        public var source: Catalog, target: Catalog
        /// Whether the same version was held already, with the same text: nothing was written.
        public var alreadyImported: Bool
    }

    /// Imports a catalog (as `importCatalog`) or a CISO Assistant requirement mapping set,
    /// recognised by content. A mapping set is checked against the catalogs this replica holds
    /// for its two frameworks (each urn a requirement of them) and stored beside the catalogs
    /// (`mappings/ID@VERSION.json`); engagements that audit both frameworks record it.
    ///
    /// - Throws: what `importCatalog` throws; for a mapping set, `.model(.invalidCatalog)` when a
    ///   framework's catalog is not held, an urn is no requirement of it, or the same version is
    ///   held with other text. Nothing is written then.
    public func importLibrary(from path: String, locale: String = "en", id: String? = nil) throws(FieldAuditError) -> LibraryImport {
        let text = try InputFile.text(of: path, atMost: CatalogFile.maximumBytes, what: "a catalog file")
        switch try validate({ () throws(AuditModelError) in try CatalogFile.readLibrary(text, locale: locale, id: id) }) {
        case let .catalog(reading): return .catalog(try store(reading))
        case let .mappingSet(set): return .mappingSet(try store(set))
        }
    }

    /// The requirement mapping sets imported into this replica, every version (by id, then version).
    public func mappingSets() -> [MappingSet] {
        let directory = location.directory + "/mappings"
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return files.filter { $0.hasSuffix(".json") }.sorted().compactMap { name in
            FileManager.default.contents(atPath: directory + "/" + name).flatMap(MappingSet.decode)
        }
    }

    /// Stores a mapping set once checked against the newest held catalog of each of its frameworks.
    private func store(_ set: MappingSet) throws(FieldAuditError) -> MappingSetImport {
        let held = catalogs()
        func framework(_ urn: String, _ role: String) throws(FieldAuditError) -> Catalog {
            guard let catalog = held.filter({ $0.frameworkURNs.contains(urn) }).max(by: Catalog.listedBefore) else {
                throw .model(.invalidCatalog("the mapping set's \(role) framework \(urn) is no catalog this replica holds; import its library first (`fieldaudit catalog import`)"))
            }
            return catalog
        }
        let source = try framework(set.sourceFramework, "source"), target = try framework(set.targetFramework, "target")
        try validate { () throws(AuditModelError) in try set.validate(source: source, target: target) }
        let directory = location.directory + "/mappings"
        let name = set.qualifiedID.map { $0 == "/" || $0 == "\\" ? "-" : $0 }
        let file = URL(fileURLWithPath: "\(directory)/\(String(name)).json")
        if let stored = FileManager.default.contents(atPath: file.path).flatMap(MappingSet.decode) {
            guard stored == set else {
                throw .model(.invalidCatalog("the mapping set \(set.id) version \(set.edition) is already imported with other text; a published version never changes, so check the file's version"))
            }
            return MappingSetImport(mappingSet: set, source: source, target: target, alreadyImported: true)
        }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try Data(set.encodedJSON().utf8).write(to: file, options: .atomic)
        } catch {
            throw .io(path: directory, reason: error.localizedDescription)
        }
        return MappingSetImport(mappingSet: set, source: source, target: target, alreadyImported: false)
    }

    /// Stores a catalog read from a file (see `importCatalog`).
    private func store(_ reading: CatalogReading) throws(FieldAuditError) -> CatalogImport {
        let catalog = reading.catalog
        if Catalog.builtIn.contains(where: { $0.id == catalog.id }) {
            throw .model(.invalidCatalog("\(catalog.id) is the id of a built-in catalog; import it under another id (--id)"))
        }
        if let other = catalogs().first(where: { $0.id == catalog.id && $0.source?.identifier != catalog.source?.identifier }) {
            throw .model(.invalidCatalog(
                "the id \(catalog.id) is already taken by \(other.source?.identifier ?? other.displayName); import this one under another id (--id)"))
        }
        let directory = location.directory + "/catalogs"
        let name = catalog.qualifiedID.map { $0 == "/" || $0 == "\\" ? "-" : $0 }
        let file = URL(fileURLWithPath: "\(directory)/\(String(name)).json")
        if let held = FileManager.default.contents(atPath: file.path).flatMap({ try? Catalog.decode($0) }), catalog.edition != nil {
            guard held == catalog else {
                throw .model(.invalidCatalog(
                    "\(catalog.id) version \(catalog.edition ?? "") is already imported with other text; a published version never changes, so check the file's version (or import it under another id with --id)"))
            }
            return CatalogImport(catalog: catalog, alreadyImported: true, missingLocale: reading.missingLocale)
        }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try Data(catalog.encodedJSON().utf8).write(to: file, options: .atomic)
        } catch {
            throw .io(path: directory, reason: error.localizedDescription)
        }
        return CatalogImport(catalog: catalog, alreadyImported: false, missingLocale: reading.missingLocale)
    }

    /// The catalog named `reference`: `ID@VERSION` for one version, `ID` for the newest one held
    /// (`Catalog.pick`).
    ///
    /// - Throws: `.notFound` when no catalog has that id and version.
    public func catalog(_ reference: String) throws(FieldAuditError) -> Catalog {
        guard let catalog = Catalog.pick(reference, among: catalogs()) else { throw .notFound(kind: "catalog", id: reference) }
        return catalog
    }
}

extension Replica {
    /// What `addStandard` did.
    public struct StandardAddition: Sendable {
        /// The catalog added (or already audited).
        public var catalog: Catalog
        /// The prefix its references take in this engagement.
        public var prefix: String
        /// Whether the engagement audited it already: nothing was written.
        public var wasAudited: Bool
        /// The mapping sets held that link it to a standard already audited, recorded with it.
        public var mappingSets: [MappingSet] = []
        /// The mapping sets held that link it to a standard already audited but were left out,
        /// each with why (a requirement the audited version lacks).
        public var leftOutMappingSets: [(set: MappingSet, reason: String)] = []
    }

    /// Adds a standard to an engagement, making it an integrated audit: the catalog `reference`
    /// names (`ID` or `ID@VERSION`) is recorded whole in the engagement's `catalogs` field, a
    /// change like any other, which only a lead may write (`Roster`). Nothing recorded changes
    /// meaning: references are stored by catalog id (`Standards`). A standard is never removed.
    ///
    /// - Throws: `.notFound` for an unknown catalog; `.engagementClosed`; `.refused` unless a lead.
    public func addStandard(_ reference: String, engagement: String?) throws(FieldAuditError) -> StandardAddition {
        let record = try capturing(in: engagement)
        let catalog = try catalog(reference)
        guard let writes = Engagement.standardWrites(adding: catalog, to: record.standards) else {
            return StandardAddition(catalog: catalog, prefix: record.standards.prefix(of: catalog), wasAudited: true)
        }
        // The mapping sets held that link the new standard to one already audited are recorded with it.
        var linked = Standards(
            primary: record.standards.primary, others: Array(record.standards.catalogs.dropFirst()) + [catalog], mappingSets: record.standards.mappingSets)
        linked.unreadMappingSets = record.standards.unreadMappingSets
        let mappings = Engagement.mappingWrites(offering: mappingSets(), to: linked)
        try write(in: record.engagement.id) { writer in
            try writer.put(writes + (mappings.writes ?? []), entity: record.engagement.id, kind: .engagement)
        }
        let standards = try self.record(of: record.engagement.id, kinds: []).standards
        return StandardAddition(
            catalog: catalog, prefix: standards.prefix(of: catalog), wasAudited: false, mappingSets: mappings.recorded, leftOutMappingSets: mappings.leftOut)
    }

    /// Records a mapping set this replica holds (`ID` or `ID@VERSION`, the newest version by
    /// default) in an engagement that audits both its frameworks, so every replica shows the same
    /// mapped evidence; a change like any other, a lead's (`Roster`).
    ///
    /// - Returns: the mapping set, and whether it was recorded already (nothing written).
    /// - Throws: `.notFound` for an unknown mapping set; `.model(.invalidCatalog)` when it does not
    ///   link two of the engagement's standards; `.engagementClosed`; `.refused` unless a lead.
    public func addMappingSet(_ reference: String, engagement: String?) throws(FieldAuditError) -> (mappingSet: MappingSet, wasRecorded: Bool) {
        let record = try capturing(in: engagement)
        let held = mappingSets()
        guard let set = held.first(where: { $0.qualifiedID == reference })
            ?? held.filter({ $0.id == reference }).max(by: { $0.edition.compare($1.edition, options: .numeric) == .orderedAscending })
        else { throw .notFound(kind: "mapping set", id: reference) }
        guard let writes = try validate({ () throws(AuditModelError) in try Engagement.mappingWrites(adding: set, to: record.standards) }) else {
            return (set, true)
        }
        try write(in: record.engagement.id) { writer in try writer.put(writes, entity: record.engagement.id, kind: .engagement) }
        return (set, false)
    }
}
