import AuditModel
@testable import CatalogFormats
import Foundation
import TestSupport
import Testing

/// Hostile catalog files: each is refused with a message naming the problem, never a crash or a hang.
struct HostileCatalogFileTests {
    /// A library with one framework whose requirement nodes are `nodes` (YAML list items).
    static func library(_ nodes: String, version: String = "1") -> String {
        """
        urn: urn:test:risk:library:hostile
        locale: en
        ref_id: HOSTILE
        name: Hostile
        version: \(version)
        objects:
          framework:
            urn: urn:test:risk:framework:hostile
            ref_id: HOSTILE
            name: Hostile
            requirement_nodes:
        \(nodes)
        """
    }

    static func message(_ text: String) -> String? {
        do {
            _ = try CatalogFile.read(text)
            return nil
        } catch {
            return error.description
        }
    }

    @Test func invalidYAMLIsRefusedWithItsLine() {
        let message = Self.message("urn: a\nobjects: [unclosed\n  framework: {\n")
        #expect(message?.hasPrefix("the catalog cannot be used: it is not valid YAML: ") == true, "\(message ?? "accepted")")
        #expect(message?.contains("line") == true)
    }

    @Test func aCycleInParentURNsIsRefused() {
        let message = Self.message(Self.library("""
                - {urn: 'u:a', ref_id: '1', name: A, assessable: true, parent_urn: 'u:c'}
                - {urn: 'u:b', ref_id: '2', name: B, assessable: true, parent_urn: 'u:a'}
                - {urn: 'u:c', ref_id: '3', name: C, assessable: true, parent_urn: 'u:b'}
            """))
        #expect(message?.contains("leads back to itself (a cycle)") == true, "\(message ?? "accepted")")
        let selfParent = Self.message(Self.library("    - {urn: 'u:a', ref_id: '1', name: A, assessable: true, parent_urn: 'u:a'}"))
        #expect(selfParent?.contains("a cycle") == true, "\(selfParent ?? "accepted")")
    }

    @Test func anUnknownParentIsRefused() {
        let message = Self.message(Self.library("    - {urn: 'u:a', ref_id: '1', name: A, assessable: true, parent_urn: 'u:nowhere'}"))
        #expect(message?.contains("names the parent_urn u:nowhere, which is no node of the framework") == true, "\(message ?? "accepted")")
    }

    @Test func duplicateRefIDsAndURNsAreRefused() {
        let refs = Self.message(Self.library("""
                - {urn: 'u:a', ref_id: '5.1', name: A, assessable: true}
                - {urn: 'u:b', ref_id: '5.1', name: B, assessable: true}
            """))
        #expect(refs == "the catalog cannot be used: the ref_id 5.1 appears twice (nodes u:a and u:b); each requirement auditors cite needs its own")
        let urns = Self.message(Self.library("""
                - {urn: 'u:a', ref_id: '1', name: A, assessable: true}
                - {urn: 'u:a', ref_id: '2', name: B, assessable: true}
            """))
        #expect(urns == "the catalog cannot be used: two requirement nodes have the urn u:a")
    }

    @Test func billionLaughsAliasesAreRefusedBeforeAnythingExpands() {
        var yaml = "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
        for level in 1...12 {
            yaml += "a\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ") + "]\n"
        }
        let message = Self.message(yaml)
        #expect(message?.contains("anchors or aliases") == true, "\(message ?? "accepted")")
        // An alias used as a mapping key: Yams hashes keys while composing, expansion and all, so
        // such a key is refused before Yams sees the text (twelve levels of ten would not end).
        for keyed in [yaml + "? *a12\n: x\n", yaml + "*a12 : x\n", yaml + "b: {*a12 : x}\n"] {
            let message = Self.message(keyed)
            #expect(message?.contains("a YAML alias as a mapping key (line 14)") == true, "\(message ?? "accepted")")
        }
        // Markdown emphasis in text is no alias.
        #expect(Self.message("a: &x R&D\nb: \"*Note:* text\"\nc: |\n  **Bold**: yes\n")?.contains("alias as a mapping key") == false)
    }

    @Test func deepNestingIsRefusedByTheParser() {
        let flow = "objects: " + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(Self.message(flow)?.contains("not valid YAML") == true)
        var block = "objects:\n"
        for level in 1...1_500 { block += String(repeating: " ", count: level) + "k:\n" }
        #expect(Self.message(block)?.contains("not valid YAML") == true)
    }

    @Test func aLongParentChainIsFollowedOnce() throws {
        // 20,000 nodes each the child of the one before: no recursion, no quadratic walk.
        var nodes = "    - {urn: 'u:0', ref_id: 'g', name: G, assessable: false}\n"
        for index in 1...20_000 {
            nodes += "    - {urn: 'u:\(index)', ref_id: 'r\(index)', name: R, assessable: true, parent_urn: 'u:\(index - 1)'}\n"
        }
        let catalog = try CatalogFile.read(Self.library(nodes)).catalog
        #expect(catalog.requirements.count == 20_000)
        #expect(catalog.requirements.allSatisfy { $0.group == "g" })
    }

    @Test func wrongTypesNameTheField() {
        let cases: [(String, String)] = [
            ("    - {urn: 'u:a', ref_id: '1', name: A, assessable: perhaps}", "objects.framework.requirement_nodes[0].assessable must be true or false"),
            ("    - {urn: 'u:a', ref_id: [1, 2], name: A, assessable: true}", "objects.framework.requirement_nodes[0].ref_id must be text, not a list"),
            ("    - {urn: 'u:a', ref_id: '1', name: A, assessable: true, depth: deep}", "objects.framework.requirement_nodes[0].depth must be a whole number"),
            ("    - just text", "objects.framework.requirement_nodes[0] must be a mapping of keys to values, not a single value"),
            ("    - {ref_id: '1', name: A, assessable: true}", "objects.framework.requirement_nodes[0].urn is missing"),
        ]
        for (nodes, expected) in cases {
            #expect(Self.message(Self.library(nodes)) == "the catalog cannot be used: \(expected)")
        }
        #expect(Self.message("objects:\n  framework:\n    urn: u\n    requirement_nodes: lots\nversion: 1\n")
            == "the catalog cannot be used: objects.framework.requirement_nodes must be a list, not a single value")
        #expect(Self.message("- a\n- b\n") == "the catalog cannot be used: the top level must be a mapping of keys to values, not a list")
    }

    @Test func aFieldAuditCatalogWithAnEmptySourceIsRefused() {
        let catalog = #"{"format":"fieldaudit-catalog","version":1,"id":"x","title":"X","groups":[{"ref":"1","title":"G"}],"requirements":[{"ref":"1.1","kind":"clause","group":"1","title":"R"}],"source":{"format":"oscal-catalog","identifier":"","version":"1"}}"#
        #expect(Self.message(catalog) == "the catalog cannot be used: \"source\" needs a format, an identifier and a version")
        #expect(Self.message(catalog.replacingOccurrences(of: #""identifier":"""#, with: #""identifier":"u""#)) == nil)
    }

    @Test func filesThatAreNotFrameworkLibrariesSayWhatTheyAre() {
        #expect(Self.message("") == "the catalog cannot be used: the file is empty")
        #expect(Self.message("title: notes\n") == "the catalog cannot be used: it is YAML but not a CISO Assistant library (it has no `objects`)")
        #expect(Self.message("urn: x\nversion: 1\nobjects:\n  threats: []\n")
            == "the catalog cannot be used: the library holds no framework (it holds threats); only framework libraries can be imported as catalogs")
        #expect(Self.message(Self.library("    - {urn: 'u:a', ref_id: '1', name: A, assessable: true}").replacingOccurrences(of: "version: 1\n", with: ""))
            == "the catalog cannot be used: version is missing: a library's version is part of what the catalog is")
        #expect(Self.message("<catalog/>")?.contains("XML") == true)
        #expect(Self.message("catalog:\n  uuid: x\n")?.contains("OSCAL in YAML") == true)
    }
}
