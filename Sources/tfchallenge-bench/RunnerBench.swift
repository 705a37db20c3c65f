import Foundation
import Sandbox
import TerraformRunner
import TFCSupport

/// `runner`: the overhead of running terraform through tfchallenge (`tfchallenge plan`, the
/// built binary) next to the same `terraform plan` run directly on the same workspace,
/// alternated; and a second workspace's `init` with the shared plugin cache vs without.
@MainActor let runnerBenchmarks: [Benchmark] = [
    Benchmark(name: "runner", summary: "`tfchallenge plan` vs `terraform plan` directly; second init with vs without the plugin cache") {
        let runs = 5
        let resolved = Paths.resolve()
        let root = FileManager.default.temporaryDirectory
            .appendingPathComponent("tfchallenge-bench-runner-\(UUID().uuidString.prefix(8))", isDirectory: true)
        defer { try? FileManager.default.removeItem(at: root) }
        let home = root.appendingPathComponent("home", isDirectory: true)
        let paths = Paths(home: home, venv: resolved.venv, resources: resolved.resources)
        let manager = SandboxManager(paths: paths, exitWithParent: true)
        let sandbox = try manager.up().state
        defer { _ = try? manager.down() }

        var env = ProcessInfo.processInfo.environment
        env["TFCHALLENGE_HOME"] = home.path
        env["TFCHALLENGE_VENV"] = resolved.venv.path
        let target = TerraformTarget.sandbox(endpoint: sandbox.endpoint, region: sandbox.region,
                                             accessKeyId: sandbox.admin.accessKeyId,
                                             secretAccessKey: sandbox.admin.secretAccessKey)
        let runner = TerraformRunner(paths: paths, environment: env, target: target)
        let terraform = try TerraformRunner.locateTerraform(environment: env)
        guard let binary = Bundle.main.executableURL?.deletingLastPathComponent().appendingPathComponent("tfchallenge"),
              FileManager.default.isExecutableFile(atPath: binary.path) else {
            throw TerraformRunnerError.setupFailed("build the tfchallenge product next to the benchmark (swift build -c release)")
        }

        func workspace(_ name: String) throws -> URL {
            let dir = root.appendingPathComponent(name, isDirectory: true)
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            try Data(benchConfig.utf8).write(to: dir.appendingPathComponent("main.tf"))
            return dir
        }
        func runToEnd(_ command: TerraformCommand, _ dir: URL, _ r: TerraformRunner = runner) async throws -> Int32 {
            let run = try r.start(command, in: dir)
            for await _ in run.messages {}
            return await run.wait()
        }
        func timed(_ executable: String, _ args: [String], in dir: URL, env: [String: String]) throws -> Duration {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: executable)
            p.arguments = args
            p.currentDirectoryURL = dir
            p.environment = env
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            let t0 = ContinuousClock.now
            try p.run()
            p.waitUntilExit()
            let elapsed = ContinuousClock.now - t0
            guard p.terminationStatus == 0 else {
                throw TerraformRunnerError.spawnFailed("\(executable) \(args.joined(separator: " ")) exited \(p.terminationStatus)")
            }
            return elapsed
        }

        // Plan overhead, alternated so both see the same load.
        let dir = try workspace("plan")
        guard try await runToEnd(.`init`, dir) == 0 else { throw TerraformRunnerError.setupFailed("init failed") }
        let setup = try ProviderSetup.prepare(paths: paths, environment: env)
        let terraformEnv = target.environment(base: env, cliConfigFile: setup.cliConfigFile)
        var viaTfchallenge: [Duration] = []
        var direct: [Duration] = []
        _ = try timed(terraform, TerraformRunner.arguments(for: .plan), in: dir, env: terraformEnv)   // warm-up
        for i in 0..<runs {
            let a = { try timed(binary.path, ["plan", dir.path], in: dir, env: env) }
            let b = { try timed(terraform, TerraformRunner.arguments(for: .plan), in: dir, env: terraformEnv) }
            if i % 2 == 0 {
                viaTfchallenge.append(try a()); direct.append(try b())
            } else {
                direct.append(try b()); viaTfchallenge.append(try a())
            }
        }
        let viaMedian = reportMilliseconds("tfchallenge plan (built binary)          ", viaTfchallenge)
        let directMedian = reportMilliseconds("terraform plan -json, same args, directly", direct)
        print(String(format: "   ratio: tfchallenge plan / terraform plan = %.3f (target <= 1.05)", viaMedian / max(directMedian, 0.001)))

        // Second init: shared plugin cache (tfchallenge's CLI config) vs the same config without the cache.
        let noCacheConfig = home.appendingPathComponent("terraform/no-cache.tfrc")
        let withoutCache = setup.cliConfigText.split(separator: "\n")
            .filter { !$0.hasPrefix("plugin_cache_dir") }.joined(separator: "\n") + "\n"
        try Data(withoutCache.utf8).write(to: noCacheConfig)
        var noCacheEnv = terraformEnv
        noCacheEnv["TF_CLI_CONFIG_FILE"] = noCacheConfig.path
        var cached: [Duration] = []
        var uncached: [Duration] = []
        for i in 0..<runs {
            let a = { try timed(terraform, TerraformRunner.arguments(for: .`init`), in: try workspace("cached-\(i)"), env: terraformEnv) }
            let b = { try timed(terraform, TerraformRunner.arguments(for: .`init`), in: try workspace("uncached-\(i)"), env: noCacheEnv) }
            if i % 2 == 0 {
                cached.append(try a()); uncached.append(try b())
            } else {
                uncached.append(try b()); cached.append(try a())
            }
        }
        let c = reportMilliseconds("init of a new workspace, shared plugin cache", cached)
        let u = reportMilliseconds("init of a new workspace, no plugin cache    ", uncached)
        print(String(format: "   ratio: init with cache / without = %.2f", c / max(u, 0.001)))
        // What each workspace got: a link (nothing copied) or a copied directory.
        for name in ["cached-0", "uncached-0"] {
            let base = root.appendingPathComponent("\(name)/.terraform/providers/registry.terraform.io/hashicorp/aws")
            let version = (try? FileManager.default.contentsOfDirectory(atPath: base.path).first) ?? "?"
            let platform = (try? FileManager.default.contentsOfDirectory(atPath: base.appendingPathComponent(version).path).first) ?? "?"
            let entry = base.appendingPathComponent("\(version)/\(platform)").path
            let link = try? FileManager.default.destinationOfSymbolicLink(atPath: entry)
            print("   \(name): provider \(link.map { "linked to \($0)" } ?? "copied into the workspace")")
        }
    },
]

private let benchConfig = """
terraform {
  required_providers {
    aws = { source = "hashicorp/aws" }
  }
}

provider "aws" {}

resource "aws_s3_bucket" "data" {
  bucket = "tfc-bench-data"
}

resource "aws_kms_key" "data" {
  description = "bench key"
}

resource "aws_iam_role" "client" {
  name = "tfc-bench-client"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { AWS = "*" } }]
  })
}

"""
