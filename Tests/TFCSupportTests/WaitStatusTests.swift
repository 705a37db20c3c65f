import Testing
import TFCSupport

@Suite struct WaitStatusTests {
    /// Status words as Linux's waitpid writes them: exit status in bits 8-15, the
    /// terminating signal in bits 0-6.
    @Test(arguments: [
        (Int32(0), Int32(0)),          // exit 0
        (Int32(1 << 8), Int32(1)),     // exit 1
        (Int32(125 << 8), Int32(125)), // exit 125
        (Int32(9), Int32(137)),        // killed by SIGKILL
        (Int32(15), Int32(143)),       // ended by SIGTERM
        (Int32(2 | 0x80), Int32(130)), // SIGINT with a core dump flag
    ])
    func decodesLikeAShell(status: Int32, code: Int32) {
        #expect(exitCode(waitStatus: status) == code)
    }
}
