import Foundation
import Testing
@testable import TerraformRunner
import TFCSupport
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// What the real-terraform suites need. When terraform or the sandbox's Python environment
/// is missing, the suites say so loudly; under CI=true that is a failure, not a skip.
enum Prerequisites {
    static let environment = ProcessInfo.processInfo.environment

    static var terraform: String? { try? TerraformRunner.locateTerraform(environment: environment) }

    /// Returns false (and records an issue under CI) when `what` is missing.
    static func require(_ present: Bool, _ what: String) -> Bool {
        if present { return true }
        let message = "MISSING PREREQUISITE: \(what); the real-terraform tests did NOT run (scripts/setup installs it)"
        if environment["CI"] == "true" {
            Issue.record(Comment(rawValue: message))
        } else {
            FileHandle.standardError.write(Data("\n*** \(message) ***\n\n".utf8))
        }
        return false
    }
}

/// A fresh temporary directory.
func makeTempDir(_ name: String) throws -> URL {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("tfc-\(name)-\(UUID().uuidString.prefix(8))", isDirectory: true)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// The terraform/aws preamble the test configurations share.
let awsPreamble = """
terraform {
  required_providers {
    aws = { source = "hashicorp/aws" }
  }
}

provider "aws" {}

"""

/// Collects a run's events; returns them with the exit status.
func collect(_ run: TerraformRun, onEvent: (TerraformEvent) -> Void = { _ in }) async -> ([TerraformEvent], Int32) {
    var events: [TerraformEvent] = []
    var code: Int32 = -1
    for await m in run.messages {
        events.append(m.event)
        onEvent(m.event)
        if case let .exited(c) = m.event { code = c }
    }
    return (events, code)
}

extension Array where Element == TerraformEvent {
    var summaries: [ChangeSummary] { compactMap { if case let .changeSummary(s) = $0 { return s } else { return nil } } }
    var diagnostics: [Diagnostic] { compactMap { if case let .diagnostic(d) = $0 { return d } else { return nil } } }
    var errors: [Diagnostic] { diagnostics.filter { $0.severity == .error } }
    var outputs: [String: OutputValue]? {
        for e in reversed() { if case let .outputs(o) = e { return o } }
        return nil
    }
    var text: String { TerraformRenderer.text(self) }
}

/// Whether process `pid` still runs (a zombie does not count).
func isRunning(_ pid: Int32) -> Bool {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
          let close = stat.lastIndex(of: ")") else { return false }
    let state = stat[stat.index(close, offsetBy: 2)...].prefix(1)
    return state != "Z" && state != "X"
}

/// The pids whose process group is `pgid`.
func members(ofGroup pgid: Int32) -> [Int32] {
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
    return entries.compactMap(Int32.init).filter { pid in
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return false }
        let fields = stat[stat.index(close, offsetBy: 2)...].split(separator: " ")
        return fields.count > 2 && Int32(fields[2]) == pgid
    }
}

/// Runs terraform directly (not through the runner) with the runner's environment; returns stdout and status.
func terraformDirectly(_ args: [String], in dir: URL, environment: [String: String]) throws -> (String, Int32) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: Prerequisites.terraform ?? "/usr/bin/false")
    p.arguments = args
    p.currentDirectoryURL = dir
    p.environment = environment
    let out = Pipe()
    p.standardOutput = out
    p.standardError = out
    try p.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (String(decoding: data, as: UTF8.self), p.terminationStatus)
}
