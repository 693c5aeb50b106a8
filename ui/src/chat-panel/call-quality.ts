/**
 * Connection quality of one call peer from two getStats() snapshots: round-trip time of the
 * selected candidate pair and the share of inbound packets lost between the snapshots. Pure,
 * so it is tested without a browser.
 */
import { t, uiLanguage } from '../i18n/index.ts';

/** The fields of RTCStats entries this reads (the rest are ignored). */
export interface StatsEntry {
  id: string;
  type: string;
  kind?: string;
  state?: string;
  nominated?: boolean;
  selectedCandidatePairId?: string;
  localCandidateId?: string;
  currentRoundTripTime?: number;
  candidateType?: string;
  relayProtocol?: string;
  packetsLost?: number;
  packetsReceived?: number;
  bytesReceived?: number;
  bytesSent?: number;
}

export type QualityLevel = 'good' | 'fair' | 'poor' | 'connecting';

export interface Quality {
  level: QualityLevel;
  rttMs: number | null;
  /** Inbound packets lost since the previous snapshot, in percent. */
  lossPercent: number;
  /** Media goes through the TURN relay (and over which protocol to it). */
  relay: string | null;
  bytesReceived: number;
  bytesSent: number;
}

interface Totals {
  lost: number;
  received: number;
}

function totals(entries: StatsEntry[]): Totals {
  let lost = 0;
  let received = 0;
  for (const e of entries) {
    if (e.type !== 'inbound-rtp') continue;
    lost += Math.max(0, e.packetsLost ?? 0);
    received += e.packetsReceived ?? 0;
  }
  return { lost, received };
}

function selectedPair(entries: StatsEntry[]): StatsEntry | undefined {
  const transport = entries.find((e) => e.type === 'transport' && e.selectedCandidatePairId);
  const byId = transport && entries.find((e) => e.id === transport.selectedCandidatePairId);
  return byId ?? entries.find((e) => e.type === 'candidate-pair' && e.state === 'succeeded' && e.nominated);
}

export function assessQuality(now: StatsEntry[], before: StatsEntry[] | null): Quality {
  const pair = selectedPair(now);
  const local = pair && now.find((e) => e.id === pair.localCandidateId);
  const t1 = totals(now);
  const t0 = before ? totals(before) : { lost: 0, received: 0 };
  const lost = t1.lost - t0.lost;
  const got = t1.received - t0.received;
  const lossPercent = lost + got > 0 ? (100 * lost) / (lost + got) : 0;
  const rttMs = pair?.currentRoundTripTime !== undefined ? Math.round(pair.currentRoundTripTime * 1000) : null;
  let bytesReceived = 0;
  let bytesSent = 0;
  for (const e of now) {
    if (e.type === 'inbound-rtp') bytesReceived += e.bytesReceived ?? 0;
    if (e.type === 'outbound-rtp') bytesSent += e.bytesSent ?? 0;
  }
  let level: QualityLevel = 'connecting';
  if (pair) {
    const rtt = rttMs ?? 0;
    level = rtt < 300 && lossPercent < 2 ? 'good' : rtt < 600 && lossPercent < 8 ? 'fair' : 'poor';
  }
  const relay = local?.candidateType === 'relay' ? (local.relayProtocol ?? 'relay') : null;
  return { level, rttMs, lossPercent, relay, bytesReceived, bytesSent };
}

const LEVEL_KEYS = { good: 'call.quality.good', fair: 'call.quality.fair', poor: 'call.quality.poor' } as const;

/** "good · 42 ms · relayed over TCP", in the reader's language (the dot needs no translating). */
export function qualityLabel(q: Quality): string {
  if (q.level === 'connecting') return t('call.quality.connecting');
  const parts = [t(LEVEL_KEYS[q.level])];
  if (q.rttMs !== null) parts.push(new Intl.NumberFormat(uiLanguage(), { style: 'unit', unit: 'millisecond' }).format(q.rttMs));
  if (q.lossPercent >= 1) parts.push(t('call.quality.lost', { percent: Math.round(q.lossPercent) }));
  if (q.relay) parts.push(t('call.quality.relayed', { protocol: q.relay.toUpperCase() }));
  return parts.join(' · ');
}
