/// What the screen needs from one terraform event: its human lines (from the
/// runner's renderer), a diagnostic that points at a file, and apply progress.
/// The one place that looks inside the runner's event type.
struct TerraformFacts {
    var lines: [OutputLine] = []
    var diagnostic: (severity: String, summary: String, location: SourceLocation)?
    var plannedResources: Int?
    var resourceDone = false
    var resourceFailed = false
    var summary: String?

    init(_ event: TerraformEvent) {
        switch event {
        case .diagnostic(let d):
            if let file = d.filename, let line = d.startLine {
                diagnostic = (d.severity.rawValue, d.summary, SourceLocation(file: file, line: line))
            }
        case .changeSummary(let c):
            plannedResources = c.add + c.change + c.remove
            summary = "\(c.add) to add, \(c.change) to change, \(c.remove) to destroy"
        case .applyComplete:
            resourceDone = true
        case .applyErrored:
            resourceFailed = true
        case .exited:
            // The run's end arrives as its own event (`runExited`), with the
            // interrupt and failure-to-start cases the runner's stream cannot say.
            return
        default:
            break
        }
        lines = TerraformRenderer.render(event).map { OutputLine($0.text, kind: OutputLine.Kind($0.style)) }
    }
}

extension OutputLine.Kind {
    init(_ style: RenderedLine.Style) {
        switch style {
        case .plain: self = .normal
        case .dim: self = .dim
        case .bold: self = .note
        case .added: self = .added
        case .changed: self = .changed
        case .removed: self = .removed
        case .error: self = .error
        case .warning: self = .warning
        case .success: self = .success
        }
    }
}
