import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A file opened for reading (a streamed upload's source, or a file being hashed). Owns the descriptor.
final class ReadableFile {
    let path: String
    private let fd: Int32

    init(_ url: URL) throws {
        path = url.path
        fd = open(url.path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw FileErrors.error("cannot open", path) }
    }

    deinit { close(fd) }

    /// The file's size now.
    func size() throws -> Int {
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw FileErrors.error("cannot stat", path) }
        return Int(st.st_size)
    }

    /// Reads up to `buffer.count` bytes; 0 at the end of the file.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
        while true {
            let n = Glibc.read(fd, base, buffer.count)
            if n >= 0 { return n }
            if errno != EINTR { throw FileErrors.error("cannot read", path) }
        }
    }

    /// Moves to `offset` from the start (for curl's rewind of an upload).
    func seek(to offset: Int64) -> Bool { lseek(fd, off_t(offset), SEEK_SET) == off_t(offset) }
}

/// A file opened for writing, created or truncated (a streamed download's destination). Owns the descriptor.
final class WritableFile {
    let path: String
    private let fd: Int32

    init(truncating url: URL) throws {
        path = url.path
        fd = open(url.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw FileErrors.error("cannot create", path) }
    }

    deinit { close(fd) }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard var base = bytes.baseAddress else { return }
        var left = bytes.count
        while left > 0 {
            let n = Glibc.write(fd, base, left)
            if n < 0 {
                if errno == EINTR { continue }
                throw FileErrors.error("cannot write", path)
            }
            left -= n
            base += n
        }
    }
}

enum FileErrors {
    /// An error naming the file and the system's reason (`errno`).
    static func error(_ what: String, _ path: String) -> AWSError {
        AWSError(category: .localFile, code: AWSError.Code.fileError,
                 message: "\(what) \(path): \(String(cString: strerror(errno)))")
    }
}
