import Foundation

/// Which AWS terraform talks to.
public enum TerraformTarget: Sendable, Equatable {
    /// The embedded sandbox: a moto server on loopback, with the admin identity's keys.
    case sandbox(endpoint: String, region: String, accessKeyId: String, secretAccessKey: String)
    /// Real AWS with the user's own credentials and configuration (inherited environment).
    case aws

    /// The AWS services the challenges use; each gets the sandbox endpoint.
    public static let sandboxServices = ["s3", "iam", "sts", "kms"]

    /// The name of the file the runner owns in a workspace in sandbox mode.
    /// terraform merges `*_override.tf` files over the candidate's own configuration.
    public static let overrideFileName = "tfchallenge_override.tf"

    /// The override file's text for the sandbox: endpoints, path-style S3, no credential
    /// validation against real AWS. It never holds a credential.
    public static func overrideText(endpoint: String, region: String) -> String {
        let endpoints = sandboxServices.map { "    \($0.padding(toLength: 3, withPad: " ", startingAt: 0)) = \(hclString(endpoint))" }
        return """
        # Written by tfchallenge for the local sandbox (\(endpoint)); removed when targeting AWS.
        # Do not edit: it is rewritten before each terraform run. Credentials come from the environment.
        provider "aws" {
          region                      = \(hclString(region))
          s3_use_path_style           = true
          skip_credentials_validation = true
          skip_metadata_api_check     = true
          skip_region_validation      = true
          skip_requesting_account_id  = false

          endpoints {
        \(endpoints.joined(separator: "\n"))
          }
        }

        """
    }

    /// Writes (sandbox) or removes (aws) the override file in `workspace`. The candidate's
    /// own files are never touched. In sandbox mode the file is written only when the
    /// configuration declares a `provider "aws"` block (terraform refuses an override of a
    /// block that does not exist); the return value says whether the file is present.
    @discardableResult
    public func applyOverride(to workspace: URL) throws -> Bool {
        let file = workspace.appendingPathComponent(Self.overrideFileName)
        let fm = FileManager.default
        switch self {
        case .aws:
            if fm.fileExists(atPath: file.path) {
                do { try fm.removeItem(at: file) } catch {
                    throw TerraformRunnerError.setupFailed("cannot remove \(file.path): \(error.localizedDescription)")
                }
            }
            return false
        case let .sandbox(endpoint, region, _, _):
            guard Self.declaresAWSProvider(in: workspace) else {
                if fm.fileExists(atPath: file.path) { try? fm.removeItem(at: file) }
                return false
            }
            let text = Self.overrideText(endpoint: endpoint, region: region)
            if (try? String(contentsOf: file, encoding: .utf8)) == text { return true }
            do { try Data(text.utf8).write(to: file, options: .atomic) } catch {
                throw TerraformRunnerError.setupFailed("cannot write \(file.path): \(error.localizedDescription)")
            }
            return true
        }
    }

    /// Whether a non-override `.tf` file of `workspace` declares `provider "aws"`.
    static func declaresAWSProvider(in workspace: URL) -> Bool {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: workspace.path)) ?? []
        for name in names where name.hasSuffix(".tf") && !name.hasSuffix("_override.tf") && name != "override.tf" {
            guard let text = try? String(contentsOf: workspace.appendingPathComponent(name), encoding: .utf8) else { continue }
            if text.range(of: #"(?m)^\s*provider\s+"aws"\s*\{"#, options: .regularExpression) != nil { return true }
        }
        return false
    }

    /// The child's environment: the inherited one, with terraform's automation settings and,
    /// in sandbox mode, only the sandbox's credentials (every inherited `AWS_*` is removed so the
    /// user's real credentials never reach a sandbox run).
    public func environment(base: [String: String], cliConfigFile: URL) -> [String: String] {
        var env = base.filter { key, _ in
            // TF_CLI_ARGS* would add flags behind our back (e.g. drop -json); TF_INPUT would ask questions.
            !key.hasPrefix("TF_CLI_ARGS") && key != "TF_INPUT" && key != "TF_CLI_CONFIG_FILE"
        }
        env["TF_IN_AUTOMATION"] = "1"
        env["TF_INPUT"] = "0"
        env["TF_CLI_CONFIG_FILE"] = cliConfigFile.path
        env["CHECKPOINT_DISABLE"] = "1"
        if case let .sandbox(_, region, accessKeyId, secretAccessKey) = self {
            env = env.filter { !$0.key.hasPrefix("AWS_") }
            env["AWS_ACCESS_KEY_ID"] = accessKeyId
            env["AWS_SECRET_ACCESS_KEY"] = secretAccessKey
            env["AWS_REGION"] = region
            env["AWS_DEFAULT_REGION"] = region
            env["AWS_EC2_METADATA_DISABLED"] = "true"
        }
        return env
    }
}

/// What can go wrong before or around a terraform run. Messages never hold a secret.
public enum TerraformRunnerError: Error, Equatable, CustomStringConvertible {
    case terraformNotFound(String)
    case workspaceUnusable(String)
    case busy(command: String, workspace: String, pid: Int32)
    case setupFailed(String)
    case spawnFailed(String)

    public var description: String {
        switch self {
        case let .terraformNotFound(m): return m
        case let .workspaceUnusable(m): return m
        case let .busy(command, workspace, pid):
            return "terraform is already running \(command) in \(workspace) (pid \(pid))"
        case let .setupFailed(m): return m
        case let .spawnFailed(m): return m
        }
    }
}
