// A real OpenID Provider on loopback for the single sign-on tests:
// oidc-provider (the certified Node implementation) with its own login and
// consent pages (devInteractions: any password, the login is the account).
// Run as its own process: node openid-provider.mjs PORT CONFIG_JSON, where
// CONFIG_JSON is { clientId, clientSecret, redirectUris: [...], accounts: { id: claims } }.
// It prints "listening" once it serves discovery.
import Provider from 'oidc-provider';

const [port, json] = process.argv.slice(2);
const { clientId, clientSecret, redirectUris, accounts } = JSON.parse(json);
const issuer = `http://127.0.0.1:${port}`;

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: clientId,
      client_secret: clientSecret,
      redirect_uris: redirectUris,
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_post',
    },
  ],
  async findAccount(_ctx, id) {
    const claims = accounts[id];
    return claims ? { accountId: id, claims: async () => ({ sub: id, ...claims }) } : undefined;
  },
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'groups'] },
  pkce: { required: () => true },
  cookies: { keys: ['herald-test-provider'] },
  features: { devInteractions: { enabled: true } },
});
// The tests see why the provider refused something (a replayed code, a wrong verifier).
provider.on('grant.error', (_ctx, error) => console.error(`grant.error: ${error.message}`));
provider.listen(Number(port), '127.0.0.1', () => console.log('listening'));
