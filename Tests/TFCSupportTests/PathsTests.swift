import Foundation
import Testing
@testable import TFCSupport

@Suite struct PathsTests {
    @Test func environmentOverridesEveryLocation() {
        let p = Paths.resolve(environment: ["TFCHALLENGE_HOME": "/tmp/h", "TFCHALLENGE_VENV": "/tmp/v",
                                            "TFCHALLENGE_ROOT": "/tmp/r"], executable: nil)
        #expect(p.home.path == "/tmp/h")
        #expect(p.venv.path == "/tmp/v")
        #expect(p.resources.path == "/tmp/r")
        #expect(p.python.path == "/tmp/v/bin/python3")
    }

    @Test func defaultsFollowXDGThenHome() {
        let xdg = Paths.resolve(environment: ["XDG_DATA_HOME": "/tmp/xdg", "HOME": "/tmp/u"], executable: nil)
        #expect(xdg.home.path == "/tmp/xdg/tfchallenge")
        #expect(xdg.venv.path == "/tmp/xdg/tfchallenge/venv")
        let plain = Paths.resolve(environment: ["HOME": "/tmp/u"], executable: nil)
        #expect(plain.home.path == "/tmp/u/.local/share/tfchallenge")
    }

    @Test func resourcesAreFoundFromTheCheckout() {
        let p = Paths.resolve(environment: [:], executable: nil)
        #expect(FileManager.default.fileExists(atPath: p.challenges.path))
        #expect(FileManager.default.fileExists(atPath: p.sandboxScripts.appendingPathComponent("requirements.txt").path))
    }
}
