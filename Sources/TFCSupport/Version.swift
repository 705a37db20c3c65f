/// The program's version, shown by `--version` and written into session logs.
public enum TFChallengeVersion {
    public static let current = "0.1.0"
}
