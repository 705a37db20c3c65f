import Challenge
import Foundation
import Sandbox
import TerraformRunner
import TFCSupport

/// `checks`: the wall time of `tfchallenge check` (a fresh process, as a user or CI runs it) against a
/// fresh sandbox with the solved challenge applied, next to the same four checks written with pytest and
/// boto3 (`challenges/bigcorp-s3/tests/test_checks.py`) in the same run, and the time of the check round
/// itself inside one process (connections reused across rounds).
@MainActor let checksBenchmarks: [Benchmark] = [
    Benchmark(name: "checks", summary: "tfchallenge check vs pytest+boto3 doing the same four checks") {
        let resolved = Paths.resolve()
        let fm = FileManager.default
        let scratch = fm.temporaryDirectory.appendingPathComponent("tfchallenge-bench-checks-\(UUID().uuidString.prefix(8))",
                                                                   isDirectory: true)
        defer { try? fm.removeItem(at: scratch) }
        let home = scratch.appendingPathComponent("home", isDirectory: true)
        try fm.createDirectory(at: home, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let paths = Paths(home: home, venv: resolved.venv, resources: resolved.resources)

        guard let tfchallenge = Bundle.main.executableURL?.deletingLastPathComponent().appendingPathComponent("tfchallenge"),
              fm.isExecutableFile(atPath: tfchallenge.path) else {
            throw BenchError("no tfchallenge binary next to this one: swift build -c release --product tfchallenge")
        }
        guard let terraform = which("terraform") else { throw BenchError("terraform is not on PATH") }

        let manager = SandboxManager(paths: paths, exitWithParent: true)
        let state = try manager.up().state
        defer { _ = try? manager.down() }

        // The solved workspace, applied to the sandbox (not timed).
        let dir = scratch.appendingPathComponent("workspace", isDirectory: true)
        let challenge = try ChallengeCatalog.named("bigcorp-s3", paths: paths)
        try Workspace.create(challenge, at: dir, solution: true)
        // Terraform set up as the product's runner sets it up: its mirror and plugin cache,
        // its sandbox override file, its environment (the sandbox's admin keys only).
        let terraformTarget = TerraformTarget.sandbox(endpoint: state.endpoint, region: state.region,
                                                      accessKeyId: state.admin.accessKeyId,
                                                      secretAccessKey: state.admin.secretAccessKey)
        let providers = try ProviderSetup.prepare(paths: paths, environment: ProcessInfo.processInfo.environment)
        try terraformTarget.applyOverride(to: dir)
        let tfEnv = terraformTarget.environment(base: ProcessInfo.processInfo.environment,
                                                cliConfigFile: providers.cliConfigFile)
        print("   applying the solved challenge to a fresh sandbox (not timed)...")
        _ = try runProgram(terraform, ["init", "-input=false", "-no-color"], in: dir, environment: tfEnv)
        _ = try runProgram(terraform, ["apply", "-auto-approve", "-input=false", "-no-color"], in: dir, environment: tfEnv)
        let outputs = try runProgram(terraform, ["output", "-json"], in: dir, environment: tfEnv).stdout
        let outputsFile = scratch.appendingPathComponent("outputs.json")
        try Data(outputs.utf8).write(to: outputsFile)

        // 1. tfchallenge check, a fresh process each time.
        var cliEnv = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("AWS_") }
        cliEnv["TFCHALLENGE_HOME"] = home.path
        cliEnv["TFCHALLENGE_ROOT"] = resolved.resources.path
        var cli: [Double] = []
        for i in 0..<6 {
            let t0 = ContinuousClock.now
            let r = try runProgram(tfchallenge, ["check", dir.path], in: dir, environment: cliEnv, allowFailure: true)
            let t = (ContinuousClock.now - t0).inSeconds
            guard r.status == 0 else { throw BenchError("tfchallenge check did not pass:\n\(r.stdout)") }
            if i > 0 { cli.append(t) }  // the first run warms the file cache
        }

        // 2. pytest + boto3, the same four checks.
        let suite = resolved.resources.appendingPathComponent("challenges/bigcorp-s3/tests/test_checks.py")
        var pyEnv = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("AWS_") }
        pyEnv["TFC_ENDPOINT"] = state.endpoint
        pyEnv["TFC_REGION"] = state.region
        pyEnv["TFC_CLIENT_KEY_ID"] = state.client.accessKeyId
        pyEnv["TFC_CLIENT_SECRET"] = state.client.secretAccessKey
        pyEnv["TFC_OUTPUTS"] = outputsFile.path
        pyEnv["TFC_SEED_BODY"] = challenge.manifest.seedObject.body
        var pytest: [Double] = []
        for i in 0..<4 {
            let t0 = ContinuousClock.now
            let r = try runProgram(resolved.python, ["-m", "pytest", "-q", "-p", "no:cacheprovider", suite.path],
                                   in: scratch, environment: pyEnv, allowFailure: true)
            let t = (ContinuousClock.now - t0).inSeconds
            guard r.status == 0 else { throw BenchError("the pytest suite did not pass:\n\(r.stdout)") }
            if i > 0 { pytest.append(t) }
        }

        // 3. The round itself, in this process.
        let target = CheckTarget.sandbox(state)
        _ = await CheckRound.run(workspace: dir, paths: paths, target: { target }, targetKind: .sandbox)
        var rounds: [Double] = []
        for _ in 0..<20 {
            let t0 = ContinuousClock.now
            let report = await CheckRound.run(workspace: dir, paths: paths, target: { target }, targetKind: .sandbox)
            rounds.append((ContinuousClock.now - t0).inSeconds)
            guard report.passed else { throw BenchError("a round did not pass: \(report.checks.map(\.status))") }
        }

        let c = median(cli), p = median(pytest), r = median(rounds)
        print(String(format: "   tfchallenge check (fresh process): median %.0f ms, min %.0f ms (%d runs)",
                     c * 1000, (cli.min() ?? 0) * 1000, cli.count))
        print(String(format: "   pytest + boto3, same four checks:  median %.0f ms, min %.0f ms (%d runs)",
                     p * 1000, (pytest.min() ?? 0) * 1000, pytest.count))
        print(String(format: "   ratio: %.1fx faster than pytest+boto3 (target >= 10x)", p / c))
        print(String(format: "   check round in process (AssumeRole, then 4 concurrent checks): median %.1f ms, min %.1f ms (%d rounds)",
                     r * 1000, (rounds.min() ?? 0) * 1000, rounds.count))
    },
]

private func which(_ name: String) -> URL? {
    for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
        let url = URL(fileURLWithPath: String(dir)).appendingPathComponent(name)
        if FileManager.default.isExecutableFile(atPath: url.path) { return url }
    }
    return nil
}
