import Foundation

/// A workspace's terraform outputs, read from its local state file.
///
/// The checks read the state file directly instead of running
/// `terraform output -json`: a check round must take well under a second, and
/// starting terraform alone takes longer. Only the local backend is read; a
/// workspace with another backend has no state file here and gets a clear message.
public enum TerraformOutputs {
    public enum Problem: Error, Equatable, CustomStringConvertible {
        case noState(String)
        case unreadable(String)
        case missing([String])

        public var description: String {
            switch self {
            case .noState(let dir):
                return "no terraform outputs yet in \(dir): run terraform init and terraform apply"
            case .unreadable(let path):
                return "cannot read terraform's state \(path)"
            case .missing(let names):
                return "terraform outputs missing: \(names.joined(separator: ", ")) (run terraform apply; keep outputs.tf)"
            }
        }
    }

    /// The state file of the workspace's selected terraform workspace.
    public static func stateFile(in directory: URL) -> URL {
        let env = directory.appendingPathComponent(".terraform/environment")
        if let data = try? Data(contentsOf: env) {
            let name = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            if !name.isEmpty && name != "default" && !name.contains("/") {
                return directory.appendingPathComponent("terraform.tfstate.d/\(name)/terraform.tfstate")
            }
        }
        return directory.appendingPathComponent("terraform.tfstate")
    }

    /// Output name -> value, for outputs whose value is a string.
    public static func read(directory: URL) throws(Problem) -> [String: String] {
        let url = stateFile(in: directory)
        guard let data = try? Data(contentsOf: url) else { throw .noState(directory.path) }
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw .unreadable(url.path)
        }
        let outputs = object["outputs"] as? [String: Any] ?? [:]
        var values: [String: String] = [:]
        for (name, raw) in outputs {
            if let entry = raw as? [String: Any], let value = entry["value"] as? String {
                values[name] = value
            }
        }
        return values
    }

    /// The check inputs from the outputs, or the names of the missing ones.
    public static func inputs(_ values: [String: String], manifest: ChallengeManifest,
                              region: String? = nil) throws(Problem) -> CheckInputs {
        let names = manifest.outputs
        let required = [names.bucket, names.role, names.kmsKey]
        let missing = required.filter { (values[$0] ?? "").isEmpty }
        if !missing.isEmpty { throw .missing(missing) }
        return CheckInputs(bucket: values[names.bucket] ?? "", roleArn: values[names.role] ?? "",
                           kmsKeyArn: values[names.kmsKey] ?? "",
                           seedKey: values[names.seedKey] ?? manifest.seedObject.key,
                           seedBody: manifest.seedObject.body,
                           region: region ?? values[names.region] ?? "us-east-1",
                           writeKey: manifest.writeCheckKey)
    }
}
