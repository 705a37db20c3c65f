import Foundation

/// Where commands write. Tests capture both streams; the real program writes
/// to the process's stdout and stderr.
public final class Console: @unchecked Sendable {
    private let lock = NSLock()
    private let writeOut: @Sendable (String) -> Void
    private let writeErr: @Sendable (String) -> Void
    public let environment: [String: String]
    /// Whether stdin is a terminal that can answer a question.
    public let interactive: Bool
    private let readAnswer: @Sendable () -> String?

    public init(environment: [String: String] = ProcessInfo.processInfo.environment,
                interactive: Bool = isatty(0) == 1 && isatty(1) == 1,
                out: @escaping @Sendable (String) -> Void = { FileHandle.standardOutput.write(Data($0.utf8)) },
                err: @escaping @Sendable (String) -> Void = { FileHandle.standardError.write(Data($0.utf8)) },
                readAnswer: @escaping @Sendable () -> String? = { readLine() }) {
        self.environment = environment
        self.interactive = interactive
        self.writeOut = out
        self.writeErr = err
        self.readAnswer = readAnswer
    }

    public func print(_ text: String = "") {
        lock.lock(); defer { lock.unlock() }
        writeOut(text + "\n")
    }

    public func write(_ text: String) {
        lock.lock(); defer { lock.unlock() }
        writeOut(text)
    }

    public func error(_ text: String) {
        lock.lock(); defer { lock.unlock() }
        writeErr(text + "\n")
    }

    /// Asks a yes/no question; only an explicit "y" or "yes" is a yes.
    /// Without a terminal the answer is no.
    public func confirm(_ question: String) -> Bool {
        guard interactive else { return false }
        write(question + " [y/N] ")
        guard let answer = readAnswer()?.trimmingCharacters(in: .whitespaces).lowercased() else { return false }
        return answer == "y" || answer == "yes"
    }
}

/// A console that records what it was given, for tests.
public final class CapturedConsole: Sendable {
    private let recorder = Recorder()
    public let console: Console

    public init(environment: [String: String] = ProcessInfo.processInfo.environment,
                answers: [String] = []) {
        let box = AnswerBox(answers)
        let recorder = self.recorder
        console = Console(environment: environment, interactive: !answers.isEmpty,
                          out: { recorder.append(out: $0) },
                          err: { recorder.append(err: $0) },
                          readAnswer: { box.next() })
    }

    public var stdout: String { recorder.out }
    public var stderr: String { recorder.err }
}

/// The text a `CapturedConsole` was given; its console's closures hold it, not the
/// `CapturedConsole`, so the console stays usable on its own.
private final class Recorder: @unchecked Sendable {
    private let lock = NSLock()
    private var outText = ""
    private var errText = ""
    func append(out s: String) { lock.lock(); outText += s; lock.unlock() }
    func append(err s: String) { lock.lock(); errText += s; lock.unlock() }
    var out: String { lock.lock(); defer { lock.unlock() }; return outText }
    var err: String { lock.lock(); defer { lock.unlock() }; return errText }
}

private final class AnswerBox: @unchecked Sendable {
    private let lock = NSLock()
    private var answers: [String]
    init(_ answers: [String]) { self.answers = answers }
    func next() -> String? {
        lock.lock(); defer { lock.unlock() }
        return answers.isEmpty ? nil : answers.removeFirst()
    }
}
