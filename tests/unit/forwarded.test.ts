import type { IncomingHttpHeaders } from 'node:http';
import { describe, expect, it } from 'vitest';
import { applyProxyTrust } from '../../src/lib/server/http/forwarded';

const forwarded = (): IncomingHttpHeaders => ({
  host: 'status.example.com',
  'x-forwarded-for': '6.6.6.6, 10.0.0.1, 203.0.113.7',
  'x-forwarded-proto': 'http, https',
  'x-forwarded-host': 'evil.example',
  'x-forwarded-port': '8443',
});

describe('applyProxyTrust', () => {
  it('drops every forwarding header when no proxy is trusted, so the socket address counts', () => {
    const headers = forwarded();
    applyProxyTrust(headers, false);
    expect(headers).toEqual({ host: 'status.example.com' });
  });

  it('behind a trusted proxy keeps only what the proxy itself added: the last hop', () => {
    const headers = forwarded();
    applyProxyTrust(headers, true);
    // 6.6.6.6 was written by the client and is not believed.
    expect(headers).toEqual({ host: 'status.example.com', 'x-forwarded-for': '203.0.113.7', 'x-forwarded-proto': 'https' });
  });

  it('leaves a request without forwarding headers alone', () => {
    const headers: IncomingHttpHeaders = { host: 'a' };
    applyProxyTrust(headers, true);
    expect(headers).toEqual({ host: 'a' });
  });
});
