import Foundation
import Testing
@testable import Sandbox
import SandboxTestSupport
import TFCSupport

/// A fresh tfchallenge home with the shared venv, and a manager for it. Stops any sandbox
/// it started and removes the home when done.
struct Fixture {
    let home: URL
    let paths: Paths
    let manager: SandboxManager

    init(venv: URL? = nil, startTimeout: Duration = .seconds(60)) throws {
        home = try TestSandbox.temporaryHome("sandbox-tests")
        let shared = TestSandbox.paths(home: home)
        paths = Paths(home: home, venv: venv ?? shared.venv, resources: shared.resources)
        manager = SandboxManager(paths: paths, startTimeout: startTimeout, exitWithParent: true)
    }

    var stateExists: Bool { FileManager.default.fileExists(atPath: manager.stateFile.path) }

    func cleanUp() {
        _ = try? manager.down()
        try? FileManager.default.removeItem(at: home)
    }

    /// A fake venv whose python3 is `script` (a shell script); it writes its pid to `pid`.
    func fakeVenv(_ body: String) throws -> URL {
        let venv = home.appendingPathComponent("fake-venv", isDirectory: true)
        let bin = venv.appendingPathComponent("bin", isDirectory: true)
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        let python = bin.appendingPathComponent("python3")
        try "#!/bin/sh\necho $$ > \"$(dirname \"$0\")/../pid\"\n\(body)\n".write(to: python, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: python.path)
        return venv
    }

    static func fakePid(_ venv: URL) throws -> Int32 {
        let text = try String(contentsOf: venv.appendingPathComponent("pid"), encoding: .utf8)
        return try #require(Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)))
    }
}

func mode(_ url: URL) throws -> Int {
    let attributes = try FileManager.default.attributesOfItem(atPath: url.path)
    return try #require(attributes[.posixPermissions] as? Int)
}

@Suite(.serialized) struct SandboxManagerTests {
    @Test func upStartsAnAnsweringServerAndWritesAPrivateState() throws {
        let f = try Fixture()
        defer { f.cleanUp() }
        let (state, started) = try f.manager.up()
        #expect(started)
        #expect(state.endpoint == "http://127.0.0.1:\(state.port)")
        #expect(state.region == "us-east-1")
        #expect(state.clientUserName == "terraform-challenge")
        #expect(state.clientUserArn == "arn:aws:iam::\(state.accountId):user/terraform-challenge")
        #expect(state.otherBuckets.count >= 3)
        #expect(state.motoVersion == "5.2.5")
        #expect(state.admin.secretAccessKey.count == 40 && state.admin != state.client)
        #expect(POSIX.httpAnswers(state.port))
        #expect(POSIX.isAlive(state.pid))
        #expect(try mode(f.manager.stateFile) == 0o600)
        #expect(try mode(f.home) == 0o700)
        #expect(f.manager.readState() == state)
        // The log says the server is ready and shows no secret.
        let log = try String(contentsOf: f.manager.logFile, encoding: .utf8)
        #expect(log.contains("auth on"))
        #expect(!log.contains(state.admin.secretAccessKey) && !log.contains(state.client.accessKeyId))
        #expect(try mode(f.manager.logFile) == 0o600)
    }

    @Test func secondUpIsANoOpAndStatusSaysUp() throws {
        let f = try Fixture()
        defer { f.cleanUp() }
        let first = try f.manager.up()
        let second = try f.manager.up()
        #expect(first.started && !second.started)
        #expect(second.state == first.state)
        #expect(f.manager.status() == .up(first.state))
        #expect(f.manager.current() == first.state)
    }

    @Test func downLeavesNoProcessAndNoState() throws {
        let f = try Fixture()
        defer { f.cleanUp() }
        let state = try f.manager.up().state
        #expect(try f.manager.down())
        #expect(!POSIX.isAlive(state.pid))
        #expect(!POSIX.groupExists(state.pid))
        #expect(!POSIX.httpAnswers(state.port))
        #expect(!f.stateExists)
        #expect(f.manager.status() == .down)
        #expect(try f.manager.down() == false)
    }

    @Test func concurrentUpsStartOneServer() async throws {
        let f = try Fixture()
        defer { f.cleanUp() }
        let manager = f.manager
        async let a = Task.detached { try manager.up() }.value
        async let b = Task.detached { try manager.up() }.value
        let results = try await [a, b]
        #expect(results.filter(\.started).count == 1)
        #expect(results[0].state == results[1].state)
    }

    @Test func staleStateIsDetectedAndRemoved() throws {
        let f = try Fixture()
        defer { f.cleanUp() }
        // A pid that surely is gone: a child that has exited and been reaped.
        let done = Process()
        done.executableURL = URL(fileURLWithPath: "/bin/sh")
        done.arguments = ["-c", "exit 0"]
        try done.run()
        done.waitUntilExit()
        let stale = SandboxState(
            endpoint: "http://127.0.0.1:1", port: 1, pid: done.processIdentifier, region: "us-east-1",
            accountId: "123456789012", admin: SandboxCredentials(accessKeyId: "AKIAOLD", secretAccessKey: "old"),
            client: SandboxCredentials(accessKeyId: "AKIAOLD2", secretAccessKey: "old2"),
            clientUserName: "terraform-challenge", clientUserArn: "arn:aws:iam::123456789012:user/terraform-challenge",
            otherBuckets: [], startedAt: Date(timeIntervalSince1970: 0), motoVersion: "5.2.5")
        try f.paths.ensureHome()
        try SandboxManager.encoder.encode(stale).write(to: f.manager.stateFile)
        guard case .stale(let reason) = f.manager.status() else {
            Issue.record("expected a stale status")
            return
        }
        #expect(reason.contains("\(done.processIdentifier) is gone"))
        #expect(!f.stateExists)
        #expect(f.manager.status() == .down)
        // And `up` after a stale state starts a fresh server.
        let (state, started) = try f.manager.up()
        #expect(started && state.pid != stale.pid)
    }

    @Test func aHungServerIsStaleAndStopped() throws {
        let f = try Fixture()
        defer { f.cleanUp() }
        let state = try f.manager.up().state
        // Stopped: the kernel still accepts TCP connections on its port, but nothing answers.
        #expect(kill(state.pid, SIGSTOP) == 0)
        guard case .stale(let reason) = f.manager.status() else {
            Issue.record("expected a stale status")
            return
        }
        #expect(reason.contains("did not answer on port \(state.port)"))
        #expect(!POSIX.isAlive(state.pid) && !POSIX.groupExists(state.pid))
        #expect(!f.stateExists)
    }

    @Test func unreadableStateIsStale() throws {
        let f = try Fixture()
        defer { f.cleanUp() }
        try f.paths.ensureHome()
        try Data("{not json".utf8).write(to: f.manager.stateFile)
        guard case .stale = f.manager.status() else {
            Issue.record("expected a stale status")
            return
        }
        #expect(!f.stateExists)
    }

    @Test func missingVenvSaysToRunSetup() throws {
        let f = try Fixture(venv: URL(fileURLWithPath: "/nonexistent/tfchallenge-venv"))
        defer { f.cleanUp() }
        #expect(throws: SandboxError.pythonMissing(python: "/nonexistent/tfchallenge-venv/bin/python3")) {
            try f.manager.up()
        }
        #expect(SandboxError.pythonMissing(python: "/x").description.contains("run scripts/setup"))
        #expect(!f.stateExists)
    }

    @Test func aServerThatExitsIsReportedWithItsLog() throws {
        let f0 = try Fixture()
        let venv = try f0.fakeVenv("echo 'ImportError: no module named moto' >&2\nexit 1")
        let f = Fixture(home: f0, venv: venv)
        defer { f.cleanUp() }
        do {
            _ = try f.manager.up()
            Issue.record("up should have failed")
        } catch let error as SandboxError {
            let text = error.description
            #expect(text.contains("failed to start: it exited with status 1"))
            #expect(text.contains("ImportError: no module named moto"))
            #expect(text.contains("scripts/setup"))
        }
        #expect(!f.stateExists)
        let pid = try Fixture.fakePid(venv)
        #expect(!POSIX.isAlive(pid) && !POSIX.groupExists(pid))
    }

    @Test func aServerThatNeverGetsReadyIsStoppedAfterTheTimeout() throws {
        let f0 = try Fixture()
        let venv = try f0.fakeVenv("echo 'starting forever' >&2\nsleep 60 & wait")
        let f = Fixture(home: f0, venv: venv, startTimeout: .seconds(1))
        defer { f.cleanUp() }
        do {
            _ = try f.manager.up()
            Issue.record("up should have failed")
        } catch let error as SandboxError {
            #expect(error.description.contains("not ready after 1 s"))
            #expect(error.description.contains("starting forever"))
        }
        #expect(!f.stateExists)
        let pid = try Fixture.fakePid(venv)
        // The script and its `sleep` child: the whole group is gone.
        #expect(!POSIX.isAlive(pid) && !POSIX.groupExists(pid))
    }

    @Test func credentialsNeverPrintTheirSecret() throws {
        let creds = SandboxCredentials(accessKeyId: "AKIAEXAMPLE", secretAccessKey: "s3cr3t-value")
        #expect(!String(describing: creds).contains("s3cr3t"))
        #expect(!String(reflecting: creds).contains("s3cr3t"))
        var dumped = ""
        dump(creds, to: &dumped)
        #expect(!dumped.contains("s3cr3t"))
        let state = SandboxState(
            endpoint: "http://127.0.0.1:9", port: 9, pid: 1, region: "us-east-1", accountId: "1",
            admin: creds, client: creds, clientUserName: "c", clientUserArn: "arn", otherBuckets: [],
            startedAt: Date(), motoVersion: "5.2.5")
        #expect(!String(describing: state).contains("s3cr3t"))
        #expect(!String(reflecting: state).contains("s3cr3t"))
        var dumpedState = ""
        dump(state, to: &dumpedState)
        #expect(!dumpedState.contains("s3cr3t"))
    }

    /// The server listens on 127.0.0.1 only: the kernel's socket table has its port
    /// listening on the loopback address and on nothing else (no 0.0.0.0, no IPv6).
    @Test func theServerListensOnLoopbackOnly() throws {
        #if os(Linux)
        let state = try TestSandbox.shared()
        let port = String(format: "%04X", state.port)
        var listening: [String] = []
        for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
            guard let text = try? String(contentsOfFile: table, encoding: .utf8) else { continue }
            for line in text.split(separator: "\n").dropFirst() {
                let fields = line.split(separator: " ")
                // sl, local_address (HEXIP:HEXPORT), rem_address, st (0A = LISTEN), ...
                guard fields.count > 3, fields[3] == "0A", fields[1].hasSuffix(":" + port) else { continue }
                listening.append(String(fields[1]))
            }
        }
        #expect(listening == ["0100007F:" + port], "listening sockets on port \(state.port): \(listening)")
        #endif
    }

    @Test func theSharedTestSandboxIsStartedOnce() throws {
        let first = try TestSandbox.shared()
        let second = try TestSandbox.shared()
        #expect(first == second)
        #expect(POSIX.httpAnswers(first.port))
    }
}

extension Fixture {
    /// The same home as `other`, with another venv or timeout.
    init(home other: Fixture, venv: URL, startTimeout: Duration = .seconds(60)) {
        home = other.home
        paths = Paths(home: other.home, venv: venv, resources: other.paths.resources)
        manager = SandboxManager(paths: paths, startTimeout: startTimeout, exitWithParent: true)
    }
}

