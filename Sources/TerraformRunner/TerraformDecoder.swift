import Foundation

/// Decodes terraform's machine-readable UI (`-json`): one JSON message per line with
/// `@level`, `@message`, `type` and a type-specific body.
/// Unknown types become `.message`, lines that are not JSON messages become `.raw`.
public enum TerraformDecoder {
    /// Decodes one line of a `-json` stream.
    public static func decode(line: String) -> TerraformEvent {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        guard trimmed.hasPrefix("{"), let data = trimmed.data(using: .utf8),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let type = object["type"] as? String
        else { return .raw(line) }
        let message = object["@message"] as? String ?? ""
        let level = (object["@level"] as? String).flatMap(TerraformLogLevel.init(rawValue:)) ?? .info

        switch type {
        case "version":
            return .version(terraform: object["terraform"] as? String ?? "", ui: object["ui"] as? String ?? "")
        case "log", "init_output":
            return .log(level: level, message: message)
        case "diagnostic":
            if let d = object["diagnostic"] as? [String: Any], let diag = diagnostic(d) { return .diagnostic(diag) }
        case "planned_change", "resource_drift":
            if let change = object["change"] as? [String: Any], let addr = address(change) {
                let action = change["action"] as? String ?? ""
                return type == "planned_change" ? .plannedChange(address: addr, action: action)
                                                : .resourceDrift(address: addr, action: action)
            }
        case "change_summary":
            if let c = object["changes"] as? [String: Any] {
                return .changeSummary(ChangeSummary(add: int(c["add"]), change: int(c["change"]),
                                                    remove: int(c["remove"]), import: int(c["import"]),
                                                    operation: c["operation"] as? String ?? ""))
            }
        case "refresh_start", "refresh_complete":
            if let hook = object["hook"] as? [String: Any], let addr = address(hook) {
                return type == "refresh_start" ? .refreshStart(address: addr) : .refreshComplete(address: addr)
            }
        case "apply_start", "apply_progress", "apply_complete", "apply_errored":
            if let hook = object["hook"] as? [String: Any], let addr = address(hook) {
                let action = hook["action"] as? String ?? ""
                let elapsed = int(hook["elapsed_seconds"])
                switch type {
                case "apply_start": return .applyStart(address: addr, action: action)
                case "apply_progress": return .applyProgress(address: addr, action: action, elapsed: elapsed)
                case "apply_complete":
                    return .applyComplete(address: addr, action: action, id: hook["id_value"] as? String,
                                          elapsed: elapsed)
                default: return .applyErrored(address: addr, action: action, elapsed: elapsed)
                }
            }
        case "outputs":
            if let outs = object["outputs"] as? [String: Any] { return .outputs(outputs(outs)) }
        default:
            break
        }
        return .message(type: type, level: level, text: message)
    }

    /// Decodes the document `terraform output -json` prints (`{"name": {"sensitive":..,"type":..,"value":..}}`).
    public static func decodeOutputDocument(_ text: String) -> TerraformEvent? {
        guard let data = text.data(using: .utf8),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { return nil }
        return .outputs(outputs(object))
    }

    /// The `output -json` document with the value of every sensitive output removed
    /// (what `--raw` prints): a sensitive value never reaches a screen or a log.
    public static func redactedOutputDocument(_ text: String) -> String? {
        guard let data = text.data(using: .utf8),
              var object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { return nil }
        for (name, any) in object {
            guard var o = any as? [String: Any], o["sensitive"] as? Bool == true else { continue }
            o.removeValue(forKey: "value")
            object[name] = o
        }
        return jsonText(object)
    }

    /// Decodes the document `terraform validate -json` prints into its diagnostics
    /// (and a closing log line saying whether the configuration is valid).
    public static func decodeValidateDocument(_ text: String) -> [TerraformEvent]? {
        guard let data = text.data(using: .utf8),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let valid = object["valid"] as? Bool
        else { return nil }
        var events: [TerraformEvent] = []
        for d in object["diagnostics"] as? [[String: Any]] ?? [] {
            if let diag = diagnostic(d) { events.append(.diagnostic(diag)) }
        }
        if valid {
            events.append(.log(level: .info, message: "Success! The configuration is valid."))
        }
        return events
    }

    static func outputs(_ object: [String: Any]) -> [String: OutputValue] {
        var result: [String: OutputValue] = [:]
        for (name, any) in object {
            guard let o = any as? [String: Any] else { continue }
            result[name] = OutputValue(sensitive: o["sensitive"] as? Bool ?? false,
                                       typeJSON: o["type"].flatMap(jsonText),
                                       valueJSON: o["value"].flatMap(jsonText),
                                       action: o["action"] as? String)
        }
        return result
    }

    static func diagnostic(_ d: [String: Any]) -> Diagnostic? {
        guard let summary = d["summary"] as? String else { return nil }
        let severity = Diagnostic.Severity(rawValue: d["severity"] as? String ?? "") ?? .error
        var diag = Diagnostic(severity: severity, summary: summary, detail: d["detail"] as? String ?? "",
                              address: d["address"] as? String)
        if let range = d["range"] as? [String: Any] {
            diag.filename = range["filename"] as? String
            if let s = range["start"] as? [String: Any] {
                diag.startLine = s["line"] as? Int
                diag.startColumn = s["column"] as? Int
            }
            if let e = range["end"] as? [String: Any] {
                diag.endLine = e["line"] as? Int
                diag.endColumn = e["column"] as? Int
            }
        }
        if let snippet = d["snippet"] as? [String: Any] { diag.snippet = snippet["code"] as? String }
        return diag
    }

    static func address(_ body: [String: Any]) -> String? {
        (body["resource"] as? [String: Any])?["addr"] as? String
    }

    static func int(_ any: Any?) -> Int {
        if let i = any as? Int { return i }
        if let d = any as? Double { return Int(d) }
        return 0
    }

    static func jsonText(_ any: Any) -> String? {
        guard let data = try? JSONSerialization.data(withJSONObject: any,
                                                     options: [.fragmentsAllowed, .sortedKeys, .withoutEscapingSlashes])
        else { return nil }
        return String(decoding: data, as: UTF8.self)
    }
}
