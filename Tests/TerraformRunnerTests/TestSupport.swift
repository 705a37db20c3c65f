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

/// A moto server on loopback for the tests, started through the runner's own ChildProcess
/// so it cannot outlive the test process.
final class MotoServer: @unchecked Sendable {
    let endpoint: String
    private let child: ChildProcess

    init(python: URL) async throws {
        let port = try Self.freePort()
        child = try ChildProcess(executable: python.path,
                                 arguments: ["-m", "moto.server", "-H", "127.0.0.1", "-p", String(port)],
                                 directory: NSTemporaryDirectory(), environment: ProcessInfo.processInfo.environment)
        endpoint = "http://127.0.0.1:\(port)"
        for fd in [child.stdoutFD, child.stderrFD] {
            Thread.detachNewThread { TerraformRun.readLines(fd: fd) { _ in } }
        }
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            if let url = URL(string: "\(endpoint)/moto-api/"),
               let (_, response) = try? await URLSession.shared.data(from: url),
               (response as? HTTPURLResponse)?.statusCode == 200 {
                return
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        child.signalGroup(SIGKILL)
        throw TerraformRunnerError.spawnFailed("moto did not answer on \(endpoint) within 60s")
    }

    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TerraformRunnerError.spawnFailed("socket failed") }
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { p -> Bool in
                bind(fd, p, len) == 0 && getsockname(fd, p, &len) == 0
            }
        }
        guard bound else { throw TerraformRunnerError.spawnFailed("bind failed") }
        return Int(UInt16(bigEndian: addr.sin_port))
    }

    deinit {
        child.signalGroup(SIGKILL)
        child.finish()
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
