// A real OpenID Connect provider (the `oidc-provider` package) for Waypoint's SSO browser
// tests, on 127.0.0.1 only. Never deployed.
//
//   node tests/sso/oidc_provider.mjs CONFIG.json
//
// CONFIG: {"port": 8765, "client": {client_id, client_secret, redirect_uris,
// post_logout_redirect_uris}, "accounts": {"<login>": {"password": "...",
// "claims": {"email": ..., "email_verified": ...}, "amr": ["pwd", "otp"], "acr": "..."}}}
// An account's claims are released as they are: leave `email_verified` out to act like
// Entra ID. `amr` and `acr` go into the ID token, as a provider that ran MFA would say.
// Prints "listening <issuer>" once it accepts connections.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import Provider from 'oidc-provider';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));

const page = (title, body) => `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${title}</title></head>
<body><main><h1>${title}</h1>${body}</main></body></html>`;

const escape = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function loginForm(uid, error) {
  return page('Test university sign-in', `
    ${error ? `<p role="alert">${escape(error)}</p>` : ''}
    <form method="post" action="/interaction/${uid}/login">
      <label for="login">Username</label> <input id="login" name="login" autocomplete="username">
      <label for="password">Password</label>
      <input id="password" name="password" type="password" autocomplete="current-password">
      <button type="submit">Sign in</button>
    </form>`);
}

async function readForm(req) {
  let body = '';
  for await (const chunk of req) body += chunk;
  return Object.fromEntries(new URLSearchParams(body));
}

function start(issuer) {
  const provider = new Provider(issuer, {
    clients: [{
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_post',
      ...config.client,
    }],
    async findAccount(ctx, id) {
      const account = config.accounts[id];
      if (!account) return undefined;
      return { accountId: id, claims: async () => ({ sub: id, ...account.claims }) };
    },
    claims: {
      // amr and acr in every ID token, as Entra ID and Keycloak send them (the package
      // otherwise releases them only when the client asks for them by name).
      openid: ['sub', 'amr', 'acr', 'auth_time'],
      email: ['email', 'email_verified'],
      profile: ['name', 'preferred_username', 'upn', 'tid'],
    },
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx, form) => {
          ctx.body = page('Sign out of the test university?',
            `${form}<button type="submit" form="op.logoutForm" value="yes" name="logout">Yes, sign me out</button>`);
        },
        postLogoutSuccessSource: async (ctx) => { ctx.body = page('Signed out', '<p>Signed out.</p>'); },
      },
    },
    interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
    pkce: { required: () => false },
    cookies: { keys: ['waypoint-sso-tests-only'] },
    renderError: async (ctx, out) => {
      ctx.type = 'html';
      ctx.body = page('Provider error', `<pre>${escape(JSON.stringify(out))}</pre>`);
    },
  });
  provider.proxy = false;
  const callback = provider.callback();

  return http.createServer(async (req, res) => {
    const match = req.url.match(/^\/interaction\/([^/?]+)(\/login)?/);
    if (!match) return callback(req, res);
    try {
      const details = await provider.interactionDetails(req, res);
      if (details.prompt.name === 'consent') {
        // The university's own app: consent is implied, as IdPs configure it for staff apps.
        const grant = new provider.Grant({
          accountId: details.session.accountId, clientId: details.params.client_id,
        });
        grant.addOIDCScope(details.params.scope);
        const grantId = await grant.save();
        return provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
      }
      if (!match[2]) {
        res.setHeader('Content-Type', 'text/html; charset=utf-8');
        return res.end(loginForm(details.uid));
      }
      const form = await readForm(req);
      const account = config.accounts[form.login];
      if (!account || account.password !== form.password) {
        res.setHeader('Content-Type', 'text/html; charset=utf-8');
        return res.end(loginForm(details.uid, 'Wrong username or password.'));
      }
      const login = { accountId: form.login };
      if (account.amr) login.amr = account.amr;
      if (account.acr) login.acr = account.acr;
      return provider.interactionFinished(req, res, { login }, { mergeWithLastSubmission: false });
    } catch (error) {
      res.statusCode = 500;
      res.end(String(error));
    }
  });
}

const issuer = `http://127.0.0.1:${config.port}`;
start(issuer).listen(config.port, '127.0.0.1', () => console.log(`listening ${issuer}`));
