import Foundation

/// The check report as text, JSON and JUnit XML.
public enum CheckReportFormat {
    public static func json(_ report: CheckReport) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(report) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }

    public static func text(_ report: CheckReport) -> String {
        var lines: [String] = []
        let passed = report.checks.filter { $0.status == .pass }.count
        lines.append("\(report.challenge ?? "no challenge") on \(report.target.rawValue): \(passed)/\(report.checks.count) checks pass (\(report.durationMs) ms)")
        for c in report.checks {
            let mark: String
            switch c.status {
            case .pass: mark = "PASS"
            case .fail: mark = "FAIL"
            case .blocked: mark = "BLOCKED"
            case .error: mark = "ERROR"
            case .pending: mark = "PENDING"
            case .running: mark = "RUNNING"
            }
            lines.append("  \(mark.padding(toLength: 8, withPad: " ", startingAt: 0)) \(c.name.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0)) \(c.message) (\(c.durationMs) ms)")
            if !c.explanation.isEmpty { lines.append("           hint: \(c.explanation)") }
        }
        return lines.joined(separator: "\n")
    }

    /// JUnit XML: one test suite, one test case per check; `fail` is a failure,
    /// `blocked` and `error` are errors.
    public static func junit(_ report: CheckReport) -> String {
        let failures = report.checks.filter { $0.status == .fail }.count
        let errors = report.checks.filter { $0.status == .blocked || $0.status == .error }.count
        let suite = "tfchallenge.\(report.challenge ?? "unknown")"
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        out += "<testsuites name=\"tfchallenge\" tests=\"\(report.checks.count)\" failures=\"\(failures)\" errors=\"\(errors)\" time=\"\(seconds(report.durationMs))\">\n"
        out += "  <testsuite name=\"\(escape(suite))\" tests=\"\(report.checks.count)\" failures=\"\(failures)\" errors=\"\(errors)\" time=\"\(seconds(report.durationMs))\">\n"
        out += "    <properties><property name=\"target\" value=\"\(report.target.rawValue)\"/></properties>\n"
        for c in report.checks {
            out += "    <testcase classname=\"\(escape(suite))\" name=\"\(c.name.rawValue)\" time=\"\(seconds(c.durationMs))\""
            let detail = c.explanation.isEmpty ? c.message : c.message + "\n" + c.explanation
            switch c.status {
            case .pass:
                out += "/>\n"
            case .fail:
                out += ">\n      <failure type=\"\(escape(c.errorCode ?? "fail"))\" message=\"\(escape(c.message))\">\(escape(detail))</failure>\n    </testcase>\n"
            case .blocked, .error, .pending, .running:
                out += ">\n      <error type=\"\(escape(c.errorCode ?? c.status.rawValue))\" message=\"\(escape(c.status.rawValue + ": " + c.message))\">\(escape(detail))</error>\n    </testcase>\n"
            }
        }
        out += "  </testsuite>\n</testsuites>\n"
        return out
    }

    static func seconds(_ ms: Int) -> String { String(format: "%.3f", Double(ms) / 1000) }

    static func escape(_ s: String) -> String {
        var out = ""
        for ch in s.unicodeScalars {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\n": out += "&#10;"
            default:
                // XML 1.0 forbids most control characters.
                if ch.value < 0x20 && ch != "\t" { continue }
                out.unicodeScalars.append(ch)
            }
        }
        return out
    }
}
