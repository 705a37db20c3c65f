import Foundation
import TFCSupport

/// Where terraform gets its providers: local filesystem mirrors (found, never hard-coded)
/// and a plugin cache shared by every workspace, written into a CLI configuration file
/// of tfchallenge's own that the child's `TF_CLI_CONFIG_FILE` points at.
public struct ProviderSetup: Sendable, Equatable {
    /// Where a mirror list came from, in the order they are tried.
    public enum Source: String, Sendable, Equatable {
        /// `TFCHALLENGE_PROVIDER_MIRROR` (a colon-separated list).
        case environment
        /// A `filesystem_mirror` in the user's own CLI configuration (`TF_CLI_CONFIG_FILE` or `~/.terraformrc`).
        case userConfig
        /// terraform's implied local mirror directories (`~/.terraform.d/plugins`, ...).
        case impliedDirectories
        /// A conventional system location (`/opt/<name>/registry.terraform.io/...`).
        case systemLocation
        /// No mirror: providers come from the registry.
        case none
    }

    public var mirrors: [String]
    public var source: Source
    /// `<provider host>/<namespace>/<type>` of the providers the mirrors hold.
    public var mirroredProviders: [String]
    public var pluginCacheDir: URL
    public var cliConfigFile: URL

    /// The text of the CLI configuration. Providers found in a mirror are installed only
    /// from the mirrors (no registry query, works offline); any other provider goes direct.
    public var cliConfigText: String {
        var lines = ["# Written by tfchallenge. Mirrors found via: \(source.rawValue).",
                     "plugin_cache_dir = \(hclString(pluginCacheDir.path))"]
        if !mirrors.isEmpty {
            lines.append("provider_installation {")
            let include = mirroredProviders.map(hclString).joined(separator: ", ")
            for m in mirrors {
                lines.append("  filesystem_mirror {")
                lines.append("    path    = \(hclString(m))")
                if !mirroredProviders.isEmpty { lines.append("    include = [\(include)]") }
                lines.append("  }")
            }
            lines.append("  direct {")
            if !mirroredProviders.isEmpty { lines.append("    exclude = [\(include)]") }
            lines.append("  }")
            lines.append("}")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Finds the mirrors, creates the plugin cache and writes the CLI configuration under
    /// `<home>/terraform/`.
    public static func prepare(paths: Paths, environment: [String: String]) throws -> ProviderSetup {
        let (mirrors, source) = discoverMirrors(environment: environment)
        let dir = paths.home.appendingPathComponent("terraform", isDirectory: true)
        let cache = dir.appendingPathComponent("plugin-cache", isDirectory: true)
        let fm = FileManager.default
        do {
            try paths.ensureHome()
            try fm.createDirectory(at: cache, withIntermediateDirectories: true)
        } catch {
            throw TerraformRunnerError.setupFailed("cannot create the plugin cache \(cache.path): \(error.localizedDescription)")
        }
        let setup = ProviderSetup(mirrors: mirrors, source: source,
                                  mirroredProviders: providers(in: mirrors),
                                  pluginCacheDir: cache,
                                  cliConfigFile: dir.appendingPathComponent("cli.tfrc"))
        let text = setup.cliConfigText
        if (try? String(contentsOf: setup.cliConfigFile, encoding: .utf8)) != text {
            do {
                try Data(text.utf8).write(to: setup.cliConfigFile, options: .atomic)
            } catch {
                throw TerraformRunnerError.setupFailed("cannot write \(setup.cliConfigFile.path): \(error.localizedDescription)")
            }
        }
        return setup
    }

    /// The mirror directories, by the first rule that finds an existing one:
    /// 1. `TFCHALLENGE_PROVIDER_MIRROR` (colon-separated; taken as given, even if empty dirs);
    /// 2. `filesystem_mirror` paths in the user's CLI config (`TF_CLI_CONFIG_FILE`, else `~/.terraformrc`);
    /// 3. terraform's implied local mirrors: `~/.terraform.d/plugins`, `$XDG_DATA_HOME/terraform/plugins`
    ///    (default `~/.local/share/terraform/plugins`), each of `$XDG_DATA_DIRS`/terraform/plugins
    ///    (default `/usr/local/share`, `/usr/share`);
    /// 4. `/opt/*/` directories holding a `registry.terraform.io` tree.
    public static func discoverMirrors(environment env: [String: String],
                                       optRoot: String = "/opt") -> ([String], Source) {
        if let list = env["TFCHALLENGE_PROVIDER_MIRROR"], !list.isEmpty {
            let dirs = list.split(separator: ":").map(String.init).filter { !$0.isEmpty }
            if !dirs.isEmpty { return (dirs, .environment) }
        }
        let home = env["HOME"] ?? NSHomeDirectory()
        let userConfig = env["TF_CLI_CONFIG_FILE"].flatMap { $0.isEmpty ? nil : $0 } ?? "\(home)/.terraformrc"
        if let text = try? String(contentsOfFile: userConfig, encoding: .utf8) {
            let dirs = filesystemMirrorPaths(inCLIConfig: text).filter(holdsProviders)
            if !dirs.isEmpty { return (dirs, .userConfig) }
        }
        let xdgData = env["XDG_DATA_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? "\(home)/.local/share"
        let dataDirs = (env["XDG_DATA_DIRS"].flatMap { $0.isEmpty ? nil : $0 } ?? "/usr/local/share:/usr/share")
            .split(separator: ":").map(String.init)
        let implied = ["\(home)/.terraform.d/plugins", "\(xdgData)/terraform/plugins"]
            + dataDirs.map { "\($0)/terraform/plugins" }
        let found = implied.filter(holdsProviders)
        if !found.isEmpty { return (found, .impliedDirectories) }
        let opt = (try? FileManager.default.contentsOfDirectory(atPath: optRoot))?.sorted() ?? []
        let system = opt.map { "\(optRoot)/\($0)" }.filter(holdsProviders)
        if !system.isEmpty { return (system, .systemLocation) }
        return ([], .none)
    }

    /// The `path` of each `filesystem_mirror` block of a CLI configuration.
    public static func filesystemMirrorPaths(inCLIConfig text: String) -> [String] {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        var paths: [String] = []
        var inMirror = false
        for line in lines where !line.hasPrefix("#") && !line.hasPrefix("//") {
            if line.hasPrefix("filesystem_mirror") { inMirror = true }
            guard inMirror else { continue }
            if let range = line.range(of: #"path\s*=\s*"([^"]*)""#, options: .regularExpression) {
                let match = line[range]
                if let open = match.firstIndex(of: "\""), let close = match.lastIndex(of: "\""), open < close {
                    paths.append(String(match[match.index(after: open)..<close]))
                }
            }
            if line.hasSuffix("}") { inMirror = false }
        }
        return paths
    }

    /// Whether `dir` holds a provider tree (`<host>/<namespace>/<type>/...`).
    static func holdsProviders(_ dir: String) -> Bool { !providers(in: [dir]).isEmpty }

    /// The `<host>/<namespace>/<type>` providers present in the mirrors.
    static func providers(in mirrors: [String]) -> [String] {
        let fm = FileManager.default
        func subdirs(_ path: String) -> [String] {
            ((try? fm.contentsOfDirectory(atPath: path)) ?? []).filter { name in
                var isDir: ObjCBool = false
                return !name.hasPrefix(".") && fm.fileExists(atPath: "\(path)/\(name)", isDirectory: &isDir) && isDir.boolValue
            }.sorted()
        }
        var result: [String] = []
        for m in mirrors {
            for host in subdirs(m) where host.contains(".") {
                for ns in subdirs("\(m)/\(host)") {
                    for type in subdirs("\(m)/\(host)/\(ns)") where !subdirs("\(m)/\(host)/\(ns)/\(type)").isEmpty
                        || !((try? fm.contentsOfDirectory(atPath: "\(m)/\(host)/\(ns)/\(type)")) ?? []).isEmpty {
                        let name = "\(host)/\(ns)/\(type)"
                        if !result.contains(name) { result.append(name) }
                    }
                }
            }
        }
        return result
    }
}

/// A double-quoted string for terraform's configuration files (HCL).
func hclString(_ s: String) -> String {
    let escaped = s.replacingOccurrences(of: "\\", with: "\\\\")
        .replacingOccurrences(of: "\"", with: "\\\"")
        .replacingOccurrences(of: "\n", with: "\\n")
    return "\"" + escaped + "\""
}
