// swift-tools-version:6.0
// tfchallenge: a terminal program for the Terraform live-coding interview.
// No outside Swift packages: the toolchain plus system C libraries.
import PackageDescription

let package = Package(
    name: "tfchallenge",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "tfchallenge", targets: ["tfchallenge"]),
    ],
    targets: [
        // C libraries. Each is imported by exactly one Swift wrapper module.
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl",
                       providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "COpenSSL", pkgConfig: "libcrypto",
                       providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CNcurses", pkgConfig: "ncursesw",
                       providers: [.apt(["libncurses-dev"])]),

        // Shared plumbing: paths, resource lookup, processes, redaction.
        .target(name: "TFCSupport"),

        // The embedded AWS: a seeded moto server on loopback (sandbox/moto_server.py).
        .target(name: "Sandbox", dependencies: ["TFCSupport"]),
        // A running sandbox shared by every test of one test process.
        .target(name: "SandboxTestSupport", dependencies: ["Sandbox", "TFCSupport"],
                path: "Tests/SandboxTestSupport"),
        // One tmux driver and the process helpers of the end-to-end tests in a real terminal.
        .target(name: "TerminalTestSupport", path: "Tests/TerminalTestSupport"),

        // AWS: SigV4 signer, credentials, libcurl transport, STS and S3. The only importer of CCurl and COpenSSL.
        .target(name: "AWSClient", dependencies: ["CCurl", "COpenSSL", "TFCSupport"]),

        // Argument parsing and wiring of the parts; the executable only calls it.
        // The bundled challenges: manifests, workspaces, the TODO scanner, the four checks.
        .target(name: "Challenge", dependencies: ["TFCSupport", "AWSClient", "Sandbox"]),
        // terraform as child processes: -json event decoding, rendering, mirror/cache, sandbox override.
        .target(name: "TerraformRunner", dependencies: ["TFCSupport"]),

        // The candidate's screen: pure state and update (Core), pure drawing into a
        // cell buffer (Views), and the one module that talks to ncurses (Terminal).
        .target(name: "Core", dependencies: ["Challenge", "TerraformRunner"]),
        .target(name: "Views", dependencies: ["Core"]),
        .target(name: "Terminal", dependencies: ["Core", "Views", "CNcurses", "TFCSupport"]),

        // The session log: NDJSON writer/reader, tailing, replay clock, asciicast export.
        .target(name: "SessionLog", dependencies: ["TFCSupport", "Core", "Views", "Challenge", "TerraformRunner"]),

        .target(name: "CLI", dependencies: ["TFCSupport", "Challenge", "TerraformRunner", "Sandbox", "SessionLog", "Core", "Views", "Terminal"]),
        .executableTarget(name: "tfchallenge", dependencies: ["CLI"]),
        // Benchmarks (not tests): swift run -c release tfchallenge-bench
        .executableTarget(name: "tfchallenge-bench", dependencies: ["TFCSupport", "TerraformRunner", "Sandbox", "SessionLog", "AWSClient", "Challenge", "Core", "Views"]),
        // Writes a synthetic session log (benchmarks, the kill -9 durability test).
        .executableTarget(name: "tfchallenge-loggen", dependencies: ["SessionLog"]),

        .testTarget(name: "TFCSupportTests", dependencies: ["TFCSupport"]),
        .testTarget(name: "CLITests", dependencies: ["CLI", "TFCSupport"]),
        .testTarget(name: "ChallengeTests", dependencies: ["Challenge", "CLI", "TFCSupport", "Sandbox", "SandboxTestSupport",
                                                          "TerraformRunner"]),
        .testTarget(name: "TerraformRunnerTests", dependencies: ["TerraformRunner", "TFCSupport", "CLI", "Sandbox"]),
        .testTarget(name: "AWSClientTests", dependencies: ["AWSClient", "Sandbox", "SandboxTestSupport", "TFCSupport"]),
        .testTarget(name: "SandboxTests", dependencies: ["Sandbox", "SandboxTestSupport", "CLI", "TFCSupport"]),
        .testTarget(name: "CoreTests", dependencies: ["Core"]),
        .testTarget(name: "ViewsTests", dependencies: ["Views", "Core"]),
        .testTarget(name: "TerminalTests", dependencies: ["Terminal", "Core", "Challenge", "Sandbox", "TFCSupport",
                                                          "TerminalTestSupport"]),
        .testTarget(name: "SessionLogTests", dependencies: ["SessionLog", "TFCSupport", "CLI", "Core", "Views", "Challenge", "Sandbox",
                                                            "TerminalTestSupport"]),
    ]
)
