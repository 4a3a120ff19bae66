/**
 * The proxy of the window's own connections in the desktop app (the meeting's signalling WebSocket and media server
 * page, which Chromium opens, not the core): IT's `proxy` policy as an Electron ProxyConfig for
 * session.setProxy, decided here and tested under Node; main/ only applies it. Without a policy (or `system`),
 * Chromium already follows the system's settings (PAC included): null, nothing to set.
 */
import type { ProxyPolicy } from '../policy/index.js';

/** The subset of Electron's ProxyConfig Ostal uses (same field names). */
export interface SessionProxyConfig {
  mode: 'direct' | 'fixed_servers' | 'pac_script';
  proxyRules?: string;
  proxyBypassRules?: string;
  pacScript?: string;
}

export function sessionProxyConfig(policy: ProxyPolicy | null): SessionProxyConfig | null {
  if (!policy || policy.mode === 'system') return null;
  if (policy.mode === 'direct') return { mode: 'direct' };
  if (policy.mode === 'pac' && policy.pacUrl) return { mode: 'pac_script', pacScript: policy.pacUrl };
  if (policy.mode === 'fixed' && policy.url) {
    const u = new URL(policy.url);
    // Chromium takes « host:port »; credentials in the address are not passed (it asks through its login event).
    return { mode: 'fixed_servers', proxyRules: u.host || policy.url, proxyBypassRules: policy.bypass.join(',') };
  }
  return null;
}
