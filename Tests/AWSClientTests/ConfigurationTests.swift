import AWSClient
import Foundation
import Testing

@Suite("Credentials chain, region and endpoints")
struct ConfigurationTests {
    func tempDir() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("awsclient-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    func write(_ text: String, _ url: URL) throws { try Data(text.utf8).write(to: url) }

    @Test("environment credentials, with and without a session token")
    func environment() async throws {
        let env = ["AWS_ACCESS_KEY_ID": "AKIAENV", "AWS_SECRET_ACCESS_KEY": "envsecret", "AWS_SESSION_TOKEN": "tok"]
        let c = try #require(try await EnvironmentCredentialProvider(environment: env).credentials())
        #expect(c == Credentials(accessKeyId: "AKIAENV", secretAccessKey: "envsecret", sessionToken: "tok"))
        #expect(try await EnvironmentCredentialProvider(environment: ["AWS_ACCESS_KEY_ID": "x"]).credentials() == nil)
    }

    @Test("shared files: credentials file wins, [profile x] in config, AWS_PROFILE selects")
    func sharedFiles() async throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        try write("""
            # comment
            [default]
            aws_access_key_id = AKIADEFAULT
            aws_secret_access_key = defaultsecret

            [dev]
            aws_access_key_id=AKIADEV
            aws_secret_access_key=devsecret
            aws_session_token = devtoken
            """, dir.appendingPathComponent("credentials"))
        try write("""
            [default]
            region = eu-west-1
            [profile   ops]
            region = ap-southeast-2
            aws_access_key_id = AKIAOPS
            aws_secret_access_key = opssecret
            s3 =
              addressing_style = path
            """, dir.appendingPathComponent("config"))
        let base = ["AWS_SHARED_CREDENTIALS_FILE": dir.appendingPathComponent("credentials").path,
                    "AWS_CONFIG_FILE": dir.appendingPathComponent("config").path]
        let def = try await SharedFilesCredentialProvider(environment: base).credentials()
        #expect(def?.accessKeyId == "AKIADEFAULT")
        var env = base
        env["AWS_PROFILE"] = "dev"
        let dev = try await SharedFilesCredentialProvider(environment: env).credentials()
        #expect(dev == Credentials(accessKeyId: "AKIADEV", secretAccessKey: "devsecret", sessionToken: "devtoken"))
        env["AWS_PROFILE"] = "ops"
        #expect(try await SharedFilesCredentialProvider(environment: env).credentials()?.accessKeyId == "AKIAOPS")
        #expect(RegionResolver.resolve(environment: env) == "ap-southeast-2")
        #expect(RegionResolver.resolve(environment: base) == "eu-west-1")
        env["AWS_PROFILE"] = "missing"
        #expect(try await SharedFilesCredentialProvider(environment: env).credentials() == nil)
    }

    @Test("the default chain prefers the environment over the shared files, and says what it tried")
    func chainOrder() async throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        try write("[default]\naws_access_key_id = AKIAFILE\naws_secret_access_key = filesecret\n",
                  dir.appendingPathComponent("credentials"))
        let files = ["AWS_SHARED_CREDENTIALS_FILE": dir.appendingPathComponent("credentials").path,
                     "AWS_CONFIG_FILE": dir.appendingPathComponent("none").path, "HOME": dir.path]
        var env = files
        env["AWS_ACCESS_KEY_ID"] = "AKIAENV"
        env["AWS_SECRET_ACCESS_KEY"] = "envsecret"
        #expect(try await CredentialChain.default(environment: env).credentials()?.accessKeyId == "AKIAENV")
        #expect(try await CredentialChain.default(environment: files).credentials()?.accessKeyId == "AKIAFILE")
        let empty = ["AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/c", "AWS_CONFIG_FILE": "/nonexistent/f"]
        let error = await #expect(throws: AWSError.self) { try await CredentialChain.default(environment: empty).require() }
        #expect(error?.category == .credentials)
        #expect(error?.message.contains("environment") == true)
        #expect(error?.message.contains("shared files") == true)
    }

    @Test("region: AWS_REGION, then AWS_DEFAULT_REGION")
    func region() {
        let none = ["AWS_CONFIG_FILE": "/nonexistent/config"]
        #expect(RegionResolver.resolve(environment: none) == nil)
        #expect(RegionResolver.resolve(environment: none.merging(["AWS_DEFAULT_REGION": "eu-central-1"]) { $1 })
            == "eu-central-1")
        #expect(RegionResolver.resolve(environment: none.merging(["AWS_DEFAULT_REGION": "eu-central-1",
                                                                  "AWS_REGION": "us-west-2"]) { $1 }) == "us-west-2")
    }

    @Test("endpoints: AWS's regional ones, AWS_ENDPOINT_URL, and per-service overrides")
    func endpoints() throws {
        let aws = EndpointResolver.fromEnvironment([:])
        #expect(try aws.endpoint(service: "sts", region: "eu-west-1").origin == "https://sts.eu-west-1.amazonaws.com")
        #expect(try aws.endpoint(service: "s3", region: "us-east-1").host == "s3.us-east-1.amazonaws.com")
        #expect(try aws.endpoint(service: "iam", region: "eu-west-1").host == "iam.amazonaws.com")
        #expect(aws.signingRegion(service: "iam", region: "eu-west-1") == "us-east-1")
        let env = EndpointResolver.fromEnvironment(["AWS_ENDPOINT_URL": "http://127.0.0.1:4566",
                                                    "AWS_ENDPOINT_URL_S3": "http://localhost:9000/"])
        let s3 = try env.endpoint(service: "s3", region: "us-east-1")
        #expect(s3.origin == "http://localhost:9000" && s3.isCustom && s3.hostHeader == "localhost:9000")
        let sts = try env.endpoint(service: "sts", region: "us-east-1")
        #expect(sts.origin == "http://127.0.0.1:4566")
        let stsOnly = EndpointResolver.fromEnvironment(["AWS_ENDPOINT_URL_STS": "https://sts.example.test"])
        #expect(try stsOnly.endpoint(service: "sts", region: "us-east-1").hostHeader == "sts.example.test")
        #expect(try stsOnly.endpoint(service: "s3", region: "us-east-1").isCustom == false)
        #expect(throws: AWSError.self) { try EndpointResolver.single("not a url").endpoint(service: "s3", region: "x") }
    }

    @Test("S3 addressing: virtual-hosted on AWS for DNS-safe names, path-style otherwise and on custom endpoints")
    func addressing() throws {
        let aws = try EndpointResolver.aws.endpoint(service: "s3", region: "eu-west-1")
        let v = S3Addressing.locate(bucket: "my-bucket", key: "a b/c", endpoint: aws, forcePathStyle: false)
        #expect(v.endpoint.host == "my-bucket.s3.eu-west-1.amazonaws.com")
        #expect(v.path == "/a b/c")
        let dotted = S3Addressing.locate(bucket: "my.bucket", key: "k", endpoint: aws, forcePathStyle: false)
        #expect(dotted.endpoint.host == "s3.eu-west-1.amazonaws.com" && dotted.path == "/my.bucket/k")
        let forced = S3Addressing.locate(bucket: "my-bucket", key: nil, endpoint: aws, forcePathStyle: true)
        #expect(forced.path == "/my-bucket")
        let custom = try Endpoint(url: "http://127.0.0.1:5000")
        let c = S3Addressing.locate(bucket: "my-bucket", key: "k", endpoint: custom, forcePathStyle: false)
        #expect(c.endpoint.hostHeader == "127.0.0.1:5000" && c.path == "/my-bucket/k")
        #expect(!S3Addressing.isVirtualHostable("Upper"))
        #expect(!S3Addressing.isVirtualHostable("ab"))
    }

    @Test("INI parsing trims, ignores comments and nested blocks")
    func ini() {
        let s = SharedConfigFiles.parseINI("[a]\n k = v\nx=1 \n; c\n#c\n[ profile  b ]\ny = 2\n")
        #expect(s["a"]?["x"] == "1")
        #expect(s["a"]?["k"] == nil)
        #expect(s["profile b"]?["y"] == "2")
    }

    @Test("XML: tree access, text, CDATA, and a clear error on malformed input")
    func xml() throws {
        let doc = try XMLNode.parse(Data("<A><B>one</B><B><![CDATA[two & more]]></B><C><D> three </D></C></A>".utf8))
        #expect(doc.all("B").map(\.text) == ["one", "two & more"])
        #expect(doc.value("C", "D") == "three")
        #expect(doc.find("D")?.text == "three")
        #expect(throws: XMLNode.ParseError.self) { try XMLNode.parse(Data("<A><B></A>".utf8)) }
        #expect(throws: XMLNode.ParseError.self) { try XMLNode.parse(Data("<html>oops".utf8)) }
    }

    @Test("AWSConfiguration.fromEnvironment takes region, credentials and endpoints from the environment")
    func fromEnvironment() async throws {
        let env = ["AWS_REGION": "eu-north-1", "AWS_ACCESS_KEY_ID": "AKIAFROMENV", "AWS_SECRET_ACCESS_KEY": "s",
                   "AWS_ENDPOINT_URL_STS": "http://127.0.0.1:1", "AWS_CONFIG_FILE": "/nonexistent/config",
                   "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/credentials"]
        let config = AWSConfiguration.fromEnvironment(env)
        #expect(config.region == "eu-north-1")
        #expect(try await config.credentials.credentials()?.accessKeyId == "AKIAFROMENV")
        #expect(try config.endpoints.endpoint(service: "sts", region: config.region).origin == "http://127.0.0.1:1")
        #expect(try config.endpoints.endpoint(service: "s3", region: config.region).host == "s3.eu-north-1.amazonaws.com")
        let fallback = AWSConfiguration.fromEnvironment(["AWS_CONFIG_FILE": "/nonexistent/config"])
        #expect(fallback.region == "us-east-1")
    }
}
