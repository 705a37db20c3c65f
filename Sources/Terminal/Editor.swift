import Foundation
import TFCSupport

/// How to open a file at a line in the user's editor: `$VISUAL`, else
/// `$EDITOR`, else `vi`. The editor variable may hold arguments
/// (`code --wait`); it is split on spaces and never given to a shell.
public enum EditorCommand {
    /// The argv that opens `file` at `line` with `editor` (the variable's value).
    public static func argv(editor: String, file: String, line: Int) -> [String] {
        var words = editor.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        if words.isEmpty { words = ["vi"] }
        let name = URL(fileURLWithPath: words[0]).lastPathComponent
        let line = max(1, line)
        switch name {
        case "code", "code-insiders", "codium", "vscodium", "cursor":
            return words + ["-g", "\(file):\(line)"]
        case "micro", "hx", "helix", "kak-lsp", "subl", "zed":
            return words + ["\(file):\(line)"]
        default:
            // vi, vim, nvim, view, nano, pico, emacs, emacsclient, mg, joe, ne, kak and
            // most others understand +LINE before the file.
            return words + ["+\(line)", file]
        }
    }

    /// The editor variable from `environment`: VISUAL, then EDITOR, then vi.
    public static func editor(environment: [String: String]) -> String {
        for name in ["VISUAL", "EDITOR"] {
            if let v = environment[name]?.trimmingCharacters(in: .whitespaces), !v.isEmpty { return v }
        }
        return "vi"
    }
}

public struct EditorLaunchError: Error, CustomStringConvertible {
    public var description: String
}

/// Runs `argv` in the foreground with the terminal's own stdin/stdout/stderr
/// and waits for it. The caller has suspended curses.
func runForeground(_ argv: [String], directory: String) throws -> Int32 {
    guard let program = argv.first else { throw EditorLaunchError(description: "no editor to run") }
    var fileActions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&fileActions)
    defer { posix_spawn_file_actions_destroy(&fileActions) }
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    // The child gets the default signal handling, not ours.
    var defaults = sigset_t()
    sigemptyset(&defaults)
    for sig in [SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE] { sigaddset(&defaults, sig) }
    posix_spawnattr_setsigdefault(&attributes, &defaults)
    var unblocked = sigset_t()
    sigemptyset(&unblocked)
    posix_spawnattr_setsigmask(&attributes, &unblocked)
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

    let previous = FileManager.default.currentDirectoryPath
    _ = FileManager.default.changeCurrentDirectoryPath(directory)
    defer { _ = FileManager.default.changeCurrentDirectoryPath(previous) }

    var cArgs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
    defer { for p in cArgs { free(p) } }
    var pid: pid_t = 0
    let rc = posix_spawnp(&pid, program, &fileActions, &attributes, &cArgs, environ)
    guard rc == 0 else {
        throw EditorLaunchError(description: "could not start \(program): \(String(cString: strerror(rc)))")
    }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) == -1 {
        if errno != EINTR { throw EditorLaunchError(description: "waiting for \(program): \(String(cString: strerror(errno)))") }
    }
    return exitCode(waitStatus: status)
}
