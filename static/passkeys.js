// Passkey ceremonies (WebAuthn) for forms marked data-passkey="create" or "get": fetch the
// options the server made (data-options, posted with the form's fields), let the browser talk to
// the authenticator, then submit the form with its answer in the hidden "credential" field.
"use strict";
(() => {
  const PKC = window.PublicKeyCredential;
  const supported = PKC && PKC.parseCreationOptionsFromJSON && PKC.parseRequestOptionsFromJSON;
  for (const form of document.querySelectorAll("form[data-passkey]")) {
    const error = form.querySelector("[data-passkey-error]");
    const say = (text) => { if (error) error.textContent = text; };
    if (!supported) {
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
          ? await navigator.credentials.create({ publicKey: PKC.parseCreationOptionsFromJSON(options) })
          : await navigator.credentials.get({ publicKey: PKC.parseRequestOptionsFromJSON(options) });
        form.elements.credential.value = JSON.stringify(credential.toJSON());
        form.submit();
      } catch (e) {
        say(e && e.name === "NotAllowedError"
          ? "The passkey request was cancelled or timed out. Try again."
          : "The passkey did not work: " + (e && e.message ? e.message : e));
      }
    });
  }
})();
