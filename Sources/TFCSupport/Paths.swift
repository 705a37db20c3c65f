import Foundation

/// Where tfchallenge keeps its files, and where it finds the files it ships with.
///
/// Every location can be moved with an environment variable, so tests and CI can
/// run in a throwaway directory without touching the user's own state.
public struct Paths: Sendable, Equatable {
    /// Per-user data: the sandbox state file, the Python virtual environment,
    /// terraform's plugin cache and CLI config, session logs.
    public var home: URL
    /// The Python virtual environment that holds the pinned moto server.
    public var venv: URL
    /// The directory that holds `challenges/` and `sandbox/` (the repository root
    /// when run from a checkout).
    public var resources: URL

    public init(home: URL, venv: URL, resources: URL) {
        self.home = home
        self.venv = venv
        self.resources = resources
    }

    /// Resolves the locations from the environment:
    /// - `TFCHALLENGE_HOME`, else `$XDG_DATA_HOME/tfchallenge`, else `~/.local/share/tfchallenge`;
    /// - `TFCHALLENGE_VENV`, else `<home>/venv`;
    /// - `TFCHALLENGE_ROOT`, else the first directory above the executable that
    ///   holds `challenges/` and `sandbox/`, else the checkout this binary was built from.
    public static func resolve(
        environment env: [String: String] = ProcessInfo.processInfo.environment,
        executable: URL? = Bundle.main.executableURL
    ) -> Paths {
        let home: URL
        if let h = env["TFCHALLENGE_HOME"], !h.isEmpty {
            home = URL(fileURLWithPath: h, isDirectory: true)
        } else if let x = env["XDG_DATA_HOME"], !x.isEmpty {
            home = URL(fileURLWithPath: x, isDirectory: true).appendingPathComponent("tfchallenge", isDirectory: true)
        } else {
            let userHome = env["HOME"].map { URL(fileURLWithPath: $0, isDirectory: true) }
                ?? FileManager.default.homeDirectoryForCurrentUser
            home = userHome.appendingPathComponent(".local/share/tfchallenge", isDirectory: true)
        }
        let venv: URL
        if let v = env["TFCHALLENGE_VENV"], !v.isEmpty {
            venv = URL(fileURLWithPath: v, isDirectory: true)
        } else {
            venv = home.appendingPathComponent("venv", isDirectory: true)
        }
        return Paths(home: home, venv: venv, resources: resolveResources(environment: env, executable: executable))
    }

    static func resolveResources(environment env: [String: String], executable: URL?) -> URL {
        if let r = env["TFCHALLENGE_ROOT"], !r.isEmpty {
            return URL(fileURLWithPath: r, isDirectory: true)
        }
        var candidates: [URL] = []
        if let exe = executable?.resolvingSymlinksInPath() {
            var dir = exe.deletingLastPathComponent()
            for _ in 0..<8 {
                candidates.append(dir)
                let parent = dir.deletingLastPathComponent()
                if parent.path == dir.path { break }
                dir = parent
            }
        }
        // Sources/TFCSupport/Paths.swift -> the checkout's root.
        let checkout = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        candidates.append(checkout)
        let fm = FileManager.default
        for dir in candidates where fm.fileExists(atPath: dir.appendingPathComponent("challenges").path)
            && fm.fileExists(atPath: dir.appendingPathComponent("sandbox").path) {
            return dir
        }
        return checkout
    }

    public var challenges: URL { resources.appendingPathComponent("challenges", isDirectory: true) }
    public var sandboxScripts: URL { resources.appendingPathComponent("sandbox", isDirectory: true) }
    public var python: URL { venv.appendingPathComponent("bin/python3") }
    public var sessions: URL { home.appendingPathComponent("sessions", isDirectory: true) }

    /// Creates `home` with mode 0700 when it does not exist yet.
    public func ensureHome() throws {
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
    }
}
