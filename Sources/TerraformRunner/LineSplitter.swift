/// Splits a byte stream that arrives in arbitrary chunks into lines.
///
/// - a line may span any number of chunks; `finish()` returns an unterminated last line;
/// - `\n` and `\r\n` both end a line;
/// - bytes that are not UTF-8 are decoded lossily (U+FFFD), never dropped silently;
/// - a line longer than `maxLineBytes` keeps its first `maxLineBytes` bytes followed by a
///   note with the line's full size, so one runaway line cannot exhaust memory.
public struct LineSplitter: Sendable {
    public let maxLineBytes: Int
    private var buffer: [UInt8] = []
    /// Bytes of the current line that were dropped because it is too long.
    private var dropped = 0

    public init(maxLineBytes: Int = 4 << 20) {
        self.maxLineBytes = max(1, maxLineBytes)
    }

    /// Feeds a chunk; returns the lines it completed.
    public mutating func feed<Bytes: Sequence>(_ chunk: Bytes) -> [String] where Bytes.Element == UInt8 {
        var lines: [String] = []
        for byte in chunk {
            if byte == UInt8(ascii: "\n") {
                lines.append(takeLine())
            } else if buffer.count < maxLineBytes {
                buffer.append(byte)
            } else {
                dropped += 1
            }
        }
        return lines
    }

    /// Ends the stream: returns the last line when it had no newline.
    public mutating func finish() -> [String] {
        if buffer.isEmpty && dropped == 0 { return [] }
        return [takeLine()]
    }

    private mutating func takeLine() -> String {
        if dropped == 0, buffer.last == UInt8(ascii: "\r") { buffer.removeLast() }
        var text = String(decoding: buffer, as: UTF8.self)
        if dropped > 0 {
            text += " [line truncated: \(buffer.count + dropped) bytes, first \(buffer.count) kept]"
        }
        buffer.removeAll(keepingCapacity: buffer.count <= 64 << 10)
        dropped = 0
        return text
    }
}
