import Foundation
import Testing
@testable import SessionLog

@Suite struct JSONTests {
    @Test(arguments: [
        "null", "true", "false", "0", "-12.5e+3", "\"\"", "[]", "{}",
        "{\"a\":[1,2,{\"b\":null}],\"c\":\"x\\\"y\\\\z\\n\"}",
        "\"caf\u{E9} \u{1F600} \u{2500}\"",
    ])
    func roundTrips(text: String) throws {
        let v = try JSONValue.parse(text)
        let again = try JSONValue.parse(v.jsonText)
        #expect(again == v)
    }

    @Test func escapesAreDecoded() throws {
        let v = try JSONValue.parse(#""a\/b\u00e9\ud83d\ude00\t""#)
        #expect(v == .string("a/bé😀\t"))
    }

    @Test func keyOrderAndNumberTextAreKept() throws {
        let v = try JSONValue.parse(#"{"z":1,"a":12345678901234567890,"m":1.50}"#)
        #expect(v.jsonText == #"{"z":1,"a":12345678901234567890,"m":1.50}"#)
        #expect(v["m"]?.doubleValue == 1.5)
    }

    @Test(arguments: [
        "", "{", "[1,]", "{\"a\" 1}", "01", "1.", "-", "tru", "\"\\x\"", "\"\u{01}\"", "[1] 2",
        "\"\\ud800\"", "{\"a\":1,}", "nul",
    ])
    func invalidTextIsRefused(text: String) {
        #expect(throws: JSONParseError.self) { try JSONValue.parse(text) }
    }

    @Test func invalidUTF8IsRefused() {
        #expect(throws: JSONParseError.self) { try JSONValue.parse([0x22, 0xFF, 0xFE, 0x22]) }
    }

    @Test func deepNestingIsRefusedNotACrash() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: JSONParseError.self) { try JSONValue.parse(deep) }
    }

    @Test func controlCharactersAreEscapedOnWrite() throws {
        let v = JSONValue.string("a\u{1B}[31mb\u{0}c\"")
        #expect(v.jsonText == #""a\u001b[31mb\u0000c\"""#)
        #expect(try JSONValue.parse(v.jsonText) == v)
    }

    struct Payload: Codable, Equatable {
        var name: String
        var path: String
        var count: Int
    }

    @Test func codableValuesBridge() throws {
        let p = Payload(name: "x", path: "a/b", count: 3)
        let v = try JSONValue.encoding(p)
        #expect(v["path"] == .string("a/b"))
        #expect(try v.decode(Payload.self) == p)
    }
}
