import Replication
import Testing

struct HybridLogicalClockTests {
    @Test func ticksFollowTheWallClockWhenItMovesForward() {
        var clock = HybridLogicalClock()
        #expect(clock.tick(now: 1_000) == Timestamp(milliseconds: 1_000, counter: 0))
        #expect(clock.tick(now: 1_005) == Timestamp(milliseconds: 1_005, counter: 0))
    }

    @Test func ticksNeverGoBackwardsWhenTheWallClockDoes() {
        var clock = HybridLogicalClock()
        let first = clock.tick(now: 2_000)
        let second = clock.tick(now: 1_500)
        let third = clock.tick(now: 2_000)
        #expect(first < second && second < third)
        #expect(second == Timestamp(milliseconds: 2_000, counter: 1))
    }

    @Test func theCounterCarriesIntoTheMillisecondsWhenItOverflows() {
        var clock = HybridLogicalClock(last: Timestamp(milliseconds: 10, counter: .max))
        #expect(clock.tick(now: 5) == Timestamp(milliseconds: 11, counter: 0))
    }

    @Test func receivingARemoteStampMovesTheNextLocalStampPastIt() {
        var clock = HybridLogicalClock()
        _ = clock.tick(now: 1_000)
        let remote = Timestamp(milliseconds: 1_200, counter: 7)
        #expect(clock.receive(remote, now: 1_001) == .accepted)
        #expect(clock.tick(now: 1_001) == Timestamp(milliseconds: 1_200, counter: 8))
    }

    @Test func aStampFarInTheFutureIsFlaggedAndIgnored() {
        var clock = HybridLogicalClock(maximumDrift: 60_000)
        _ = clock.tick(now: 1_000_000)
        let future = Timestamp(milliseconds: 1_000_000 + 60_001, counter: 0)
        #expect(clock.receive(future, now: 1_000_000) == .flagged(aheadBy: 60_001))
        #expect(clock.tick(now: 1_000_000) == Timestamp(milliseconds: 1_000_000, counter: 1))
        let nearFuture = Timestamp(milliseconds: 1_000_000 + 60_000, counter: 0)
        #expect(clock.receive(nearFuture, now: 1_000_000) == .accepted)
    }

    @Test func stampsPackMillisecondsAndCounter() {
        let stamp = Timestamp(milliseconds: 0xABCDEF, counter: 0x1234)
        #expect(stamp.rawValue == 0xABCDEF_1234)
        #expect(stamp.milliseconds == 0xABCDEF && stamp.counter == 0x1234)
        #expect(Timestamp(milliseconds: .max, counter: 0).milliseconds == Timestamp.maxMilliseconds)
    }
}
