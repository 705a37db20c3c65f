import Foundation
import Testing
@testable import TerraformRunner

@Suite struct LineSplitterTests {
    @Test func linesSpanningChunksAndCRLF() {
        var s = LineSplitter()
        #expect(s.feed(Array("ab".utf8)).isEmpty)
        #expect(s.feed(Array("c\r\nde\nf".utf8)) == ["abc", "de"])
        #expect(s.feed(Array("g".utf8)).isEmpty)
        #expect(s.finish() == ["fg"])
        #expect(s.finish().isEmpty)
    }

    @Test func everyByteSplitGivesTheSameLines() {
        let text = Array("{\"a\":1}\r\n\nplain é line\nlast".utf8)
        var whole = LineSplitter()
        let expected = whole.feed(text) + whole.finish()
        #expect(expected == ["{\"a\":1}", "", "plain é line", "last"])
        for cut in 0...text.count {
            var s = LineSplitter()
            let got = s.feed(text[..<cut]) + s.feed(text[cut...]) + s.finish()
            #expect(got == expected, "cut at \(cut)")
        }
    }

    @Test func hugeLineIsCappedWithANoteAndTheNextLineSurvives() {
        var s = LineSplitter(maxLineBytes: 10)
        let lines = s.feed(Array(String(repeating: "x", count: 25).utf8)) + s.feed(Array("\nok\n".utf8))
        #expect(lines.count == 2)
        #expect(lines[0].hasPrefix("xxxxxxxxxx [line truncated: 25 bytes"))
        #expect(lines[1] == "ok")
    }

    @Test func invalidUTF8IsDecodedLossily() {
        var s = LineSplitter()
        let lines = s.feed([0x61, 0xFF, 0xFE, 0x62, 0x0A])
        #expect(lines == ["a\u{FFFD}\u{FFFD}b"])
    }
}

@Suite struct TerraformDecoderTests {
    // Lines as terraform 1.11 prints them.
    static let plannedChange = #"{"@level":"info","@message":"aws_kms_key.k: Plan to create","@module":"terraform.ui","change":{"resource":{"addr":"aws_kms_key.k","module":"","resource":"aws_kms_key.k","implied_provider":"aws","resource_type":"aws_kms_key","resource_name":"k","resource_key":null},"action":"create"},"type":"planned_change"}"#

    @Test(arguments: [
        (#"{"@level":"info","@message":"Terraform 1.11.4","terraform":"1.11.4","type":"version","ui":"1.2"}"#,
         TerraformEvent.version(terraform: "1.11.4", ui: "1.2")),
        (#"{"@level":"info","@message":"Initializing provider plugins...","message_code":"x","type":"init_output"}"#,
         .log(level: .info, message: "Initializing provider plugins...")),
        (#"{"@level":"warn","@message":"careful","type":"log"}"#, .log(level: .warn, message: "careful")),
        (plannedChange, .plannedChange(address: "aws_kms_key.k", action: "create")),
        (#"{"@level":"info","@message":"Plan: 2 to add, 0 to change, 0 to destroy.","changes":{"add":2,"change":0,"import":0,"remove":0,"operation":"plan"},"type":"change_summary"}"#,
         .changeSummary(ChangeSummary(add: 2, change: 0, remove: 0, operation: "plan"))),
        (#"{"@level":"info","@message":"b: Creating...","hook":{"resource":{"addr":"aws_s3_bucket.b"},"action":"create"},"type":"apply_start"}"#,
         .applyStart(address: "aws_s3_bucket.b", action: "create")),
        (#"{"@level":"info","@message":"b: Still creating...","hook":{"resource":{"addr":"aws_s3_bucket.b"},"action":"create","elapsed_seconds":10},"type":"apply_progress"}"#,
         .applyProgress(address: "aws_s3_bucket.b", action: "create", elapsed: 10)),
        (#"{"@level":"info","@message":"b: Creation complete","hook":{"resource":{"addr":"aws_s3_bucket.b"},"action":"create","id_key":"id","id_value":"rx","elapsed_seconds":3},"type":"apply_complete"}"#,
         .applyComplete(address: "aws_s3_bucket.b", action: "create", id: "rx", elapsed: 3)),
        (#"{"@level":"info","@message":"b: Creation errored","hook":{"resource":{"addr":"aws_s3_bucket.b"},"action":"create","elapsed_seconds":1},"type":"apply_errored"}"#,
         .applyErrored(address: "aws_s3_bucket.b", action: "create", elapsed: 1)),
        (#"{"@level":"info","@message":"b: Refreshing state...","hook":{"resource":{"addr":"aws_s3_bucket.b"},"id_key":"id","id_value":"rx"},"type":"refresh_start"}"#,
         .refreshStart(address: "aws_s3_bucket.b")),
        (#"{"@level":"info","@message":"drift","change":{"resource":{"addr":"aws_s3_bucket.b"},"action":"update"},"type":"resource_drift"}"#,
         .resourceDrift(address: "aws_s3_bucket.b", action: "update")),
        (#"{"@level":"info","@message":"Something new","type":"brand_new_type"}"#,
         .message(type: "brand_new_type", level: .info, text: "Something new")),
        ("not json at all", .raw("not json at all")),
        ("{\"truncated\": ", .raw("{\"truncated\": ")),
        (#"{"no_type": 1}"#, .raw(#"{"no_type": 1}"#)),
    ])
    func decodesEachMessageType(line: String, expected: TerraformEvent) {
        #expect(TerraformDecoder.decode(line: line) == expected)
    }

    @Test func diagnosticCarriesFileAndLines() {
        let line = #"{"@level":"error","@message":"Error: Unclosed configuration block","diagnostic":{"severity":"error","summary":"Unclosed configuration block","detail":"There is no closing brace.","range":{"filename":"broken.tf","start":{"line":3,"column":14,"byte":13},"end":{"line":4,"column":15,"byte":14}},"snippet":{"context":"resource \"x\"","code":"resource \"x\" {","start_line":3}},"type":"diagnostic"}"#
        guard case let .diagnostic(d) = TerraformDecoder.decode(line: line) else {
            Issue.record("not a diagnostic")
            return
        }
        #expect(d == Diagnostic(severity: .error, summary: "Unclosed configuration block",
                                detail: "There is no closing brace.", filename: "broken.tf", startLine: 3,
                                startColumn: 14, endLine: 4, endColumn: 15, snippet: "resource \"x\" {"))
    }

    @Test func outputDocumentKeepsSensitiveValuesInMemoryOnly() throws {
        let doc = """
        {"name": {"sensitive": false, "type": "string", "value": "rx-bucket"},
         "secret": {"sensitive": true, "type": "string", "value": "hush-hush"},
         "n": {"sensitive": false, "type": "number", "value": 3}}
        """
        guard case let .outputs(outs)? = TerraformDecoder.decodeOutputDocument(doc) else {
            Issue.record("not outputs")
            return
        }
        #expect(outs["name"]?.stringValue == "rx-bucket")
        #expect(outs["n"]?.valueJSON == "3")
        #expect(outs["secret"]?.stringValue == "hush-hush")
        let encoded = String(decoding: try JSONEncoder().encode(TerraformEvent.outputs(outs)), as: UTF8.self)
        #expect(!encoded.contains("hush-hush"))
        #expect(encoded.contains("rx-bucket"))
        let rendered = TerraformRenderer.text([.outputs(outs)])
        #expect(!rendered.contains("hush-hush"))
        #expect(rendered.contains("secret = (sensitive value)"))
        #expect(rendered.contains("name = \"rx-bucket\""))
        #expect(TerraformDecoder.decodeOutputDocument("not json") == nil)
    }

    @Test func validateDocumentGivesDiagnosticsOrSuccess() {
        let bad = #"{"format_version":"1.0","valid":false,"error_count":1,"warning_count":0,"diagnostics":[{"severity":"error","summary":"Missing name for resource","detail":"All resource blocks must have 2 labels (type, name).","range":{"filename":"broken.tf","start":{"line":1,"column":14,"byte":13},"end":{"line":1,"column":15,"byte":14}}}]}"#
        let events = TerraformDecoder.decodeValidateDocument(bad)
        #expect(events?.count == 1)
        if case let .diagnostic(d)? = events?.first { #expect(d.filename == "broken.tf" && d.startLine == 1) }
        let good = #"{"format_version":"1.0","valid":true,"error_count":0,"warning_count":0,"diagnostics":[]}"#
        #expect(TerraformDecoder.decodeValidateDocument(good) == [.log(level: .info, message: "Success! The configuration is valid.")])
    }

    @Test func eventsRoundTripThroughCodable() throws {
        let events: [TerraformEvent] = [
            .version(terraform: "1.11.4", ui: "1.2"), .plannedChange(address: "a.b", action: "create"),
            .changeSummary(ChangeSummary(add: 1, change: 2, remove: 3, operation: "plan")),
            .diagnostic(Diagnostic(severity: .warning, summary: "s", filename: "f.tf", startLine: 2)),
            .outputs(["x": OutputValue(sensitive: false, typeJSON: "\"string\"", valueJSON: "\"v\"")]),
            .raw("r"), .stderr("e"), .exited(code: 1),
        ]
        let data = try JSONEncoder().encode(events)
        #expect(try JSONDecoder().decode([TerraformEvent].self, from: data) == events)
    }
}

@Suite struct TerraformRendererTests {
    @Test(arguments: [
        (TerraformEvent.changeSummary(ChangeSummary(add: 2, change: 1, remove: 0, operation: "plan")),
         "Plan: 2 to add, 1 to change, 0 to destroy."),
        (.changeSummary(ChangeSummary(add: 0, change: 0, remove: 0, operation: "plan")),
         "No changes. Your infrastructure matches the configuration."),
        (.changeSummary(ChangeSummary(add: 2, change: 0, remove: 0, operation: "apply")),
         "Apply complete! Resources: 2 added, 0 changed, 0 destroyed."),
        (.changeSummary(ChangeSummary(add: 0, change: 0, remove: 3, operation: "destroy")),
         "Destroy complete! Resources: 3 destroyed."),
        (.plannedChange(address: "aws_s3_bucket.b", action: "create"), "  # aws_s3_bucket.b will be created"),
        (.plannedChange(address: "aws_iam_role.r", action: "replace"), "  # aws_iam_role.r must be replaced"),
        (.applyStart(address: "aws_s3_bucket.b", action: "create"), "aws_s3_bucket.b: Creating..."),
        (.applyProgress(address: "aws_s3_bucket.b", action: "delete", elapsed: 10),
         "aws_s3_bucket.b: Still destroying... [10s elapsed]"),
        (.applyComplete(address: "aws_s3_bucket.b", action: "create", id: "rx", elapsed: 3),
         "aws_s3_bucket.b: Creation complete after 3s [id=rx]"),
        (.applyErrored(address: "aws_s3_bucket.b", action: "update", elapsed: 1),
         "aws_s3_bucket.b: Modifications errored after 1s"),
        (.exited(code: 0), ""),
        (.exited(code: 1), "terraform exited with status 1"),
    ])
    func rendersLikeTerraform(event: TerraformEvent, text: String) {
        #expect(TerraformRenderer.text([event]) == text)
    }

    @Test func diagnosticBoxNamesFileAndLine() {
        let d = Diagnostic(severity: .error, summary: "Unsupported argument", detail: "An argument named \"x\" is not expected here.",
                           filename: "main.tf", startLine: 12, snippet: "  x = 1")
        let text = TerraformRenderer.text([.diagnostic(d)])
        #expect(text == """
        ╷
        │ Error: Unsupported argument
        │
        │   on main.tf line 12:
        │    12:   x = 1
        │
        │ An argument named "x" is not expected here.
        ╵
        """)
        #expect(TerraformRenderer.render(.diagnostic(d)).allSatisfy { $0.style == .error })
    }

    @Test func planOutputsShowActionsAndHideSensitive() {
        let text = TerraformRenderer.text([.outputs([
            "name": OutputValue(sensitive: false, action: "create"),
            "secret": OutputValue(sensitive: true, action: "create"),
            "same": OutputValue(sensitive: false, action: "noop"),
        ])])
        #expect(text == "\nChanges to Outputs:\n  + name\n  + secret = (sensitive value)")
    }

    @Test func sensitiveValueNeverRenderedEvenWhenKnown() {
        let o = OutputValue(sensitive: true, typeJSON: "\"string\"", valueJSON: "\"s3cr3t\"")
        #expect(TerraformRenderer.valueText(o) == "(sensitive value)")
        #expect(!TerraformRenderer.text([.outputs(["k": o])]).contains("s3cr3t"))
    }
}
