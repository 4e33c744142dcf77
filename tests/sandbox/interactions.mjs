// The sandbox's own sign-in and consent pages (oidc-provider's development pages load a web font
// from the internet; these load nothing), and what a test can ask of them:
//   - headless: sign in a chosen user and grant consent without showing a page;
//   - a preselected patient for the next launch (standalone), or the patient and encounter an EHR
//     launch names (`launch`, made by POST /_sandbox/launch);
//   - the launch context a grant carries, read when its tokens are issued.
// Pages keep the selectors the end-to-end tests fill: input[name=login], input[name=password],
// button[type=submit], a "Continue" button and a "[ Cancel ]" link.

/** grantId -> { patient, encounter }: the launch context of each grant. */
export const grantContexts = new Map();
/** launch id -> { patient, encounter }: EHR launches made by the tests. */
export const launches = new Map();

const esc = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const page = (title, body) => `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>body{font:16px system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem}label,input,select,button{display:block;margin:.4rem 0}
input,select{width:100%;padding:.4rem}button{padding:.5rem 1.2rem}a{display:inline-block;margin-top:1rem}</style></head>
<body><h1>${esc(title)}</h1>${body}</body></html>`;

async function readForm(req) {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  return Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
}

/**
 * The interaction routes, under `mount`: returns a request handler that answers them and returns
 * true, or returns false for any other request. `settings.headless` ({ user, patient }) and
 * `settings.preselect` (the next launch's { user, patient }) come from the test controls.
 */
export function interactionRoutes({ provider, mount, settings, patients, patientFor }) {
  const base = `${mount}/interaction/`;

  // The patient chosen at sign-in travels with the interaction's result to the consent step.
  async function login(req, res, accountId, patient) {
    await provider.interactionFinished(req, res, { login: { accountId }, sandbox: { patient } }, { mergeWithLastSubmission: false });
  }

  async function consent(req, res, details, chosenPatient) {
    const { params, session } = details;
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
    const missing = details.prompt.details;
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
    if (missing.missingResourceScopes) {
      for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes)) grant.addResourceScope(indicator, scopes.join(' '));
    }
    const grantId = await grant.save();
    // The launch context: an EHR launch's, else the patient chosen for this launch, else the
    // signed-in user's own.
    const launch = params.launch ? launches.get(params.launch) : undefined;
    const patient = launch?.patient ?? chosenPatient ?? patientFor(session.accountId);
    grantContexts.set(grantId, { patient, encounter: launch?.encounter });
    await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
  }

  return async function handle(req, res) {
    const url = new URL(req.url, 'http://sandbox');
    if (!url.pathname.startsWith(base)) return false;
    const [uid, action] = url.pathname.slice(base.length).split('/');
    let details;
    try {
      details = await provider.interactionDetails(req, res);
    } catch {
      res.writeHead(400, { 'Content-Type': 'text/html; charset=utf-8' }).end(page('Sign-in expired', '<p>Start the launch again.</p>'));
      return true;
    }
    const prompt = details.prompt.name;
    // A one-shot preselection (the next launch), else the headless user.
    const chosen = settings.preselect ?? settings.headless ?? null;
    if (action === 'abort') {
      await provider.interactionFinished(req, res, { error: 'access_denied', error_description: 'End-User aborted interaction' }, { mergeWithLastSubmission: false });
      return true;
    }
    if (req.method === 'POST' && action === 'login') {
      const form = await readForm(req);
      await login(req, res, String(form.login || 'amy'), form.patient || chosen?.patient);
      return true;
    }
    if (req.method === 'POST' && action === 'confirm') {
      settings.preselect = null;
      await consent(req, res, details, details.lastSubmission?.sandbox?.patient ?? chosen?.patient);
      return true;
    }
    // GET: headless (no page), or a page.
    if (settings.headless) {
      if (prompt === 'login') await login(req, res, chosen.user ?? 'amy', chosen.patient);
      else {
        settings.preselect = null;
        await consent(req, res, details, details.lastSubmission?.sandbox?.patient ?? chosen.patient);
      }
      return true;
    }
    const cancel = `<a href="${esc(base + uid)}/abort">[ Cancel ]</a>`;
    const html = prompt === 'login'
      ? page('Sign in to the SMART sandbox', `<form method="post" action="${esc(base + uid)}/login" autocomplete="off">
<label>Login <input name="login" value="${esc(chosen?.user ?? '')}" placeholder="amy, daniel, kim or dr-smith" autofocus></label>
<label>Password <input name="password" type="password" placeholder="any password"></label>
<label>Patient in context (a clinician's launch) <select name="patient"><option value="">the user's own, or the first</option>
${patients.map((p) => `<option value="${esc(p.id)}"${chosen?.patient === p.id ? ' selected' : ''}>${esc(p.id)}</option>`).join('')}</select></label>
<button type="submit">Sign-in</button></form>${cancel}`)
      : page('Authorize the app', `<p>${esc(details.params.client_id)} asks for: ${esc(details.params.scope ?? '')}</p>
<form method="post" action="${esc(base + uid)}/confirm"><button type="submit" autofocus>Continue</button></form>${cancel}`);
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' }).end(html);
    return true;
  };
}
