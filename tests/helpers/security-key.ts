// A software security key for tests that run without a browser: it answers
// WebAuthn creation and request options as an authenticator and a browser
// would (a P-256 key, "none" attestation, clientDataJSON for an origin),
// written from the WebAuthn spec apart from the library Herald verifies with.
// The e2e tests use Chromium's own virtual authenticator instead.
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';

type Cbor = number | string | Buffer | Map<Cbor, Cbor>;

/** The few CBOR types an attestation object needs (RFC 8949). */
function cbor(value: Cbor): Buffer {
  const head = (major: number, n: number) => {
    if (n < 24) return Buffer.from([(major << 5) | n]);
    if (n < 256) return Buffer.from([(major << 5) | 24, n]);
    const b = Buffer.alloc(3);
    b[0] = (major << 5) | 25;
    b.writeUInt16BE(n, 1);
    return b;
  };
  if (typeof value === 'number') return value >= 0 ? head(0, value) : head(1, -1 - value);
  if (typeof value === 'string') return Buffer.concat([head(3, Buffer.byteLength(value)), Buffer.from(value)]);
  if (Buffer.isBuffer(value)) return Buffer.concat([head(2, value.length), value]);
  return Buffer.concat([head(5, value.size), ...[...value].flatMap(([k, v]) => [cbor(k), cbor(v)])]);
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest();
const b64url = (data: Buffer) => data.toString('base64url');

export interface SecurityKeyOptions {
  origin: string;
  /** Whether it verifies its user (a PIN): passkey logins without a password need it. */
  verifiesUser?: boolean;
  /** False for keys that keep no signature counter (many synced passkeys send 0): only the challenge stops a replay then. */
  counts?: boolean;
}

export class SecurityKey {
  readonly credentialId = randomBytes(16);
  private readonly privateKey: KeyObject;
  private readonly publicJwk: { x: string; y: string };
  counter = 0;
  /** The user handle it was made with (a passkey gives it back at login). */
  userHandle: string | null = null;

  constructor(readonly options: SecurityKeyOptions) {
    const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    this.privateKey = pair.privateKey;
    this.publicJwk = pair.publicKey.export({ format: 'jwk' }) as { x: string; y: string };
  }

  get id(): string {
    return b64url(this.credentialId);
  }

  private clientData(type: string, challenge: string, origin = this.options.origin): Buffer {
    return Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin: false }));
  }

  private flags(attested: boolean): number {
    return 0x01 | (this.options.verifiesUser ? 0x04 : 0) | (attested ? 0x40 : 0);
  }

  /** The browser's JSON for navigator.credentials.create() with these options. */
  create(options: { challenge: string; rp: { id?: string }; user: { id: string } }, { origin }: { origin?: string } = {}): string {
    this.userHandle = options.user.id;
    const coseKey = new Map<Cbor, Cbor>([
      [1, 2], // kty: EC2
      [3, -7], // alg: ES256
      [-1, 1], // crv: P-256
      [-2, Buffer.from(this.publicJwk.x, 'base64url')],
      [-3, Buffer.from(this.publicJwk.y, 'base64url')],
    ]);
    const idLength = Buffer.alloc(2);
    idLength.writeUInt16BE(this.credentialId.length);
    const authData = Buffer.concat([sha256(Buffer.from(options.rp.id!)), Buffer.from([this.flags(true)]), Buffer.alloc(4), Buffer.alloc(16), idLength, this.credentialId, cbor(coseKey)]);
    const attestationObject = cbor(new Map<Cbor, Cbor>([['fmt', 'none'], ['attStmt', new Map()], ['authData', authData]]));
    return JSON.stringify({
      id: this.id,
      rawId: this.id,
      type: 'public-key',
      response: { clientDataJSON: b64url(this.clientData('webauthn.create', options.challenge, origin)), attestationObject: b64url(attestationObject), transports: ['usb'] },
      clientExtensionResults: {},
    });
  }

  /** The browser's JSON for navigator.credentials.get() with these options; `counter` to play a cloned key. */
  get(options: { challenge: string; rpId?: string }, { origin, counter }: { origin?: string; counter?: number } = {}): string {
    this.counter = counter ?? (this.options.counts === false ? 0 : this.counter + 1);
    const count = Buffer.alloc(4);
    count.writeUInt32BE(this.counter);
    const authData = Buffer.concat([sha256(Buffer.from(options.rpId!)), Buffer.from([this.flags(false)]), count]);
    const clientDataJSON = this.clientData('webauthn.get', options.challenge, origin);
    const signature = sign('sha256', Buffer.concat([authData, sha256(clientDataJSON)]), this.privateKey);
    return JSON.stringify({
      id: this.id,
      rawId: this.id,
      type: 'public-key',
      response: { clientDataJSON: b64url(clientDataJSON), authenticatorData: b64url(authData), signature: b64url(signature), ...(this.userHandle && { userHandle: this.userHandle }) },
      clientExtensionResults: {},
    });
  }
}
