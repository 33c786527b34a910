// A real OpenID Connect provider for the single sign-on tests (panva's oidc-provider, certified
// by the OpenID Foundation), with its own login and consent pages.
//
// Usage: node provider.mjs '<config JSON>'
//   {"clients": [{"client_id", "client_secret", "redirect_uris": [...]}],
//    "accounts": {"<login>": {"password", "claims": {"email", "email_verified", ...},
//                             "amr": [...], "acr": "..."}}}
// It listens on 127.0.0.1 on a free port and prints "READY <port>" once it answers.
import http from "node:http";
import Provider from "oidc-provider";

const config = JSON.parse(process.argv[2]);
const accounts = config.accounts;

const escape = (text) =>
  String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const page = (title, body) => `<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>${escape(title)}</title></head>
<body><h1>${escape(title)}</h1>${body}</body></html>`;

const readForm = (req) =>
  new Promise((resolve, reject) => {
    let data = "";
    req.on("data", (chunk) => {
      data += chunk;
    });
    req.on("end", () => resolve(new URLSearchParams(data)));
    req.on("error", reject);
  });

const server = http.createServer();
server.listen(0, "127.0.0.1", () => {
  const { port } = server.address();
  const provider = new Provider(`http://127.0.0.1:${port}`, {
    clients: config.clients.map((client) => ({
      grant_types: ["authorization_code"],
      response_types: ["code"],
      token_endpoint_auth_method: "client_secret_basic",
      ...client,
    })),
    claims: {
      // The authentication context travels with the openid scope, so every ID token says how
      // the person logged in (what the relying party checks before trusting its MFA).
      openid: ["sub", "acr", "amr", "auth_time"],
      email: ["email", "email_verified"],
      profile: ["name"],
    },
    // The relying party reads the e-mail from the ID token itself.
    conformIdTokenClaims: false,
    scopes: ["openid", "email", "profile"],
    pkce: { required: () => true },
    features: { devInteractions: { enabled: false } },
    cookies: { keys: ["hdsready-test-provider-cookie-key"] },
    interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
    async findAccount(ctx, id) {
      const account = accounts[id];
      if (!account) return undefined;
      return {
        accountId: id,
        async claims() {
          return { sub: id, ...account.claims };
        },
      };
    },
  });
  provider.proxy = false;
  const callback = provider.callback();

  server.on("request", async (req, res) => {
    if (req.url === "/favicon.ico") {
      res.statusCode = 204;
      res.end();
      return;
    }
    const match = req.url.match(/^\/interaction\/([^/?]+)(\/(login|confirm))?/);
    if (!match) {
      callback(req, res);
      return;
    }
    try {
      const details = await provider.interactionDetails(req, res);
      const uid = escape(details.uid);
      if (req.method === "GET") {
        res.setHeader("Content-Type", "text/html; charset=utf-8");
        if (details.prompt.name === "login") {
          res.end(
            page(
              "Fournisseur d'identité de test : connexion",
              `<form method="post" action="/interaction/${uid}/login">
               <label>Identifiant <input name="login" value="${escape(details.params.login_hint || "")}"></label>
               <label>Mot de passe <input name="password" type="password"></label>
               <button type="submit">Se connecter</button></form>`,
            ),
          );
        } else {
          res.end(
            page(
              "Fournisseur d'identité de test : autorisation",
              `<p>L'application ${escape(details.params.client_id)} demande votre identité et votre adresse e-mail.</p>
               <form method="post" action="/interaction/${uid}/confirm">
               <button type="submit">Autoriser</button></form>`,
            ),
          );
        }
        return;
      }
      const form = await readForm(req);
      if (match[3] === "login") {
        const login = form.get("login") || "";
        const account = accounts[login];
        if (!account || account.password !== form.get("password")) {
          res.statusCode = 403;
          res.setHeader("Content-Type", "text/html; charset=utf-8");
          res.end(page("Identifiant ou mot de passe incorrect", ""));
          return;
        }
        const result = { login: { accountId: login } };
        if (account.amr !== undefined) result.login.amr = account.amr;
        if (account.acr !== undefined) result.login.acr = account.acr;
        await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
        return;
      }
      const { prompt, params, session, grantId } = details;
      const grant = grantId
        ? await provider.Grant.find(grantId)
        : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
      if (prompt.details.missingOIDCScope) grant.addOIDCScope(prompt.details.missingOIDCScope.join(" "));
      if (prompt.details.missingOIDCClaims) grant.addOIDCClaims(prompt.details.missingOIDCClaims);
      const result = { consent: { grantId: await grant.save() } };
      await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: true });
    } catch (error) {
      res.statusCode = 400;
      res.setHeader("Content-Type", "text/plain; charset=utf-8");
      res.end(String(error));
    }
  });
  process.stdout.write(`READY ${port}\n`);
});
