import AWSClient
import Foundation
import Testing

@Suite("Signer stages and S3 flavour")
struct SignerTests {
    let date = Date(timeIntervalSince1970: 1_369_353_600)  // 2013-05-24T00:00:00Z
    let creds = Credentials(accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")

    @Test("signing key matches AWS's documented derivation example")
    func signingKeyExample() {
        // AWS General Reference, "Examples of how to derive a signing key for Signature Version 4".
        let signer = SigV4Signer(credentials: Credentials(accessKeyId: "AKIDEXAMPLE",
                                                          secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
                                 region: "us-east-1", service: "iam", flavour: .standard)
        let day = Date(timeIntervalSince1970: 1_329_264_000)  // 2012-02-15
        #expect(Crypto.hex(signer.signingKey(date: day))
            == "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d")
        #expect(signer.scope(date: day) == "20120215/us-east-1/iam/aws4_request")
    }

    @Test("crypto primitives: SHA-256 and HMAC (RFC 4231 case 2)")
    func crypto() {
        #expect(Crypto.hex(Crypto.sha256("")) == Crypto.emptySHA256)
        #expect(Crypto.hex(Crypto.sha256("abc")) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(Crypto.hex(Crypto.hmacSHA256(key: Array("Jefe".utf8), "what do ya want for nothing?"))
            == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        // RFC 4231 case 6: a key longer than the block is hashed first.
        #expect(Crypto.hex(Crypto.hmacSHA256(key: [UInt8](repeating: 0xaa, count: 131),
                                             "Test Using Larger Than Block-Size Key - Hash Key First"))
            == "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")
        #expect(Crypto.hex(Crypto.hmacSHA256(key: [], "")) == "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad")
    }

    @Test("S3 keys are encoded once, per byte, keeping / and unreserved characters", arguments: [
        ("/bucket/my file.txt", "/bucket/my%20file.txt"),
        ("/bucket/a+b=c", "/bucket/a%2Bb%3Dc"),
        ("/bucket/tilde~dash-under_dot.", "/bucket/tilde~dash-under_dot."),
        ("/bucket/ünï/cödé€", "/bucket/%C3%BCn%C3%AF/c%C3%B6d%C3%A9%E2%82%AC"),
        ("/bucket/100%", "/bucket/100%25"),
        ("/bucket/a//b/../c/./d", "/bucket/a//b/../c/./d"),
        ("/bucket/q?x&y#z", "/bucket/q%3Fx%26y%23z"),
    ])
    func s3Keys(_ pair: (String, String)) {
        #expect(SigV4Signer.canonicalURI(pair.0, normalize: false) == pair.1)
        #expect(SigV4Signer.encodedPath(pair.0) == pair.1)
    }

    @Test("S3 flavour signs the path as sent, and x-amz-content-sha256")
    func s3Flavour() {
        let signer = SigV4Signer(credentials: creds, region: "us-east-1", service: "s3", flavour: .s3)
        let req = SigningRequest(method: "PUT", path: "/b/dir/../k +=~é", headers: [HTTPHeader("Host", "h")])
        let r = signer.signHeaders(req, payload: .unsigned, date: date)
        let lines = r.canonicalRequest.text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines[1] == "/b/dir/../k%20%2B%3D~%C3%A9")
        #expect(r.headers.contains(HTTPHeader("x-amz-content-sha256", "UNSIGNED-PAYLOAD")))
        #expect(r.canonicalRequest.signedHeaders == "host;x-amz-content-sha256;x-amz-date")
        #expect(lines.last == "UNSIGNED-PAYLOAD")
        // The generic flavour normalises the same path.
        let generic = SigV4Signer(credentials: creds, region: "us-east-1", service: "s3", flavour: .standard)
        #expect(generic.canonicalRequest(req, payload: .empty).text.split(separator: "\n")[1] == "/b/k%20%2B%3D~%C3%A9")
    }

    @Test("query values are encoded with / as %2F and sorted by name then value")
    func query() {
        let q = SigV4Signer.canonicalQuery([QueryParameter("prefix", "a b/c+"), QueryParameter("list-type", "2"),
                                            QueryParameter("b", "2"), QueryParameter("b", "1")])
        #expect(q == "b=1&b=2&list-type=2&prefix=a%20b%2Fc%2B")
    }

    @Test("session token is signed as a header and as a query parameter")
    func sessionToken() {
        var c = creds
        c.sessionToken = "TOKEN/with+chars="
        let signer = SigV4Signer(credentials: c, region: "eu-west-1", service: "s3", flavour: .s3)
        let req = SigningRequest(method: "GET", path: "/", headers: [HTTPHeader("Host", "h")])
        let h = signer.signHeaders(req, payload: .empty, date: date)
        #expect(h.canonicalRequest.signedHeaders == "host;x-amz-content-sha256;x-amz-date;x-amz-security-token")
        let p = signer.presign(req, payload: .unsigned, date: date, expires: 60)
        #expect(p.canonicalRequest.text.contains("X-Amz-Security-Token=TOKEN%2Fwith%2Bchars%3D"))
        #expect(p.query.last?.name == "X-Amz-Signature")
    }

    @Test("credentials never describe their secrets")
    func credentialsDescription() {
        let c = Credentials(accessKeyId: "AKIAPLANTEDKEYID0001", secretAccessKey: "planted-secret-value-123",
                            sessionToken: "planted-session-token-456", expiration: date)
        for text in [c.description, c.debugDescription, "\(c)", String(reflecting: c)] {
            #expect(!text.contains("AKIAPLANTEDKEYID0001"))
            #expect(!text.contains("planted-secret-value-123"))
            #expect(!text.contains("planted-session-token-456"))
        }
    }
}
