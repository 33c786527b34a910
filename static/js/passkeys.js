/* Passkeys (WebAuthn), without a framework and without inline script (the CSP forbids it).
 *
 * form[data-passkey]: "register" enrols a new passkey, "authenticate" uses one at login. The
 * server put the ceremony's options (JSON, binary fields in base64url) in the <script
 * type="application/json"> named by data-options. On submit the browser is asked for the
 * passkey; its answer goes, as JSON, into the form's hidden "credential" field and the form is
 * sent as usual: the server checks it and answers with a page and a message.
 *
 * Every string shown comes from the form's data-msg-* attributes, already translated.
 */
"use strict";

(function () {
  function fromBase64url(text) {
    const base64 = text.replace(/-/g, "+").replace(/_/g, "/");
    const padded = base64 + "=".repeat((4 - (base64.length % 4)) % 4);
    const binary = atob(padded);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
    return bytes.buffer;
  }

  function toBase64url(buffer) {
    const bytes = new Uint8Array(buffer);
    let binary = "";
    for (const byte of bytes) binary += String.fromCharCode(byte);
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function withIds(descriptors) {
    return (descriptors || []).map((d) => ({ ...d, id: fromBase64url(d.id) }));
  }

  function creationOptions(json) {
    return {
      ...json,
      challenge: fromBase64url(json.challenge),
      user: { ...json.user, id: fromBase64url(json.user.id) },
      excludeCredentials: withIds(json.excludeCredentials),
    };
  }

  function requestOptions(json) {
    return {
      ...json,
      challenge: fromBase64url(json.challenge),
      allowCredentials: withIds(json.allowCredentials),
    };
  }

  /* The answer in the JSON form py_webauthn reads (WebAuthn level 3's toJSON()). */
  function answerJSON(credential) {
    if (typeof credential.toJSON === "function") return credential.toJSON();
    const r = credential.response;
    const response = { clientDataJSON: toBase64url(r.clientDataJSON) };
    if (r.attestationObject) {
      response.attestationObject = toBase64url(r.attestationObject);
      response.transports = typeof r.getTransports === "function" ? r.getTransports() : [];
    } else {
      response.authenticatorData = toBase64url(r.authenticatorData);
      response.signature = toBase64url(r.signature);
      if (r.userHandle) response.userHandle = toBase64url(r.userHandle);
    }
    return {
      id: credential.id,
      rawId: toBase64url(credential.rawId),
      type: credential.type,
      response,
      clientExtensionResults: credential.getClientExtensionResults(),
      authenticatorAttachment: credential.authenticatorAttachment || undefined,
    };
  }

  function setUp(form) {
    const status = form.querySelector("[data-passkey-status]");
    const field = form.querySelector("input[name=credential]");
    const button = form.querySelector("button[type=submit]");

    function show(message) {
      status.textContent = message;
      status.hidden = false;
      button.disabled = false;
    }

    if (!window.PublicKeyCredential || !navigator.credentials) {
      show(form.dataset.msgUnsupported);
      button.disabled = true;
      return;
    }

    form.addEventListener("submit", async (event) => {
      if (field.value) return; // the answer is in: let the form go
      event.preventDefault();
      if (!form.reportValidity()) return;
      status.hidden = true;
      button.disabled = true;
      const options = JSON.parse(document.getElementById(form.dataset.options).textContent);
      let credential;
      try {
        credential =
          form.dataset.passkey === "register"
            ? await navigator.credentials.create({ publicKey: creationOptions(options) })
            : await navigator.credentials.get({ publicKey: requestOptions(options) });
      } catch (error) {
        // NotAllowedError: cancelled, timed out, refused; InvalidStateError: already enrolled.
        show(
          error && (error.name === "NotAllowedError" || error.name === "AbortError")
            ? form.dataset.msgRefused
            : form.dataset.msgFailed,
        );
        return;
      }
      if (!credential) {
        show(form.dataset.msgRefused);
        return;
      }
      field.value = JSON.stringify(answerJSON(credential));
      form.requestSubmit();
    });
  }

  document.querySelectorAll("form[data-passkey]").forEach(setUp);
})();
