// Passkeys in the console. The WebAuthn ceremony is the one thing in Herald
// that needs JavaScript, so this file does only that: a form marked
// data-passkey carries its options as JSON (made by the server); on submit
// this asks the browser for a key (create) or an answer from one (get), puts
// the browser's answer as JSON in the form's hidden field and sends the form
// as usual. A form with data-proof asks for an answer from a key the account
// has first, when its code field was left empty. Without this script, or
// without WebAuthn, those forms stay hidden and the page's note
// (data-passkey-absent) says why.
(() => {
  const supported = typeof window.PublicKeyCredential === 'function' && navigator.credentials;
  const bytes = (text) => {
    const base64 = text.replace(/-/g, '+').replace(/_/g, '/');
    return Uint8Array.from(atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4)), (c) => c.charCodeAt(0));
  };
  const text = (buffer) => {
    let binary = '';
    for (const byte of new Uint8Array(buffer)) binary += String.fromCharCode(byte);
    return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  };
  const withIds = (list) => (list || []).map((c) => ({ ...c, id: bytes(c.id) }));

  async function create(json) {
    const publicKey = { ...json, challenge: bytes(json.challenge), user: { ...json.user, id: bytes(json.user.id) }, excludeCredentials: withIds(json.excludeCredentials) };
    const made = await navigator.credentials.create({ publicKey });
    const r = made.response;
    return answer(made, { clientDataJSON: text(r.clientDataJSON), attestationObject: text(r.attestationObject), transports: r.getTransports ? r.getTransports() : [] });
  }

  async function get(json) {
    const publicKey = { ...json, challenge: bytes(json.challenge), allowCredentials: withIds(json.allowCredentials) };
    const got = await navigator.credentials.get({ publicKey });
    const r = got.response;
    return answer(got, {
      clientDataJSON: text(r.clientDataJSON),
      authenticatorData: text(r.authenticatorData),
      signature: text(r.signature),
      ...(r.userHandle && { userHandle: text(r.userHandle) }),
    });
  }

  const answer = (credential, response) =>
    JSON.stringify({
      id: credential.id,
      rawId: text(credential.rawId),
      type: credential.type,
      response,
      clientExtensionResults: credential.getClientExtensionResults(),
      ...(credential.authenticatorAttachment && { authenticatorAttachment: credential.authenticatorAttachment }),
    });

  // What the page says in place of a passkey form where this script does not run.
  for (const note of document.querySelectorAll('[data-passkey-absent]')) {
    if (supported) note.hidden = true;
    else note.textContent = 'This browser cannot use passkeys.';
  }
  if (!supported) return;
  for (const form of document.querySelectorAll('form[data-passkey], form[data-proof]')) {
    const status = form.querySelector('[data-passkey-status]');
    if (form.dataset.passkey) form.hidden = false;
    let ready = false;
    form.addEventListener('submit', async (event) => {
      if (ready) return;
      event.preventDefault();
      const submitter = event.submitter;
      if (status) status.textContent = 'Waiting for your passkey or security key…';
      try {
        const factor = form.querySelector('input[name="factor"]');
        if (form.dataset.proof && (!factor || factor.value.trim() === '')) form.elements.assertion.value = await get(JSON.parse(form.dataset.proof));
        if (form.dataset.passkey === 'create') form.elements.credential.value = await create(JSON.parse(form.dataset.options));
        if (form.dataset.passkey === 'get') form.elements.assertion.value = await get(JSON.parse(form.dataset.options));
      } catch (error) {
        // Cancelled, timed out, or no key of this site: say so, send nothing.
        if (status) status.textContent = error && error.name === 'NotAllowedError' ? 'No passkey was used (cancelled or timed out). Try again.' : `The passkey did not work: ${error && error.message}`;
        return;
      }
      ready = true;
      if (status) status.textContent = '';
      form.requestSubmit(submitter);
    });
  }
})();
