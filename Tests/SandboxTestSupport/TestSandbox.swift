import Foundation
import Sandbox
import TFCSupport

/// One running sandbox per test process, started on first use and shared by every suite.
///
///     import SandboxTestSupport
///     let sandbox = try TestSandbox.shared()      // SandboxState: endpoint, admin, client, ...
///
/// It lives in a temporary tfchallenge home (never the user's own sandbox), uses the venv of
/// `TFCHALLENGE_VENV` (else the default one `scripts/setup` creates), and stops by itself when
/// the test process exits. The account is shared: create resources with names unique to
/// your test (e.g. a suite prefix), and do not stop it; suites that test the lifecycle
/// itself use their own `SandboxManager` in their own home.
public enum TestSandbox {
    /// The paths the shared sandbox uses: a fresh home, the shared venv, this checkout's resources.
    public static func paths(home: URL) -> Paths {
        let resolved = Paths.resolve()
        return Paths(home: home, venv: resolved.venv, resources: resolved.resources)
    }

    /// A new empty temporary directory for a tfchallenge home.
    public static func temporaryHome(_ label: String = "home") throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("tfchallenge-test-\(label)-\(UUID().uuidString.prefix(8))", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        return url
    }

    private static let started: Result<SandboxState, any Error> = Result {
        let home = try temporaryHome("shared-sandbox")
        sharedHome = home.path
        // The server stops by itself when this process exits; its home goes with it.
        atexit {
            if let path = TestSandbox.sharedHome { try? FileManager.default.removeItem(atPath: path) }
        }
        return try SandboxManager(paths: paths(home: home), exitWithParent: true).up().state
    }

    /// Written once, inside `started`'s one-time initialisation, before `atexit` can read it.
    nonisolated(unsafe) private static var sharedHome: String?

    /// The shared sandbox's state (started once; later calls return at once).
    public static func shared() throws -> SandboxState {
        try started.get()
    }
}
