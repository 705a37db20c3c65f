import COpenSSL
import Foundation

/// SHA-256 and HMAC-SHA256 on OpenSSL's SHA-256 (see `COpenSSL/shim.h` for why not the one-shot calls),
/// plus hex encoding.
public enum Crypto {
    /// SHA-256 of raw bytes.
    public static func sha256(_ bytes: UnsafeRawBufferPointer) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: 32) { o, n in
            tfc_sha256(bytes.baseAddress, bytes.count, o.baseAddress)
            n = 32
        }
    }

    public static func sha256<D: ContiguousBytes>(_ data: D) -> [UInt8] {
        data.withUnsafeBytes { sha256($0) }
    }

    public static func sha256(_ string: String) -> [UInt8] {
        var s = string
        return s.withUTF8 { sha256(UnsafeRawBufferPointer($0)) }
    }

    /// SHA-256 of a file's contents, read in 1 MiB chunks (never the whole file in memory), and how many
    /// bytes were hashed.
    public static func sha256(fileAt url: URL) throws -> (digest: [UInt8], length: Int) {
        let file = try ReadableFile(url)
        var context = SHA256_CTX()
        tfc_sha256_init(&context)
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        var total = 0
        while true {
            let n = try buffer.withUnsafeMutableBytes { try file.read(into: $0) }
            if n == 0 { break }
            buffer.withUnsafeBytes { tfc_sha256_update(&context, $0.baseAddress, n) }
            total += n
        }
        let digest = [UInt8](unsafeUninitializedCapacity: 32) { o, count in
            tfc_sha256_final(&context, o.baseAddress)
            count = 32
        }
        return (digest, total)
    }

    /// HMAC-SHA256 of `data` with `key`.
    public static func hmacSHA256(key: [UInt8], data: UnsafeRawBufferPointer) -> [UInt8] {
        key.withUnsafeBufferPointer { k in
            [UInt8](unsafeUninitializedCapacity: 32) { o, n in
                tfc_hmac_sha256(k.baseAddress, k.count, data.baseAddress, data.count, o.baseAddress)
                n = 32
            }
        }
    }

    public static func hmacSHA256(key: [UInt8], _ string: String) -> [UInt8] {
        var s = string
        return s.withUTF8 { hmacSHA256(key: key, data: UnsafeRawBufferPointer($0)) }
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Lower-case hexadecimal.
    public static func hex(_ bytes: [UInt8]) -> String {
        String(unsafeUninitializedCapacity: bytes.count * 2) { buffer in
            var i = 0
            for b in bytes {
                buffer[i] = hexDigits[Int(b >> 4)]
                buffer[i + 1] = hexDigits[Int(b & 0x0f)]
                i += 2
            }
            return i
        }
    }

    /// Hex SHA-256 of the empty string: the payload hash of a request without a body.
    public static let emptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
}
