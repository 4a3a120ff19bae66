/**
 * What the meeting's status region says to screen readers (RGAA 7.5): a participant who joins or leaves, a hand
 * raised or lowered. The first list of peers (those already there when we join) is not announced.
 */
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { PeerInfo } from '../../../../src/shared/meet-protocol';

export function useMeetingAnnouncements(peers: PeerInfo[], joined: boolean): string {
  const { t } = useTranslation();
  const previous = useRef<Map<string, PeerInfo> | null>(null);
  const [announcement, setAnnouncement] = useState('');
  useEffect(() => {
    if (!joined) return;
    const now = new Map(peers.map((peer) => [peer.peerId, peer]));
    const before = previous.current;
    previous.current = now;
    if (!before) return;
    const lines: string[] = [];
    for (const peer of peers) {
      const was = before.get(peer.peerId);
      if (!was) lines.push(t('accessibilite.participantJoined', { name: peer.displayName }));
      else if (peer.hand && !was.hand) lines.push(t('accessibilite.handRaised', { name: peer.displayName }));
      else if (!peer.hand && was.hand) lines.push(t('accessibilite.handLowered', { name: peer.displayName }));
    }
    for (const [peerId, was] of before) {
      if (!now.has(peerId)) lines.push(t('accessibilite.participantLeft', { name: was.displayName }));
    }
    if (lines.length > 0) setAnnouncement(lines.join(' '));
  }, [peers, joined, t]);
  return announcement;
}
