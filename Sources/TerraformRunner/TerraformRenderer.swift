/// One line of human-readable terraform output, with a style the panes map to colours
/// and the headless commands print as plain text.
public struct RenderedLine: Sendable, Equatable {
    public enum Style: String, Sendable, Equatable {
        case plain, dim, bold, added, changed, removed, error, warning, success
    }

    public var text: String
    public var style: Style

    public init(_ text: String, _ style: Style = .plain) {
        self.text = text
        self.style = style
    }
}

/// Renders terraform events as text close to terraform's own human output.
/// Sensitive output values are always shown as `(sensitive value)`.
public enum TerraformRenderer {
    public static let sensitivePlaceholder = "(sensitive value)"

    public static func render(_ event: TerraformEvent) -> [RenderedLine] {
        switch event {
        case let .version(terraform, _):
            return [RenderedLine("Terraform \(terraform)", .dim)]
        case let .log(level, message):
            let style: RenderedLine.Style = level == .error ? .error : level == .warn ? .warning : .plain
            return message.split(separator: "\n", omittingEmptySubsequences: false).map { RenderedLine(String($0), style) }
        case let .plannedChange(address, action):
            return [RenderedLine("  # \(address) \(plannedPhrase(action))", actionStyle(action))]
        case let .resourceDrift(address, action):
            return [RenderedLine("  # \(address) \(driftPhrase(action))", .changed)]
        case let .changeSummary(s):
            return [summaryLine(s)]
        case let .refreshStart(address):
            return [RenderedLine("\(address): Refreshing state...")]
        case .refreshComplete:
            return []
        case let .applyStart(address, action):
            return [RenderedLine("\(address): \(verbs(action).ing)...")]
        case let .applyProgress(address, action, elapsed):
            return [RenderedLine("\(address): Still \(verbs(action).ing.lowercased())... [\(elapsed)s elapsed]", .dim)]
        case let .applyComplete(address, action, id, elapsed):
            let idPart = id.map { " [id=\($0)]" } ?? ""
            return [RenderedLine("\(address): \(verbs(action).noun) complete after \(elapsed)s\(idPart)", .success)]
        case let .applyErrored(address, action, elapsed):
            return [RenderedLine("\(address): \(verbs(action).noun) errored after \(elapsed)s", .error)]
        case let .diagnostic(d):
            return diagnosticLines(d)
        case let .outputs(outputs):
            return outputLines(outputs)
        case let .message(_, level, text):
            guard !text.isEmpty else { return [] }
            let style: RenderedLine.Style = level == .error ? .error : level == .warn ? .warning : .plain
            return text.split(separator: "\n", omittingEmptySubsequences: false).map { RenderedLine(String($0), style) }
        case let .raw(line):
            return [RenderedLine(line)]
        case let .stderr(line):
            return [RenderedLine(line, .error)]
        case let .exited(code):
            return code == 0 ? [] : [RenderedLine("terraform exited with status \(code)", .error)]
        }
    }

    /// Renders a sequence of events as plain text, one line each.
    public static func text(_ events: [TerraformEvent]) -> String {
        events.flatMap(render).map(\.text).joined(separator: "\n")
    }

    static func plannedPhrase(_ action: String) -> String {
        switch action {
        case "create": return "will be created"
        case "update": return "will be updated in-place"
        case "delete": return "will be destroyed"
        case "replace": return "must be replaced"
        case "read": return "will be read during apply"
        case "move": return "has moved"
        case "import": return "will be imported"
        case "remove", "forget": return "will be removed from the state"
        case "noop": return "has no changes"
        default: return "will be changed (\(action))"
        }
    }

    static func driftPhrase(_ action: String) -> String {
        switch action {
        case "delete": return "has been deleted outside of terraform"
        default: return "has changed outside of terraform"
        }
    }

    static func actionStyle(_ action: String) -> RenderedLine.Style {
        switch action {
        case "create", "import": return .added
        case "delete", "remove", "forget": return .removed
        case "replace", "update", "move": return .changed
        default: return .plain
        }
    }

    static func verbs(_ action: String) -> (ing: String, noun: String) {
        switch action {
        case "create": return ("Creating", "Creation")
        case "update": return ("Modifying", "Modifications")
        case "delete": return ("Destroying", "Destruction")
        case "read": return ("Reading", "Read")
        case "import": return ("Importing", "Import")
        default: return ("Applying", "Apply")
        }
    }

    static func summaryLine(_ s: ChangeSummary) -> RenderedLine {
        let importPart = s.import > 0 ? "\(s.import) to import, " : ""
        switch s.operation {
        case "apply":
            let imported = s.import > 0 ? "\(s.import) imported, " : ""
            return RenderedLine("Apply complete! Resources: \(imported)\(s.add) added, \(s.change) changed, \(s.remove) destroyed.",
                                .success)
        case "destroy":
            return RenderedLine("Destroy complete! Resources: \(s.remove) destroyed.", .success)
        default:
            if s.add == 0 && s.change == 0 && s.remove == 0 && s.import == 0 {
                return RenderedLine("No changes. Your infrastructure matches the configuration.", .success)
            }
            return RenderedLine("Plan: \(importPart)\(s.add) to add, \(s.change) to change, \(s.remove) to destroy.", .bold)
        }
    }

    static func diagnosticLines(_ d: Diagnostic) -> [RenderedLine] {
        let style: RenderedLine.Style = d.severity == .error ? .error : .warning
        let title = d.severity == .error ? "Error" : "Warning"
        var lines = [RenderedLine("╷", style), RenderedLine("│ \(title): \(d.summary)", style)]
        if let file = d.filename {
            lines.append(RenderedLine("│", style))
            let line = d.startLine.map { " line \($0)" } ?? ""
            let inAddress = d.address.map { ", in \($0)" } ?? ""
            lines.append(RenderedLine("│   on \(file)\(line)\(inAddress):", style))
            if let code = d.snippet, let n = d.startLine {
                lines.append(RenderedLine("│   \(String(n).leftPadded(to: 3)): \(code)", style))
            }
        }
        if !d.detail.isEmpty {
            lines.append(RenderedLine("│", style))
            for part in d.detail.split(separator: "\n", omittingEmptySubsequences: false) {
                lines.append(RenderedLine(part.isEmpty ? "│" : "│ \(part)", style))
            }
        }
        lines.append(RenderedLine("╵", style))
        return lines
    }

    static func outputLines(_ outputs: [String: OutputValue]) -> [RenderedLine] {
        let names = outputs.keys.sorted()
        guard !names.isEmpty else { return [] }
        let hasValues = outputs.values.contains { $0.valueJSON != nil || $0.action == nil }
        if hasValues {
            var lines = [RenderedLine(""), RenderedLine("Outputs:", .bold), RenderedLine("")]
            for name in names {
                guard let o = outputs[name] else { continue }
                lines.append(RenderedLine("\(name) = \(valueText(o))"))
            }
            return lines
        }
        var lines = [RenderedLine(""), RenderedLine("Changes to Outputs:", .bold)]
        for name in names {
            guard let o = outputs[name], o.action != "noop" else { continue }
            let sign: String
            switch o.action {
            case "create": sign = "+"
            case "delete": sign = "-"
            default: sign = "~"
            }
            // A plan's outputs message carries actions, not values: only say what is known.
            let value = o.sensitive ? " = \(sensitivePlaceholder)" : ""
            lines.append(RenderedLine("  \(sign) \(name)\(value)", actionStyle(o.action ?? "")))
        }
        return lines
    }

    /// An output's value as terraform shows it; sensitive values never appear.
    public static func valueText(_ o: OutputValue) -> String {
        if o.sensitive { return sensitivePlaceholder }
        return o.valueJSON ?? "(known after apply)"
    }
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
