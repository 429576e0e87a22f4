// Passkey ceremonies (WebAuthn) for forms marked data-passkey="create" or "get": fetch the
// options the server made (data-options, posted with the form's fields), let the browser talk to
// the authenticator, then submit the form with its answer in the hidden "credential" field.
// Browsers without the WebAuthn JSON helpers (Safari < 17.4, Firefox < 119) get the few
// base64url fields converted here instead.
"use strict";
(() => {
  const PKC = window.PublicKeyCredential;
  const bytes = (text) => Uint8Array.from(atob(text.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));
  const text = (buffer) => btoa(String.fromCharCode(...new Uint8Array(buffer))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  const ids = (list) => (list || []).map((c) => ({ ...c, id: bytes(c.id) }));
  const creation = (o) => PKC.parseCreationOptionsFromJSON ? PKC.parseCreationOptionsFromJSON(o)
    : { ...o, challenge: bytes(o.challenge), user: { ...o.user, id: bytes(o.user.id) }, excludeCredentials: ids(o.excludeCredentials) };
  const request = (o) => PKC.parseRequestOptionsFromJSON ? PKC.parseRequestOptionsFromJSON(o)
    : { ...o, challenge: bytes(o.challenge), allowCredentials: ids(o.allowCredentials) };
  const json = (c) => {
    if (c.toJSON) return c.toJSON();
    const r = c.response, response = {};
    for (const k of ["clientDataJSON", "attestationObject", "authenticatorData", "signature", "userHandle"]) {
      if (r[k]) response[k] = text(r[k]);
    }
    if (r.getTransports) response.transports = r.getTransports();
    return { id: c.id, rawId: text(c.rawId), type: c.type, response, authenticatorAttachment: c.authenticatorAttachment,
      clientExtensionResults: c.getClientExtensionResults() };
  };
  for (const form of document.querySelectorAll("form[data-passkey]")) {
    const error = form.querySelector("[data-passkey-error]");
    const say = (message) => { if (error) error.textContent = message; };
    if (!PKC || !navigator.credentials) {
      say("This browser cannot use passkeys.");
      form.querySelector("button").disabled = true;
      continue;
    }
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      say("");
      try {
        const answer = await fetch(form.dataset.options, {
          method: "POST",
          body: new URLSearchParams(new FormData(form)),
          headers: { Accept: "application/json" },
        });
        const options = await answer.json();
        if (!answer.ok) return say(options.detail || "Passkeys are not available right now.");
        const credential = form.dataset.passkey === "create"
          ? await navigator.credentials.create({ publicKey: creation(options) })
          : await navigator.credentials.get({ publicKey: request(options) });
        form.elements.credential.value = JSON.stringify(json(credential));
        form.submit();
      } catch (e) {
        say(e && e.name === "NotAllowedError"
          ? "The passkey request was cancelled or timed out. Try again."
          : "The passkey did not work: " + (e && e.message ? e.message : e));
      }
    });
  }
})();
