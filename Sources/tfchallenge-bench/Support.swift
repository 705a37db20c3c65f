import Foundation

/// A benchmark that cannot go on, with the reason.
struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

/// The median of `xs` (0 for none).
func median(_ xs: [Double]) -> Double {
    let s = xs.sorted()
    return s.isEmpty ? 0 : s[s.count / 2]
}

/// Runs a program to completion and returns its status and standard output (standard
/// error is dropped). Secrets go through `environment`, never `args`. A non-zero status
/// is an error unless `allowFailure`.
@discardableResult
func runProgram(_ exe: URL, _ args: [String], in dir: URL? = nil, environment: [String: String]? = nil,
                allowFailure: Bool = false) throws -> (status: Int32, stdout: String) {
    let p = Process()
    p.executableURL = exe
    p.arguments = args
    if let dir { p.currentDirectoryURL = dir }
    if let environment { p.environment = environment }
    let out = Pipe()
    p.standardOutput = out
    p.standardError = FileHandle.nullDevice
    p.standardInput = FileHandle.nullDevice
    try p.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    let text = String(decoding: data, as: UTF8.self)
    if p.terminationStatus != 0 && !allowFailure {
        throw BenchError("\(exe.lastPathComponent) \(args.first ?? "") exited with status \(p.terminationStatus):\n\(text.suffix(2000))")
    }
    return (p.terminationStatus, text)
}
