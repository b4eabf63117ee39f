import AuditReports
import Mustache

/// The reviewers' window's Mustache templates and stylesheet, compiled into the binary (the
/// laptop's `fieldaudit` stays one self-contained file).
///
/// Every template starts with the `FIELDAUDIT_HTML` content type, so each `{{value}}` is escaped
/// by the one HTML escaping rule of the report (`HTMLReport.escape`); `{{{…}}}` is used only for
/// `body`, which is itself a rendered template. No template has a script, an inline style or an
/// event attribute, and no attribute takes text from the record except ids the server minted.
enum ReviewTemplates {
    /// The content type every template declares.
    static let contentType = "FIELDAUDIT_HTML"

    /// Mustache's content type for the report's escaping rule.
    struct EscapedHTML: MustacheContentType {
        func escapeText(_ text: String) -> String { HTMLReport.escape(text) }
    }

    /// The templates by name, parsed once (and the content type registered before the first parse).
    static let library: MustacheLibrary = {
        MustacheContentTypes.register(EscapedHTML(), named: contentType)
        var library = MustacheLibrary()
        for (name, text) in sources {
            // A template that does not parse is a programming error the tests catch on first render.
            if let template = try? MustacheTemplate(string: text) { library.register(template, named: name) }
        }
        return library
    }()

    /// Renders the template `name` with `values`, inside the page layout.
    static func page(_ name: String, title: String, reviewer: String?, values: [String: Any], breadcrumbs: [[String: Any]] = []) -> String {
        let body = library.render(values, withTemplate: name) ?? ""
        var layout: [String: Any] = ["title": title, "body": body, "breadcrumbs": breadcrumbs, "hasBreadcrumbs": !breadcrumbs.isEmpty]
        if let reviewer { layout["reviewer"] = reviewer }
        return library.render(layout, withTemplate: "layout") ?? ""
    }

    static let pragma = "{{% CONTENT_TYPE: FIELDAUDIT_HTML}}"

    /// The template texts by name.
    static let sources: [String: String] = [
        "layout": pragma + """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="referrer" content="no-referrer">
            <title>{{title}} · FieldAudit review</title>
            <link rel="stylesheet" href="/review/style.css">
            </head>
            <body>
            <a class="skip" href="#main">Skip to content</a>
            <header class="site">
            <p class="brand"><a href="/review/">FieldAudit · reviewers' window</a> <span class="readonly">read-only</span></p>
            {{#reviewer}}<form class="signout" method="post" action="/review/sign-out"><p>Signed in as <strong>{{reviewer}}</strong> <button type="submit">Sign out</button></p></form>{{/reviewer}}
            </header>
            {{#hasBreadcrumbs}}<nav aria-label="Breadcrumb" class="crumbs"><ol>{{#breadcrumbs}}<li>{{#href}}<a href="{{href}}">{{label}}</a>{{/href}}{{^href}}<span aria-current="page">{{label}}</span>{{/href}}</li>{{/breadcrumbs}}</ol></nav>{{/hasBreadcrumbs}}
            <main id="main">
            {{{body}}}
            </main>
            <footer class="site"><p>Served by the central repository. Everything here was written by the audit team; nothing can be changed from this window.</p></footer>
            </body>
            </html>

            """,
        "message": pragma + """
            <h1>{{heading}}</h1>
            <p>{{message}}</p>
            {{#next}}<p>{{next}}</p>{{/next}}

            """,
        "engagements": pragma + """
            <h1>Engagements you may review</h1>
            {{#hasEngagements}}
            <table>
            <caption>Granted to you until {{expires}}</caption>
            <thead><tr><th scope="col">Client</th><th scope="col">Type</th><th scope="col">Dates</th><th scope="col">Status</th><th scope="col">Id</th></tr></thead>
            <tbody>
            {{#engagements}}<tr><td><a href="/review/e/{{id}}">{{client}}</a></td><td>{{type}}</td><td>{{dates}}</td><td><span class="status status-{{status}}">{{status}}</span></td><td><code>{{short}}</code></td></tr>
            {{/engagements}}
            </tbody>
            </table>
            {{/hasEngagements}}
            {{^hasEngagements}}<p>None of the engagements granted to you has reached the central repository yet.</p>{{/hasEngagements}}

            """,
        "tabs": pragma + """
            <nav aria-label="Engagement" class="tabs"><ul>{{#tabs}}<li><a href="{{href}}"{{#current}} aria-current="page"{{/current}}>{{label}}</a></li>{{/tabs}}</ul></nav>

            """,
        "overview": pragma + """
            <h1>{{client}}</h1>
            {{>tabs}}
            <section aria-labelledby="facts">
            <h2 id="facts">The engagement</h2>
            <dl class="facts">
            {{#facts}}<dt>{{label}}</dt><dd>{{value}}</dd>
            {{/facts}}
            </dl>
            {{#hasAlerts}}<div class="alert" role="note"><ul>{{#alerts}}<li>{{.}}</li>{{/alerts}}</ul></div>{{/hasAlerts}}
            </section>
            <section aria-labelledby="team">
            <h2 id="team">The audit team</h2>
            <table>
            <thead><tr><th scope="col">Name</th><th scope="col">Role</th><th scope="col">Replica</th></tr></thead>
            <tbody>{{#members}}<tr><td>{{name}}</td><td>{{role}}</td><td><code>{{replica}}</code></td></tr>
            {{/members}}</tbody>
            </table>
            </section>
            <section aria-labelledby="plan">
            <h2 id="plan">The plan</h2>
            {{#hasPlanFacts}}<dl class="facts">
            {{#planFacts}}<dt>{{label}}</dt><dd>{{value}}</dd>
            {{/planFacts}}
            </dl>{{/hasPlanFacts}}
            {{#hasSessions}}
            <table class="plan">
            <caption>Sessions and meetings (times in the site's zone), with what the team recorded on each session's day</caption>
            <thead><tr><th scope="col">When</th><th scope="col">What</th><th scope="col">Where</th><th scope="col">Auditee function</th><th scope="col">Requirements</th><th scope="col">Auditors</th><th scope="col">Attendees</th><th scope="col">Progress</th></tr></thead>
            <tbody>{{#sessions}}<tr><td>{{when}}</td><td>{{what}}</td><td>{{where}}</td><td>{{function}}</td><td>{{refs}}</td><td>{{auditors}}</td><td>{{attendees}}</td><td>{{progress}}</td></tr>
            {{/sessions}}</tbody>
            </table>
            {{/hasSessions}}
            {{#hasStage1}}
            <table class="stage1">
            <caption>Stage 1 open points and their follow-up</caption>
            <thead><tr><th scope="col">Stage 1 open point</th><th scope="col">How Stage 2 followed it up</th></tr></thead>
            <tbody>{{#stage1}}<tr><td>{{point}}</td><td>{{followUp}}</td></tr>
            {{/stage1}}</tbody>
            </table>
            {{/hasStage1}}
            {{^hasPlan}}<p>No audit plan is recorded beyond the scope, sites and dates above; interviews held are listed below.</p>{{/hasPlan}}
            {{#hasInterviews}}
            <table>
            <caption>Interviews</caption>
            <thead><tr><th scope="col">Who</th><th scope="col">Topics</th><th scope="col">By</th><th scope="col">When</th><th scope="col">Notes</th></tr></thead>
            <tbody>{{#interviews}}<tr><td>{{who}}</td><td>{{topics}}</td><td>{{by}}</td><td>{{when}}</td><td>{{notes}}</td></tr>
            {{/interviews}}</tbody>
            </table>
            {{/hasInterviews}}
            </section>
            <section aria-labelledby="coverage">
            <h2 id="coverage">Coverage</h2>
            <p>{{coverageSummary}}</p>
            <table class="coverage">
            <thead><tr><th scope="col">Requirement</th><th scope="col">Title</th><th scope="col">Applies</th><th scope="col">State</th><th scope="col">Examined</th><th scope="col">Concluded</th><th scope="col">By</th></tr></thead>
            <tbody>{{#coverage}}<tr class="state-{{state}}"><th scope="row">{{ref}}</th><td>{{title}}</td><td>{{applies}}</td><td>{{state}}</td><td>{{examined}}</td><td>{{result}}</td><td>{{by}}</td></tr>
            {{/coverage}}</tbody>
            </table>
            </section>

            """,
        "findings": pragma + """
            <h1>Findings · {{client}}</h1>
            {{>tabs}}
            {{^hasFindings}}<p>No finding has been raised.</p>{{/hasFindings}}
            {{#findings}}
            <article class="finding" id="finding-{{short}}" aria-labelledby="finding-{{short}}-title">
            <h2 id="finding-{{short}}-title">{{#hasLabel}}{{label}} · {{/hasLabel}}Finding {{short}}: {{grade}} — {{refs}}</h2>
            {{#changedSinceSignOff}}<p class="alert">Changed since sign-off: the lead's sign-off no longer stands.</p>{{/changedSinceSignOff}}
            {{#hasConflicts}}<p class="alert">Fields in conflict: {{conflicts}}. Every value is on the <a href="/review/e/{{engagement}}/conflicts">conflicts page</a>.</p>{{/hasConflicts}}
            <dl class="facts">
            <dt>Statement</dt><dd>{{#statements}}<p>{{.}}</p>{{/statements}}</dd>
            <dt>Objective evidence</dt><dd>{{objectiveEvidence}}</dd>
            <dt>Evidence files</dt><dd>{{#hasEvidence}}<ul>{{#evidence}}<li><a href="/review/e/{{engagement}}/evidence/{{id}}" download>{{name}}</a> <span class="muted">({{size}})</span></li>{{/evidence}}</ul>{{/hasEvidence}}{{^hasEvidence}}none linked{{/hasEvidence}}</dd>
            <dt>Evidence on its requirements</dt><dd>{{#hasRequirementEvidence}}<ul>{{#requirementEvidence}}<li><a href="/review/e/{{engagement}}/evidence/{{id}}" download>{{name}}</a> <span class="muted">({{size}})</span></li>{{/requirementEvidence}}</ul>{{/hasRequirementEvidence}}{{^hasRequirementEvidence}}none{{/hasRequirementEvidence}}</dd>
            <dt>Discussed with the auditee</dt><dd>{{discussed}}</dd>
            <dt>Auditee's position</dt><dd>{{position}}</dd>
            <dt>Raised by</dt><dd>{{raisedBy}}</dd>
            <dt>Status</dt><dd>{{status}}</dd>
            <dt>Grade justification</dt><dd>{{justification}}</dd>
            <dt>Sign-off</dt><dd>{{signOff}}</dd>
            {{#hasMerged}}<dt>Merged from</dt><dd><ul>{{#merged}}<li>{{.}}</li>{{/merged}}</ul></dd>{{/hasMerged}}
            </dl>
            {{#isNonconformity}}
            <section class="follow-up" aria-label="Follow-up">
            <h3>Follow-up{{#hasLabel}} of {{label}}{{/hasLabel}}</h3>
            <dl class="facts">
            <dt>Deadline</dt><dd>{{deadline}}</dd>
            <dt>State</dt><dd>{{state}}</dd>
            <dt>Correction</dt><dd>{{correction}}</dd>
            <dt>Root cause</dt><dd>{{rootCause}}</dd>
            <dt>Verification of closure</dt><dd>{{verification}}</dd>
            </dl>
            {{#hasActions}}
            <table class="actions">
            <caption>Corrective actions</caption>
            <thead><tr><th scope="col">Action</th><th scope="col">Owner</th><th scope="col">Due</th><th scope="col">Done</th></tr></thead>
            <tbody>{{#actions}}<tr><td>{{action}}</td><td>{{owner}}</td><td>{{due}}{{#overdue}} <strong>(overdue)</strong>{{/overdue}}</td><td>{{done}}</td></tr>
            {{/actions}}</tbody>
            </table>
            {{/hasActions}}
            {{^hasActions}}<p>No corrective-action plan is recorded yet.</p>{{/hasActions}}
            </section>
            {{/isNonconformity}}
            <p><a href="/review/e/{{engagement}}/history/{{id}}">History of this finding</a></p>
            </article>
            {{/findings}}

            """,
        "evidence": pragma + """
            <h1>Evidence · {{client}}</h1>
            {{>tabs}}
            <p>Every file is downloaded through the central, checked against its SHA-256 as it is sent; none is shown in the browser.</p>
            {{^hasEvidence}}<p>No evidence has been captured.</p>{{/hasEvidence}}
            {{#hasEvidence}}
            <table>
            <thead><tr><th scope="col">File</th><th scope="col">Description</th><th scope="col">Supports</th><th scope="col">Captured</th><th scope="col">Size</th><th scope="col">SHA-256</th></tr></thead>
            <tbody>{{#evidence}}<tr><td>{{#held}}<a href="/review/e/{{engagement}}/evidence/{{id}}" download>{{name}}</a>{{/held}}{{^held}}{{name}} <span class="muted">(not held by the central)</span>{{/held}}</td><td>{{description}}</td><td>{{supports}}</td><td>{{capturedBy}} {{capturedAt}}</td><td>{{size}}</td><td><code class="digest">{{digest}}</code> <a href="/review/e/{{engagement}}/history/{{id}}">history</a></td></tr>
            {{/evidence}}</tbody>
            </table>
            {{/hasEvidence}}

            """,
        "conflicts": pragma + """
            <h1>Conflicts and late changes · {{client}}</h1>
            {{>tabs}}
            <section aria-labelledby="open-conflicts">
            <h2 id="open-conflicts">Open conflicts</h2>
            {{^hasConflicts}}<p>No field is in conflict.</p>{{/hasConflicts}}
            {{#conflicts}}
            <article class="conflict">
            <h3>{{kind}} <code>{{short}}</code>, field <code>{{field}}</code></h3>
            <table>
            <thead><tr><th scope="col">#</th><th scope="col">Value</th><th scope="col">Author</th><th scope="col">When</th><th scope="col">Change</th></tr></thead>
            <tbody>{{#values}}<tr><td>{{number}}</td><td class="value">{{value}}</td><td>{{author}}</td><td>{{when}}</td><td><code>{{change}}</code></td></tr>
            {{/values}}</tbody>
            </table>
            <p><a href="/review/e/{{engagement}}/history/{{id}}">History of this {{kind}}</a></p>
            </article>
            {{/conflicts}}
            </section>
            <section aria-labelledby="late">
            <h2 id="late">Changes that arrived after closing</h2>
            {{^hasLate}}<p>None.</p>{{/hasLate}}
            {{#hasLate}}
            <table>
            <thead><tr><th scope="col">Change</th><th scope="col">Author</th><th scope="col">When</th><th scope="col">Entity</th><th scope="col">Field</th><th scope="col">Value</th></tr></thead>
            <tbody>{{#late}}<tr><td><code>{{change}}</code></td><td>{{author}}</td><td>{{when}}</td><td><a href="/review/e/{{engagement}}/history/{{id}}">{{kind}} {{short}}</a></td><td>{{field}}</td><td class="value">{{value}}</td></tr>
            {{/late}}</tbody>
            </table>
            {{/hasLate}}
            </section>

            """,
        "history": pragma + """
            <h1>{{heading}} · {{client}}</h1>
            {{>tabs}}
            <p>{{explanation}}</p>
            <table class="history">
            <thead><tr><th scope="col">When</th><th scope="col">Who</th><th scope="col">From replica</th><th scope="col">Change</th><th scope="col">Entity</th><th scope="col">Field</th><th scope="col">Value</th></tr></thead>
            <tbody>{{#entries}}<tr><td>{{when}}</td><td>{{author}}</td><td><code>{{origin}}</code></td><td><code>{{change}}</code></td><td><a href="/review/e/{{engagement}}/history/{{id}}">{{kind}} {{short}}</a></td><td>{{field}}</td><td class="value">{{value}}</td></tr>
            {{/entries}}</tbody>
            </table>

            """,
        "downloads": pragma + """
            <h1>Report and downloads · {{client}}</h1>
            {{>tabs}}
            <ul class="downloads">
            <li><a href="/review/e/{{engagement}}/report">The audit report (HTML, print-ready)</a></li>
            <li><a href="/review/e/{{engagement}}/oscal.json" download>OSCAL assessment results (JSON)</a></li>
            {{#tables}}<li><a href="/review/e/{{engagement}}/csv/{{name}}" download>{{name}}</a> (CSV)</li>
            {{/tables}}
            </ul>

            """,
    ]

    /// The stylesheet, served at `/review/style.css` (the pages have no inline style): system
    /// fonts, visible focus, and a print layout without navigation.
    static let stylesheet = """
        :root { color-scheme: light; --ink: #1b1f24; --muted: #57606a; --rule: #d0d7de; --accent: #0b5cad; --alert: #9a3412; --alert-bg: #fff4e5; }
        html { font-family: "DejaVu Sans", "Helvetica Neue", Arial, sans-serif; font-size: 15px; color: var(--ink); background: #fff; }
        body { max-width: 78em; margin: 0 auto; padding: 0 1.5em 2em; line-height: 1.45; }
        a { color: var(--accent); }
        a:focus, button:focus { outline: 3px solid #f59e0b; outline-offset: 2px; }
        .skip { position: absolute; left: -999em; }
        .skip:focus { left: 1em; top: 1em; background: #fff; padding: 0.3em 0.6em; }
        header.site { display: flex; justify-content: space-between; align-items: baseline; border-bottom: 3px solid var(--ink); margin-bottom: 0.8em; flex-wrap: wrap; }
        header.site p { margin: 0.6em 0; }
        .brand a { color: var(--ink); font-weight: bold; text-decoration: none; }
        .readonly { font-size: 0.8em; color: var(--muted); border: 1px solid var(--rule); border-radius: 3px; padding: 0 0.3em; margin-left: 0.4em; }
        button { font: inherit; padding: 0.15em 0.6em; }
        nav.crumbs ol { list-style: none; padding: 0; margin: 0 0 0.6em; display: flex; flex-wrap: wrap; gap: 0.4em; color: var(--muted); }
        nav.crumbs li + li::before { content: "›"; margin-right: 0.4em; }
        nav.tabs ul { list-style: none; padding: 0; margin: 0.4em 0 1em; display: flex; flex-wrap: wrap; gap: 0.3em; border-bottom: 1px solid var(--rule); }
        nav.tabs a { display: block; padding: 0.3em 0.8em; text-decoration: none; border: 1px solid var(--rule); border-bottom: none; border-radius: 4px 4px 0 0; }
        nav.tabs a[aria-current="page"] { background: var(--ink); color: #fff; }
        h1 { font-size: 1.6em; margin: 0.4em 0 0.3em; }
        h2 { font-size: 1.25em; margin: 1.4em 0 0.5em; border-bottom: 1px solid var(--rule); }
        h3 { font-size: 1.05em; }
        table { border-collapse: collapse; width: 100%; margin: 0.5em 0 1em; font-size: 0.92em; }
        caption { text-align: left; color: var(--muted); padding-bottom: 0.3em; }
        th, td { border: 1px solid var(--rule); padding: 0.25em 0.45em; text-align: left; vertical-align: top; overflow-wrap: anywhere; }
        thead th { background: #f6f8fa; }
        td.value { white-space: pre-wrap; }
        dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 0.25em 1.2em; }
        dl.facts dt { font-weight: bold; color: var(--muted); }
        dl.facts dd { margin: 0; white-space: pre-wrap; overflow-wrap: anywhere; }
        dl.facts dd p { margin: 0 0 0.3em; }
        code { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 0.9em; }
        code.digest { font-size: 0.75em; word-break: break-all; }
        .muted { color: var(--muted); }
        .alert { border: 2px solid var(--alert); background: var(--alert-bg); border-radius: 6px; padding: 0.4em 1em; }
        .status { border-radius: 3px; padding: 0 0.4em; border: 1px solid var(--rule); }
        .status-closed { background: #e6f4ea; }
        .status-active { background: #e8f0fe; }
        tr.state-not-examined td, tr.state-not-examined th { color: var(--muted); }
        tr.state-concluded th { border-left: 4px solid #2da44e; }
        tr.state-examined th { border-left: 4px solid #d4a72c; }
        article.finding, article.conflict { border-top: 1px solid var(--rule); margin-top: 1em; }
        footer.site { margin-top: 2em; border-top: 1px solid var(--rule); color: var(--muted); font-size: 0.85em; }
        @media print {
          html { font-size: 10pt; }
          body { max-width: none; padding: 0; }
          .skip, form.signout, nav.tabs, nav.crumbs, footer.site { display: none; }
          a { color: inherit; text-decoration: none; }
          thead { display: table-header-group; }
          tr, article.finding { break-inside: avoid; }
          h1, h2, h3 { break-after: avoid; }
        }
        """
}
