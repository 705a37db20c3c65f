import AWSClient
import Foundation
import Sandbox
import TFCSupport

/// `aws-sign`: SigV4 signatures per second, next to botocore's signer in the venv's Python (timed inside
/// Python, start-up excluded).
/// `aws-round`: one round of the checks' calls (AssumeRole, PutObject, GetObject, ListObjectsV2, ListBuckets)
/// against a fresh sandbox with connection reuse, next to the same round by boto3 in a fresh Python process.
@MainActor let awsBenchmarks: [Benchmark] = [
    Benchmark(name: "aws-sign", summary: "SigV4 signatures per second vs botocore's signer") {
        let signer = SigV4Signer(credentials: Credentials(accessKeyId: "AKIDEXAMPLE",
                                                          secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                                                          sessionToken: "session-token-example"),
                                 region: "us-east-1", service: "s3", flavour: .s3)
        let request = SigningRequest(method: "GET", path: "/bucket/some/key with space.txt",
                                     query: [QueryParameter("versionId", "3")],
                                     headers: [HTTPHeader("Host", "s3.us-east-1.amazonaws.com"),
                                               HTTPHeader("Range", "bytes=0-9")])
        let n = 50_000
        let date = Date(timeIntervalSince1970: 1_700_000_000)
        var sink = 0
        let t0 = ContinuousClock.now
        for i in 0..<n {
            let r = signer.signHeaders(request, payload: .empty, date: date.addingTimeInterval(Double(i % 60)))
            sink &+= r.signature.utf8.count
        }
        let swiftSeconds = (ContinuousClock.now - t0).inSeconds
        let swiftRate = Double(n) / swiftSeconds
        print(String(format: "   tfchallenge SigV4Signer: %.0f signatures/s (%d in %.2f s)", swiftRate, n, swiftSeconds))
        guard sink > 0 else { return }

        let python = Paths.resolve().python
        let script = """
            import time
            from botocore.auth import S3SigV4Auth
            from botocore.awsrequest import AWSRequest
            from botocore.credentials import Credentials
            creds = Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "session-token-example")
            auth = S3SigV4Auth(creds, "s3", "us-east-1")
            n = 5000
            t0 = time.perf_counter()
            for _ in range(n):
                r = AWSRequest(method="GET", url="https://s3.us-east-1.amazonaws.com/bucket/some/key%20with%20space.txt?versionId=3",
                               headers={"Range": "bytes=0-9"})
                auth.add_auth(r)
            print(n / (time.perf_counter() - t0))
            """
        let out = try runProgram(python, ["-c", script]).stdout
        guard let botoRate = Double(out.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            print("   botocore: unreadable output")
            return
        }
        print(String(format: "   botocore S3SigV4Auth:    %.0f signatures/s", botoRate))
        print(String(format: "   ratio: %.1fx botocore", swiftRate / botoRate))
    },

    Benchmark(name: "aws-round", summary: "AssumeRole+Put+Get+List+ListBuckets round vs boto3 in a fresh python") {
        let resolved = Paths.resolve()
        let home = FileManager.default.temporaryDirectory
            .appendingPathComponent("tfchallenge-bench-aws-\(UUID().uuidString.prefix(8))", isDirectory: true)
        defer { try? FileManager.default.removeItem(at: home) }
        let manager = SandboxManager(paths: Paths(home: home, venv: resolved.venv, resources: resolved.resources),
                                     exitWithParent: true)
        let state = try manager.up().state
        defer { _ = try? manager.down() }

        let transport = CurlTransport(options: TransportOptions(connectTimeout: 2, timeout: 30))
        let admin = AWSConfiguration(region: state.region,
                                     credentials: Credentials(accessKeyId: state.admin.accessKeyId,
                                                              secretAccessKey: state.admin.secretAccessKey),
                                     endpoints: .single(state.endpoint), transport: transport, retry: .none)
        let client = admin.with(credentials: Credentials(accessKeyId: state.client.accessKeyId,
                                                         secretAccessKey: state.client.secretAccessKey))
        // A bucket and a role for the client, made by the admin.
        let bucket = "bench-client-bucket"
        try await S3(admin).createBucket(bucket)
        let iam = QueryService(service: "iam", version: "2010-05-08", config: admin)
        let trust = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":""#
            + state.clientUserArn + #""},"Action":"sts:AssumeRole"}]}"#
        let (roleXML, _) = try await iam.call("CreateRole", [("RoleName", "bench-client-role"),
                                                             ("AssumeRolePolicyDocument", trust)])
        guard let roleArn = roleXML.find("Role")?.value("Arn") else { throw BenchError("CreateRole returned no Arn") }
        let policy = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#
        _ = try await iam.call("PutRolePolicy", [("RoleName", "bench-client-role"), ("PolicyName", "bench"),
                                                 ("PolicyDocument", policy)])
        let body = Data(repeating: 0x61, count: 1024)

        func round(_ i: Int) async throws {
            let role = try await STS(client).assumeRole(roleArn: roleArn, sessionName: "bench-\(i)")
            let s3 = S3(client.with(credentials: role.credentials))
            _ = try await s3.putObject(bucket: bucket, key: "bench/swift-\(i)", body: body)
            let got = try await s3.getObject(bucket: bucket, key: "bench/swift-\(i)")
            guard got.body == body else { throw BenchError("GetObject returned other bytes") }
            _ = try await s3.listObjectsV2(bucket: bucket, prefix: "bench/")
            _ = try await s3.listBuckets()
        }
        try await round(0)  // warm-up: first connection, first role
        let rounds = 15
        var swift: [Double] = []
        for i in 1...rounds {
            let t0 = ContinuousClock.now
            try await round(i)
            swift.append((ContinuousClock.now - t0).inSeconds)
        }

        let script = """
            import os, time
            t0 = time.perf_counter()
            import boto3
            from botocore.config import Config
            e = os.environ
            cfg = Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1})
            sts = boto3.client("sts", endpoint_url=e["BENCH_ENDPOINT"], region_name=e["BENCH_REGION"],
                               aws_access_key_id=e["BENCH_KEY"], aws_secret_access_key=e["BENCH_SECRET"], config=cfg)
            c = sts.assume_role(RoleArn=e["BENCH_ROLE"], RoleSessionName="bench-boto")["Credentials"]
            s3 = boto3.client("s3", endpoint_url=e["BENCH_ENDPOINT"], region_name=e["BENCH_REGION"],
                              aws_access_key_id=c["AccessKeyId"], aws_secret_access_key=c["SecretAccessKey"],
                              aws_session_token=c["SessionToken"], config=cfg)
            t1 = time.perf_counter()
            s3.put_object(Bucket=e["BENCH_BUCKET"], Key="bench/boto", Body=b"a" * 1024)
            assert s3.get_object(Bucket=e["BENCH_BUCKET"], Key="bench/boto")["Body"].read() == b"a" * 1024
            s3.list_objects_v2(Bucket=e["BENCH_BUCKET"], Prefix="bench/")
            s3.list_buckets()
            t2 = time.perf_counter()
            print(f"{t2 - t0} {t2 - t1}")
            """
        let env = ["BENCH_ENDPOINT": state.endpoint, "BENCH_REGION": state.region, "BENCH_KEY": state.client.accessKeyId,
                   "BENCH_SECRET": state.client.secretAccessKey, "BENCH_ROLE": roleArn, "BENCH_BUCKET": bucket]
        var botoProcess: [Double] = []
        var botoInner: [Double] = []
        for _ in 0..<5 {
            let t0 = ContinuousClock.now
            let out = try runProgram(resolved.python, ["-c", script], environment: ProcessInfo.processInfo.environment.merging(env) { $1 }).stdout
            botoProcess.append((ContinuousClock.now - t0).inSeconds)
            let parts = out.split(whereSeparator: { $0 == " " || $0 == "\n" }).compactMap { Double($0) }
            if parts.count == 2 { botoInner.append(parts[1]) }
        }
        let s = median(swift), b = median(botoProcess)
        print(String(format: "   tfchallenge AWSClient round: median %.1f ms, min %.1f ms (%d rounds, one transport)",
                     s * 1000, (swift.min() ?? 0) * 1000, rounds))
        print(String(format: "   boto3, fresh python process: median %.0f ms (%d runs)", b * 1000, botoProcess.count))
        if !botoInner.isEmpty {
            print(String(format: "   boto3 Put+Get+List+ListBuckets inside python (start-up, import, AssumeRole excluded): "
                + "median %.1f ms", median(botoInner) * 1000))
        }
        print(String(format: "   ratio: %.1fx faster than boto3 in a fresh process (target >= 10x)", b / s))
    },
]
