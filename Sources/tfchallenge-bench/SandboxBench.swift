import Foundation
import Sandbox
import TFCSupport

/// `sandbox-start`: how long `SandboxManager.up()` takes to a seeded, authenticated, answering
/// server, next to the floor: starting the venv's python and importing moto's server.
@MainActor let sandboxBenchmarks: [Benchmark] = [
    Benchmark(name: "sandbox-start", summary: "sandbox start-to-ready time vs a bare `python -c 'import moto.server'`") {
        let runs = 7
        let resolved = Paths.resolve()
        var starts: [Duration] = []
        var imports: [Duration] = []
        // Interleaved, so both see the same load on a shared machine.
        for _ in 0..<runs {
            let home = FileManager.default.temporaryDirectory
                .appendingPathComponent("tfchallenge-bench-\(UUID().uuidString.prefix(8))", isDirectory: true)
            defer { try? FileManager.default.removeItem(at: home) }
            let manager = SandboxManager(paths: Paths(home: home, venv: resolved.venv, resources: resolved.resources),
                                         exitWithParent: true)
            var t0 = ContinuousClock.now
            _ = try manager.up()
            starts.append(ContinuousClock.now - t0)
            try manager.down()

            let process = Process()
            process.executableURL = resolved.python
            process.arguments = ["-c", "import moto.server"]
            t0 = ContinuousClock.now
            try process.run()
            process.waitUntilExit()
            imports.append(ContinuousClock.now - t0)
            guard process.terminationStatus == 0 else { throw SandboxError.system("python -c 'import moto.server' failed") }
        }
        let start = reportMilliseconds("sandbox up (spawn, seed, serve, auth on, ready)", starts)
        let floor = reportMilliseconds("python -c 'import moto.server' (the floor)     ", imports)
        print(String(format: "   ratio: start-to-ready is %.2fx the bare import", start / max(floor, 0.001)))
    },
]
