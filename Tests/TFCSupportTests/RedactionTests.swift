import Foundation
import Testing
@testable import TFCSupport

@Suite struct RedactionTests {
    @Test func literalSecretsAreReplacedEverywhere() {
        let r = Redactor(secrets: ["wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "hunter22"])
        let text = "key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY pw=hunter22 again hunter22"
        #expect(r.redact(text) == "key=\(Redactor.marker) pw=\(Redactor.marker) again \(Redactor.marker)")
        #expect(r.containsSecret(text))
        #expect(!r.containsSecret("nothing to see"))
    }

    @Test func longerSecretsWinOverTheirPrefixes() {
        let r = Redactor(secrets: ["abcd", "abcdefgh"])
        #expect(r.redact("xabcdefghx") == "x\(Redactor.marker)x")
    }

    @Test func tooShortValuesAreNotScrubbed() {
        let r = Redactor(secrets: ["", "a", "ab", "abc"])
        #expect(r.count == 0)
        #expect(r.redact("a b abc") == "a b abc")
    }

    @Test(arguments: [
        ("The AWS Access Key Id AKIAIOSFODNN7EXAMPLE does not exist", "The AWS Access Key Id \(Redactor.marker) does not exist"),
        ("<AccessKeyId>ASIAY34FZKBOKMUTVV7A</AccessKeyId>", "<AccessKeyId>\(Redactor.marker)</AccessKeyId>"),
        ("AKIA too short AKIA1234", "AKIA too short AKIA1234"),
        ("akiaiosfodnn7example is lower case", "akiaiosfodnn7example is lower case"),
    ])
    func accessKeyIdsAreFoundByPattern(input: String, expected: String) {
        #expect(Redactor().redact(input) == expected)
    }

    @Test func secretKeysNextToTheWordSecretAreFoundByPattern() {
        let key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
        let r = Redactor()
        #expect(r.redact("aws_secret_access_key = \(key)") == "aws_secret_access_key = \(Redactor.marker)")
        #expect(r.redact("{\"SecretAccessKey\": \"\(key)\"}") == "{\"SecretAccessKey\": \"\(Redactor.marker)\"}")
        // A 40-character hex digest far from any "secret" stays.
        let sha = "da39a3ee5e6b4b0d3255bfef95601890afd80709"
        #expect(r.redact("commit \(sha)") == "commit \(sha)")
    }

    @Test func environmentSecretsAreCollected() {
        let env = ["AWS_ACCESS_KEY_ID": "AKIAXXXXXXXXXXXXXXXX", "AWS_SECRET_ACCESS_KEY": "s3cr3t-value-1234",
                   "AWS_SESSION_TOKEN": "FwoGZXIvYXdzEJr//////////token", "GITHUB_TOKEN": "ghp_abcdefgh",
                   "TF_VAR_db_password": "pa55word!", "HOME": "/home/someone", "PATH": "/usr/bin"]
        let r = Redactor.fromEnvironment(env)
        for name in ["AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "GITHUB_TOKEN", "TF_VAR_db_password"] {
            let value = env[name] ?? ""
            #expect(!r.redact("x \(value) y").contains(value), "\(name) leaked")
        }
        #expect(r.redact("/home/someone:/usr/bin") == "/home/someone:/usr/bin")
    }

    @Test func sensitiveTerraformOutputsAreCollected() {
        let json = """
        {"role_arn":{"sensitive":false,"type":"string","value":"arn:aws:iam::123456789012:role/client"},
         "client_secret":{"sensitive":true,"type":"string","value":"Zm9vYmFyYmF6cXV4"},
         "nested":{"sensitive":true,"type":["object",{}],"value":{"token":"tok-998877","n":[987654321]}}}
        """
        var r = Redactor()
        #expect(r.addSensitiveOutputs(terraformOutputJSON: json) == 2)
        #expect(r.redact("Zm9vYmFyYmF6cXV4 tok-998877 987654321") == "\(Redactor.marker) \(Redactor.marker) \(Redactor.marker)")
        #expect(r.redact("arn:aws:iam::123456789012:role/client") == "arn:aws:iam::123456789012:role/client")
        #expect(r.addSensitiveOutputs(terraformOutputJSON: "not json") == 0)
    }

    @Test func theRedactorNeverPrintsItsSecrets() {
        let r = Redactor(secrets: ["very-secret-value"])
        #expect(!String(describing: r).contains("very-secret-value"))
        #expect(!String(reflecting: r).contains("very-secret-value"))
        var dumped = ""
        dump(r, to: &dumped)
        #expect(!dumped.contains("very-secret-value"))
    }
}
