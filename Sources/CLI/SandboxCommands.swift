import Foundation
import Sandbox
import TFCSupport

/// `tfchallenge sandbox up | down | status | env [--client]`
enum SandboxCommands {
    static let command = Command(
        name: "sandbox", summary: "start, stop or inspect the embedded local AWS (a moto server on loopback)",
        synopsis: "sandbox up|down|status|env",
        details: """
        The sandbox is a moto server on 127.0.0.1, seeded like the interview account: an admin user
        for Terraform, the client user terraform-challenge (allowed sts:AssumeRole) and a few other
        buckets with objects. Request signatures and IAM policies are enforced, and so is KMS key use
        for SSE-KMS objects (kms:GenerateDataKey to write, kms:Decrypt to read). Its resources live
        in memory: they are gone once it stops.
        """,
        subcommands: [up, down, status, env])

    static func manager(_ ctx: CommandContext) -> SandboxManager { SandboxManager(paths: ctx.paths) }

    static let up = Command(
        name: "up", summary: "start the sandbox (nothing to do when it is up)", synopsis: "sandbox up"
    ) { _, ctx in
        let (state, started) = try manager(ctx).up()
        if started {
            ctx.console.print("sandbox up at \(state.endpoint) (pid \(state.pid), moto \(state.motoVersion))")
            ctx.console.print("  account \(state.accountId), region \(state.region)")
            ctx.console.print("  client user \(state.clientUserArn)")
            ctx.console.print("  other buckets: \(state.otherBuckets.joined(separator: ", "))")
            ctx.console.print("Use it from your shell: eval \"$(tfchallenge sandbox env --client)\" (or without --client as the admin)")
        } else {
            ctx.console.print("sandbox already up at \(state.endpoint) (pid \(state.pid))")
        }
        return ExitCode.success
    }

    static let down = Command(
        name: "down", summary: "stop the sandbox (its resources are gone)", synopsis: "sandbox down"
    ) { _, ctx in
        if try manager(ctx).down() {
            ctx.console.print("sandbox stopped; its resources were in memory and are gone")
        } else {
            ctx.console.print("sandbox was not running")
        }
        return ExitCode.success
    }

    static let status = Command(
        name: "status", summary: "say whether the sandbox is up (exit 0) or down (exit 1)",
        synopsis: "sandbox status"
    ) { _, ctx in
        switch manager(ctx).status() {
        case .up(let state):
            let started = ISO8601DateFormatter().string(from: state.startedAt)
            ctx.console.print("sandbox up at \(state.endpoint) (pid \(state.pid), started \(started), moto \(state.motoVersion))")
            return ExitCode.success
        case .down:
            ctx.console.print("sandbox down")
            return ExitCode.failure
        case .stale(let reason):
            ctx.console.print("sandbox down: \(reason); its stale state was removed and its resources are gone")
            return ExitCode.failure
        }
    }

    static let env = Command(
        name: "env", summary: "print shell exports that point AWS tools at the sandbox",
        synopsis: "sandbox env [--client]",
        details: """
        Prints export lines with the sandbox's credentials, region and endpoint, as the admin user,
        or with --client as the client user terraform-challenge. For your own shell:
          eval "$(tfchallenge sandbox env --client)"
          aws sts get-caller-identity
        """,
        flags: [FlagSpec("client", help: "the client user terraform-challenge instead of the admin")]
    ) { args, ctx in
        guard let state = manager(ctx).current() else {
            ctx.console.error("tfchallenge sandbox env: the sandbox is not running; start it with 'tfchallenge sandbox up'")
            return ExitCode.failure
        }
        ctx.console.write(exports(state, client: args.has("client")))
        return ExitCode.success
    }

    /// The shell lines `env` prints.
    static func exports(_ state: SandboxState, client: Bool) -> String {
        let creds = client ? state.client : state.admin
        let who = client ? "the client user \(state.clientUserName)" : "the sandbox's admin user"
        return """
        # tfchallenge sandbox at \(state.endpoint), as \(who)
        unset AWS_PROFILE AWS_SESSION_TOKEN AWS_SECURITY_TOKEN
        export AWS_ACCESS_KEY_ID=\(shellQuoted(creds.accessKeyId))
        export AWS_SECRET_ACCESS_KEY=\(shellQuoted(creds.secretAccessKey))
        export AWS_REGION=\(shellQuoted(state.region))
        export AWS_DEFAULT_REGION=\(shellQuoted(state.region))
        export AWS_ENDPOINT_URL=\(shellQuoted(state.endpoint))

        """
    }

    static func shellQuoted(_ value: String) -> String {
        "'" + value.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
