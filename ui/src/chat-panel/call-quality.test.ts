import assert from 'node:assert/strict';
import { assessQuality, qualityLabel, type StatsEntry } from './call-quality.ts';

/** A getStats() reading as Chromium gives it: transport -> selected pair -> local candidate, and inbound RTP per kind. */
function reading(o: { rtt: number; lost: number; received: number; relay?: string; bytes?: number }): StatsEntry[] {
  return [
    { id: 'T1', type: 'transport', selectedCandidatePairId: 'CP1' },
    { id: 'CP1', type: 'candidate-pair', state: 'succeeded', nominated: true, localCandidateId: 'L1', currentRoundTripTime: o.rtt },
    { id: 'L1', type: 'local-candidate', candidateType: o.relay ? 'relay' : 'host', relayProtocol: o.relay },
    { id: 'IA', type: 'inbound-rtp', kind: 'audio', packetsLost: o.lost, packetsReceived: o.received, bytesReceived: o.bytes ?? 0 },
    { id: 'OA', type: 'outbound-rtp', kind: 'audio', bytesSent: 1234 },
  ];
}

describe('call quality from getStats', () => {
  it('is good on a short round trip without loss, and says when media is relayed', () => {
    const q = assessQuality(reading({ rtt: 0.042, lost: 0, received: 500, relay: 'tcp', bytes: 9000 }), null);
    assert.deepEqual(q, { level: 'good', rttMs: 42, lossPercent: 0, relay: 'tcp', bytesReceived: 9000, bytesSent: 1234 });
    assert.equal(qualityLabel(q), 'good · 42 ms · relayed over TCP');
  });

  it('counts loss between two readings, not since the call began', () => {
    const before = reading({ rtt: 0.05, lost: 100, received: 1000 });
    // 5 lost of 100 since the last reading: 5 %, fair; the 100 lost long ago do not count.
    const q = assessQuality(reading({ rtt: 0.05, lost: 105, received: 1095 }), before);
    assert.equal(q.level, 'fair');
    assert.equal(Math.round(q.lossPercent), 5);
    assert.equal(qualityLabel(q), 'fair · 50 ms · 5% lost');
  });

  it('is poor on a long round trip, and connecting before a path is chosen', () => {
    assert.equal(assessQuality(reading({ rtt: 0.9, lost: 0, received: 10 }), null).level, 'poor');
    const none = assessQuality([{ id: 'IA', type: 'inbound-rtp', kind: 'audio', packetsReceived: 0 }], null);
    assert.equal(none.level, 'connecting');
    assert.equal(qualityLabel(none), 'connecting…');
  });
});
