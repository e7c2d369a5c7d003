import Foundation
import JSON
import SlipwayAPI
import Testing

@Suite("SlipwayAPI deployment windows")
struct SlipwayAPIWindowTests {
    static func date(_ text: String) -> Date {
        RFC3339.date(from: text) ?? Date(timeIntervalSince1970: 0)
    }

    /// web-production's windows: Mon–Thu 09–17 and Fri 09–12 in Berlin, frozen over the new year.
    static func webProduction() throws -> DeploymentWindows {
        let target = try Fixtures.example(kind: "DeploymentTarget", named: "web-production").decode(as: DeploymentTarget.self)
        return try #require(target.spec.windows)
    }

    @Test("inside a window a release may start")
    func open() throws {
        // Wednesday 2026-11-25 10:00 in Berlin (UTC+1).
        #expect(try Self.webProduction().decision(at: Self.date("2026-11-25T09:00:00Z")) == .open)
    }

    @Test("after hours the request waits for the next morning, in the target's time zone")
    func nextMorning() throws {
        let decision = try Self.webProduction().decision(at: Self.date("2026-11-25T17:30:00Z"))
        #expect(decision == .outsideWindows(opensAt: Self.date("2026-11-26T08:00:00Z")))
        #expect(decision.message == "outside the deployment windows; the next window opens at 2026-11-26T08:00:00Z")
    }

    @Test("Friday afternoon waits for Monday")
    func weekend() throws {
        // Friday 2026-11-27 13:00 Berlin.
        let decision = try Self.webProduction().decision(at: Self.date("2026-11-27T12:00:00Z"))
        #expect(decision.opensAt == Self.date("2026-11-30T08:00:00Z"))
        #expect(!decision.isOpen)
    }

    @Test("a freeze closes open hours and reopens at the first window after it")
    func freeze() throws {
        // Wednesday 2026-12-23 10:00 Berlin, inside the year-end freeze that ends 2027-01-04T00:00Z (a Monday).
        let decision = try Self.webProduction().decision(at: Self.date("2026-12-23T09:00:00Z"))
        #expect(decision == .frozen(reason: "Year-end freeze", opensAt: Self.date("2027-01-04T08:00:00Z")))
        #expect(decision.message.hasPrefix("deployments are frozen (Year-end freeze); the next window opens at 2027-01-04T08:00:00Z"))
    }

    @Test("a window past midnight covers the next morning")
    func overnight() {
        let windows = DeploymentWindows(timezone: "UTC", allowed: [AllowedWindow(days: [.saturday], start: "22:00", end: "02:00")])
        #expect(windows.decision(at: Self.date("2026-11-28T23:00:00Z")) == .open)        // Saturday night
        #expect(windows.decision(at: Self.date("2026-11-29T01:59:00Z")) == .open)        // Sunday morning
        #expect(windows.decision(at: Self.date("2026-11-29T02:00:00Z")) == .outsideWindows(opensAt: Self.date("2026-12-05T22:00:00Z")))
        #expect(windows.decision(at: Self.date("2026-11-28T21:00:00Z")).opensAt == Self.date("2026-11-28T22:00:00Z"))
    }

    @Test("daylight saving moves the window in UTC, not in local time")
    func daylightSaving() {
        let windows = DeploymentWindows(timezone: "Europe/Berlin", allowed: [AllowedWindow(days: [.monday], start: "09:00", end: "10:00")])
        // Berlin switches to summer time on Sunday 2026-03-29: Monday 09:00 is 07:00 UTC, a week earlier 08:00 UTC.
        #expect(windows.decision(at: Self.date("2026-03-23T07:30:00Z")).opensAt == Self.date("2026-03-23T08:00:00Z"))
        #expect(windows.decision(at: Self.date("2026-03-24T07:30:00Z")).opensAt == Self.date("2026-03-30T07:00:00Z"))
        #expect(windows.decision(at: Self.date("2026-03-30T07:30:00Z")) == .open)
    }

    @Test("no allowed windows means always open, except during freezes; a bad time zone keeps it closed")
    func edges() {
        #expect(DeploymentWindows().decision(at: Self.date("2026-11-29T03:00:00Z")) == .open)
        let frozen = DeploymentWindows(freezes: [Freeze(start: "2026-11-29T00:00:00Z", end: "2026-11-30T00:00:00Z")])
        #expect(frozen.decision(at: Self.date("2026-11-29T03:00:00Z")) == .frozen(reason: nil, opensAt: Self.date("2026-11-30T00:00:00Z")))
        let allDay = DeploymentWindows(allowed: [AllowedWindow(days: [.sunday], start: "00:00", end: "24:00")])
        #expect(allDay.decision(at: Self.date("2026-11-29T23:59:00Z")) == .open)
        #expect(DeploymentWindows(timezone: "Mars/Olympus_Mons").decision(at: Self.date("2026-11-29T03:00:00Z")) == .outsideWindows(opensAt: nil))
    }
}
