import Core
import Foundation
import TFCSupport
import Views

/// Events posted by workers (terraform, checks, the file watcher, the sandbox)
/// for the UI thread. Posting wakes the UI thread through a pipe.
public final class EventQueue: @unchecked Sendable {
    private let lock = NSLock()
    private var pending: [Event] = []
    let readFD: Int32
    private let writeFD: Int32

    public init() throws {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else {
            throw TerminalError(description: "could not create the event pipe: \(String(cString: strerror(errno)))")
        }
        readFD = fds[0]
        writeFD = fds[1]
        for fd in fds {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        }
    }

    deinit {
        close(readFD)
        close(writeFD)
    }

    /// Thread-safe: queues `event` for the UI thread.
    public func post(_ event: Event) {
        lock.lock()
        pending.append(event)
        lock.unlock()
        var byte: UInt8 = 1
        _ = write(writeFD, &byte, 1)  // A full pipe already means "wake up".
    }

    func drain() -> [Event] {
        var sink = [UInt8](repeating: 0, count: 256)
        while read(readFD, &sink, sink.count) > 0 {}
        lock.lock(); defer { lock.unlock() }
        let events = pending
        pending.removeAll(keepingCapacity: true)
        return events
    }
}

/// Performs the effects that do not touch the screen (terraform, checks,
/// scans). Results come back as events through `post`; `perform` must not
/// block the UI thread.
public protocol EffectPerformer: AnyObject {
    func perform(_ effect: Effect, post: @escaping @Sendable (Event) -> Void)
    /// The loop ended: stop every worker and child process.
    func shutdown()
}

/// The UI loop: one thread reads keys and worker events, folds them through
/// `update`, performs the effects, and draws `view(state)` through the
/// diffing backend.
public final class App {
    public let queue: EventQueue
    private let screen: TerminalScreen
    private let sink: EventSink?
    private let performer: EffectPerformer
    private let workspace: URL
    private let environment: [String: String]
    public private(set) var state: State
    private let started = ContinuousClock.now
    private var lastTick = -1.0
    private var done = false

    public init(state: State, screen: TerminalScreen, queue: EventQueue, sink: EventSink?, performer: EffectPerformer,
                workspace: URL, environment: [String: String]) {
        self.state = state
        self.screen = screen
        self.queue = queue
        self.sink = sink
        self.performer = performer
        self.workspace = workspace
        self.environment = environment
    }

    private var now: Double { (ContinuousClock.now - started).inSeconds }

    /// Runs until a quit effect; returns the final state. The caller closes the
    /// screen and then calls the performer's `shutdown` (which may wait for
    /// terraform to stop).
    @discardableResult
    public func run() -> State {
        handle([.resize(screen.size), .tick(0)])
        lastTick = 0
        render()
        while !done {
            let untilTick = max(0, lastTick + 1 - now)
            var fds = [pollfd(fd: 0, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: queue.readFD, events: Int16(POLLIN), revents: 0)]
            _ = poll(&fds, 2, Int32(untilTick * 1000) + 1)
            var events: [Event] = []
            for input in screen.readInput() {
                switch input {
                case .key(let k): events.append(.key(k))
                case .mouse(let m): events.append(.mouse(m))
                case .resize: events.append(.resize(screen.size))
                }
            }
            events += queue.drain()
            let t = now
            if t >= lastTick + 1 {
                lastTick = t.rounded(.down)
                events.append(.tick(lastTick))
            }
            guard !events.isEmpty else { continue }
            handle(events)
            if !done { render() }
        }
        return state
    }

    private func handle(_ events: [Event]) {
        for event in events {
            sink?.record(event)
            let effects = update(&state, event)
            for effect in effects { perform(effect) }
            if done { return }
        }
    }

    private func perform(_ effect: Effect) {
        switch effect {
        case .quit:
            done = true
        case .redraw:
            screen.invalidate()
        case .openEditor(let location):
            openEditor(location)
        default:
            let queue = self.queue
            performer.perform(effect) { queue.post($0) }
        }
    }

    private func openEditor(_ location: SourceLocation) {
        let editor = EditorCommand.editor(environment: environment)
        let argv = EditorCommand.argv(editor: editor, file: location.file, line: location.line)
        screen.suspend()
        var failure: String?
        do {
            let status = try runForeground(argv, directory: workspace.path)
            if status != 0 { failure = "\(argv[0]) exited with status \(status)" }
        } catch {
            failure = "\(error)"
        }
        screen.resume()
        queue.post(.notice(failure ?? "back from \(argv[0]) (\(location.file):\(location.line))"))
        let queue = self.queue
        performer.perform(.rescanTodos) { queue.post($0) }
    }

    private func render() {
        let size = screen.size
        screen.draw(view(state, size: size, options: ViewOptions(ascii: !screen.capabilities.unicode)))
    }
}
