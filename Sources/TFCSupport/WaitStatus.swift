/// The exit code of a `waitpid` status word as a shell reports it: the process's exit
/// status, or 128 + N when signal N ended it. (WIFEXITED and WEXITSTATUS are macros,
/// which Swift cannot call: the status word is decoded by hand.)
public func exitCode(waitStatus status: Int32) -> Int32 {
    let signal = status & 0x7f
    return signal == 0 ? (status >> 8) & 0xff : 128 + signal
}
