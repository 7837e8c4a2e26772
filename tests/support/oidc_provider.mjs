// A real OpenID Connect provider for Silta's tests, built on panva's
// `oidc-provider` (v9). Started by tests/support/oidc.py; not for production.
//
// Configuration (all from the environment, so the Python side needs no files):
//   OIDC_PORT           port to listen on (127.0.0.1 only)
//   OIDC_ISSUER         issuer URL, e.g. http://127.0.0.1:PORT
//   OIDC_CLIENT_ID      the one registered (confidential) client
//   OIDC_CLIENT_SECRET  its secret (token endpoint auth: client_secret_basic / _post)
//   OIDC_REDIRECT_URIS  comma-separated exact redirect URIs of that client
//   OIDC_ACCOUNTS       JSON {"<accountId>": {"email": ..., "email_verified": true,
//                              "name": ..., "given_name": ..., "family_name": ...,
//                              "urn:oid:1.2.246.21": "<identity code>" (scope personal_identity_code)}}
//
// Login UI: oidc-provider's built-in `devInteractions`. In v9 these are:
//   * GET /interaction/<uid> with prompt "login": an HTML <form method=post
//     action=".../interaction/<uid>"> with fields `prompt`=login (hidden),
//     `login` (text) and `password` (password). The password is IGNORED:
//     whatever is typed as `login` becomes the session's accountId.
//     Out of the box an unknown id crashes the flow (HTTP 500 when the
//     consent check finds no account), so rejectUnknownAccounts() below
//     turns it into an access_denied redirect to the client instead.
//   * then, with prompt "consent": a form with only `prompt`=consent (hidden)
//     and a "Continue" button; submitting it grants the requested scopes.
//   * GET /interaction/<uid>/abort ends the flow with error=access_denied.
// Prints exactly one line "READY <issuer>" on stdout once listening; the
// library's own warnings (in-memory adapter, dev interactions, Node 20) go to stderr.

import * as crypto from 'node:crypto';
import * as querystring from 'node:querystring';
import Provider from 'oidc-provider';

function requireEnv(name) {
  const value = process.env[name];
  if (!value) {
    console.error(`oidc_provider.mjs: missing environment variable ${name}`);
    process.exit(2);
  }
  return value;
}

const port = Number(requireEnv('OIDC_PORT'));
const issuer = requireEnv('OIDC_ISSUER');
const clientId = requireEnv('OIDC_CLIENT_ID');
const clientSecret = requireEnv('OIDC_CLIENT_SECRET');
const redirectUris = requireEnv('OIDC_REDIRECT_URIS').split(',').map((s) => s.trim()).filter(Boolean);
const accounts = JSON.parse(process.env.OIDC_ACCOUNTS || '{}');

// A fresh RS256 signing key per run: tests must fetch the JWKS, never pin a key.
// Without `jwks` the library would fall back to a published dev key (and warn).
const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingJwk = {
  ...privateKey.export({ format: 'jwk' }),
  kid: crypto.randomUUID(),
  use: 'sig',
  alg: 'RS256',
};

const configuration = {
  clients: [{
    client_id: clientId,
    client_secret: clientSecret,
    redirect_uris: redirectUris,
    grant_types: ['authorization_code'],
    response_types: ['code'],
    id_token_signed_response_alg: 'RS256',
  }],
  jwks: { keys: [signingJwk] },
  // Random cookie signing keys: sessions need not survive a restart.
  cookies: { keys: [crypto.randomBytes(32).toString('base64url')] },
  scopes: ['openid', 'profile', 'email', 'personal_identity_code'],
  claims: {
    openid: ['sub'],
    profile: ['name', 'given_name', 'family_name'],
    email: ['email', 'email_verified'],
    // Suomi.fi e-Identification's personal identity code (the OID claim; the names other providers use
    // for it), released with the `personal_identity_code` scope. Accounts carry whichever they need.
    personal_identity_code: ['urn:oid:1.2.246.21', 'national_identification_number', 'nationalIdentificationNumber'],
  },
  // The v9 default (`true`) keeps scope claims such as `email` OUT of the ID
  // token whenever an access token for userinfo is issued (i.e. for `code`).
  // Real providers (Google, Entra, Keycloak) put them in the ID token, and an
  // RP that reads the ID token (authlib's `token["userinfo"]`) expects that.
  conformIdTokenClaims: false,
  // v9 only requires PKCE for public clients by default; Silta's client is
  // confidential, and we want the provider to refuse any request without it.
  // Only S256 exists in v9 (`plain` was removed), so this also pins the method.
  pkce: { required: () => true },
  features: {
    devInteractions: { enabled: true },
    userinfo: { enabled: true },
  },
  async findAccount(ctx, sub) {
    if (!Object.hasOwn(accounts, sub)) return undefined;
    const profile = accounts[sub];
    return {
      accountId: sub,
      // Return everything; the library filters by granted scopes/claims.
      async claims() {
        return { ...profile, sub };
      },
    };
  },
};

const provider = new Provider(issuer, configuration);

// A test that logs in as an account it did not define gets a clear
// error=access_denied at its redirect_uri (as from a real IdP refusing the
// user) rather than the library's 500 page.
provider.use(async function rejectUnknownAccounts(ctx, next) {
  if (ctx.method !== 'POST' || !ctx.path.startsWith('/interaction/')
      || !ctx.is('application/x-www-form-urlencoded')) {
    return next();
  }
  const chunks = [];
  for await (const chunk of ctx.req) chunks.push(chunk);
  const body = querystring.parse(Buffer.concat(chunks).toString());
  // The stream is consumed now; the library falls back to request.body
  // (and logs a one-time "already parsed request body" warning).
  ctx.request.body = body;
  if (body.prompt === 'login' && !Object.hasOwn(accounts, String(body.login))) {
    const returnTo = await provider.interactionResult(ctx.req, ctx.res, {
      error: 'access_denied',
      error_description: `unknown test account ${JSON.stringify(body.login)}`,
    }, { mergeWithLastSubmission: false });
    ctx.status = 303;
    ctx.redirect(returnTo);
    return undefined;
  }
  return next();
});

// Surface server-side errors in the stderr log the Python helper keeps.
provider.on('server_error', (ctx, err) => console.error('server_error', err));

const server = provider.listen(port, '127.0.0.1', () => {
  process.stdout.write(`READY ${issuer}\n`);
});
server.on('error', (err) => {
  console.error(`oidc_provider.mjs: listen failed: ${err.code || err.message}`);
  process.exit(3);
});

function shutdown() {
  // Keep-alive connections from requests.Session would hold close() open.
  server.close(() => process.exit(0));
  server.closeAllConnections();
  // Never hang a test run on shutdown.
  setTimeout(() => process.exit(0), 2000).unref();
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
