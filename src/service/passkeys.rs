//! Passkeys (WebAuthn, issue 18): registering one on your account, listing and removing them,
//! and checking an assertion for password-less sign-in or as the second factor after a password
//! (`auth` counts failures). The ceremonies' verification (CBOR, COSE keys, signatures, origin,
//! RP id, user verification) is the `webauthn_rp` crate's; this module keeps the state in the
//! database so any instance can finish a ceremony another one began, and each challenge answers
//! once.

use chrono::{DateTime, Duration, SubsecRound, Utc};
use serde::Serialize;
use serde_json::json;
use webauthn_rp::bin::{Decode, Encode};
use webauthn_rp::request::auth::AuthenticationVerificationOptions;
use webauthn_rp::request::register::{
    CredProtect, Nickname, PublicKeyCredentialUserEntity, RegistrationVerificationOptions,
    UserHandle16, Username,
};
use webauthn_rp::request::{AsciiDomain, PublicKeyCredentialDescriptor, RpId};
use webauthn_rp::response::register::{CompressedPubKey, DynamicState, StaticState};
use webauthn_rp::response::{AuthTransports, CredentialId};
use webauthn_rp::{
    AuthenticatedCredential, DiscoverableAuthentication16, DiscoverableAuthenticationServerState,
    DiscoverableCredentialRequestOptions, PublicKeyCredentialCreationOptions, Registration,
    RegistrationServerState,
};

use super::{Actor, Ctx, audit, invalid, passwords};
use crate::db::{Ts, Tx, organizations, passkeys, users};
use crate::domain::account::User;
use crate::domain::ids::{PasskeyId, UserId};
use crate::error::{AppError, AppResult};

/// A ceremony waits this long for the browser (the crate's own timeout is 5 minutes too).
const CEREMONY_MINUTES: i64 = 5;
pub const NAME_MAX_CHARS: usize = crate::domain::profile::MAX_NAME_CHARS;

const REGISTER: &str = "register";

/// What a passkey assertion is for; each purpose's challenges answer only it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// Password-less sign-in: any person's passkey.
    SignIn,
    /// The second factor after a right password: only that person's passkeys.
    SecondFactor,
}

impl Purpose {
    fn as_str(self) -> &'static str {
        match self {
            Purpose::SignIn => "sign_in",
            Purpose::SecondFactor => "second_factor",
        }
    }
}

/// A passkey as the profile lists it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Passkey {
    pub id: PasskeyId,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
}

/// The relying party: its id is the public URL's host, and the only origin accepted is the
/// public URL's (GOGOTIME_PUBLIC_URL).
struct RelyingParty {
    id: RpId,
    origin: String,
}

fn relying_party(ctx: &Ctx) -> AppResult<RelyingParty> {
    let url = url::Url::parse(&ctx.settings.public_url)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("the public URL does not parse: {e}")))?;
    let host = url.host_str().unwrap_or("localhost").to_string();
    let id = AsciiDomain::try_from(host).map(RpId::Domain).map_err(|e| {
        AppError::Internal(anyhow::anyhow!("the public URL's host is no RP id: {e}"))
    })?;
    Ok(RelyingParty {
        id,
        origin: url.origin().ascii_serialization(),
    })
}

/// The user handle passkeys carry: the account's id (random, no personal data).
fn user_handle(user: UserId) -> UserHandle16 {
    match UserHandle16::decode(*user.as_uuid().as_bytes()) {
        Ok(handle) => handle,
        Err(never) => match never {},
    }
}

fn internal(what: &str, e: impl std::fmt::Display) -> AppError {
    AppError::Internal(anyhow::anyhow!("{what}: {e}"))
}

fn challenge_bytes(challenge: u128) -> [u8; 16] {
    challenge.to_be_bytes()
}

const NOT_ACCEPTED: &str = "was not accepted: the request ended (it waits 5 minutes) or was answered already, or the browser's answer did not check out. Try again.";

/// A passkey's name follows the rule of every name (`profile::parse_name`), so the OpenAPI
/// document states it once.
pub fn check_name(name: &str) -> AppResult<String> {
    if name.trim().is_empty() {
        return Err(invalid(
            "name",
            "is missing: name the passkey after the device or app that keeps it, like \"Laptop\"",
        ));
    }
    crate::domain::profile::parse_name(name).map_err(|message| invalid("name", message))
}

pub async fn list(ctx: &Ctx, actor: &Actor) -> AppResult<Vec<Passkey>> {
    let mut pooled = ctx.db.acquire().await?;
    let rows = passkeys::list(&mut pooled.conn(), actor.user.id).await?;
    Ok(rows
        .into_iter()
        .map(|p| Passkey {
            id: p.id,
            name: p.name,
            created_at: p.created_at.0,
            last_used_at: p.last_used_at.map(|t| t.0),
        })
        .collect())
}

/// Starts registering a passkey named `name` on the actor's account: the options for
/// `navigator.credentials.create()`, as JSON (`PublicKeyCredentialCreationOptionsJSON`).
pub async fn register_begin(ctx: &Ctx, actor: &Actor, name: &str) -> AppResult<String> {
    let name = check_name(name)?;
    let rp = relying_party(ctx)?;
    let now = ctx.clock.now();
    let mut pooled = ctx.db.acquire().await?;
    let known = passkeys::credential_ids(&mut pooled.conn(), actor.user.id).await?;
    let exclude = known
        .into_iter()
        .filter_map(|id| CredentialId::decode(id).ok())
        .filter_map(|id| {
            AuthTransports::decode(0)
                .ok()
                .map(|transports| PublicKeyCredentialDescriptor { id, transports })
        })
        .collect();
    let handle = user_handle(actor.user.id);
    let user = PublicKeyCredentialUserEntity {
        name: Username::try_from(actor.user.email.as_str())
            .map_err(|e| internal("the email is no WebAuthn user name", e))?,
        id: &handle,
        display_name: Nickname::try_from(actor.user.name.as_str()).ok(),
    };
    let mut options = PublicKeyCredentialCreationOptions::passkey(&rp.id, user, exclude);
    // not enforced: authenticators without the extension must still work
    options.extensions.cred_protect = CredProtect::None;
    let (server, client) = options
        .start_ceremony()
        .map_err(|e| internal("starting a passkey registration failed", e))?;
    let state = server
        .encode()
        .map_err(|e| internal("encoding a registration failed", e))?;
    let challenge = challenge_bytes(webauthn_rp::request::TimedCeremony::sent_challenge(&server).0);
    let json = serde_json::to_string(&client)
        .map_err(|e| internal("serialising registration options failed", e))?;
    passkeys::insert_ceremony(
        &mut pooled.conn(),
        &passkeys::NewCeremony {
            challenge: &challenge,
            purpose: REGISTER,
            user: Some(actor.user.id),
            state: &state,
            name: Some(&name),
            expires_at: Ts(now + Duration::minutes(CEREMONY_MINUTES)),
            now: Ts(now),
        },
    )
    .await?;
    Ok(json)
}

/// Finishes a registration with the browser's answer (`RegistrationResponseJSON`): stores the
/// passkey under the name chosen at the start and audits `passkey.added`.
pub async fn register_finish(ctx: &Ctx, actor: &Actor, response: &str) -> AppResult<Passkey> {
    let refused = || invalid("credential", NOT_ACCEPTED);
    let registration = Registration::from_json_relaxed(response.as_bytes()).map_err(|e| {
        tracing::info!(error = %e, "a passkey registration does not parse");
        refused()
    })?;
    let challenge = registration.challenge_relaxed().map_err(|e| {
        tracing::info!(error = %e, "a passkey registration names no challenge");
        refused()
    })?;
    let rp = relying_party(ctx)?;
    // to the microsecond, as stored: the answer shows what a later read of the passkey shows
    let now = ctx.clock.now().trunc_subsecs(6);
    let mut tx = ctx.db.begin().await?;
    let ceremony = passkeys::take_ceremony(
        &mut tx.conn(),
        &challenge_bytes(challenge.0),
        REGISTER,
        Ts(now),
    )
    .await?;
    // the row is gone whatever happens next: a challenge answers once
    tx.commit().await?;
    let ceremony = ceremony
        .filter(|c| c.user == Some(actor.user.id))
        .ok_or_else(refused)?;
    let server = RegistrationServerState::<16>::decode(&ceremony.state)
        .map_err(|e| internal("decoding a registration failed", e))?;
    let origins = [rp.origin.as_str()];
    let options = RegistrationVerificationOptions::<&str, &str> {
        allowed_origins: &origins,
        ..Default::default()
    };
    let credential = match server.verify(&rp.id, &registration, &options) {
        Ok(credential) => credential,
        Err(e) => {
            tracing::info!(user = %actor.user.id, error = %e, "a passkey registration was refused");
            return Err(refused());
        }
    };
    let static_state = credential
        .static_state()
        .encode()
        .map_err(|e| internal("encoding a passkey failed", e))?;
    let dynamic_state = match credential.dynamic_state().encode() {
        Ok(bytes) => bytes,
        Err(never) => match never {},
    };
    let name = ceremony.name.unwrap_or_else(|| "Passkey".into());
    let credential_id = credential.id();
    let id = PasskeyId::new();
    let mut tx = ctx.db.begin().await?;
    let new = passkeys::NewPasskey {
        id,
        user: actor.user.id,
        credential_id: credential_id.as_ref(),
        static_state: &static_state,
        dynamic_state: &dynamic_state,
        name: &name,
        now: Ts(now),
    };
    if !passkeys::insert(&mut tx.conn(), &new).await? {
        return Err(AppError::Conflict(
            "This passkey is registered already.".into(),
        ));
    }
    let detail = json!({ "passkey": id, "name": name });
    audit::user_event(
        &mut tx,
        &actor.user,
        "passkey.added",
        detail,
        &actor.ip,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(Passkey {
        id,
        name,
        created_at: now,
        last_used_at: None,
    })
}

/// Renames one of the actor's passkeys (the name follows the rule it had at creation) and
/// audits `passkey.renamed` with the old and new names.
pub async fn rename(ctx: &Ctx, actor: &Actor, id: PasskeyId, name: &str) -> AppResult<Passkey> {
    let name = check_name(name)?;
    let now = ctx.clock.now();
    let mut tx = ctx.db.begin().await?;
    let before = passkeys::list(&mut tx.conn(), actor.user.id)
        .await?
        .into_iter()
        .find(|p| p.id == id)
        .ok_or_else(not_yours)?;
    let renamed = passkeys::rename(&mut tx.conn(), actor.user.id, id, &name)
        .await?
        .ok_or_else(not_yours)?;
    let detail = json!({ "passkey": id, "from": before.name, "to": renamed.name });
    audit::user_event(
        &mut tx,
        &actor.user,
        "passkey.renamed",
        detail,
        &actor.ip,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(Passkey {
        id: renamed.id,
        name: renamed.name,
        created_at: renamed.created_at.0,
        last_used_at: renamed.last_used_at.map(|t| t.0),
    })
}

fn not_yours() -> AppError {
    AppError::NotFound("You have no passkey with this id.".into())
}

/// Removes one of the actor's passkeys after the current password is proven again; refused
/// when it is the last second factor an organization of theirs requires.
pub async fn remove(ctx: &Ctx, actor: &Actor, id: PasskeyId, password: &str) -> AppResult<()> {
    let not_found = not_yours;
    let mut pooled = ctx.db.acquire().await?;
    // someone else's passkey, or none, is not found before any password is checked
    let mine = passkeys::list(&mut pooled.conn(), actor.user.id).await?;
    if !mine.iter().any(|p| p.id == id) {
        return Err(not_found());
    }
    let (_, hash) = users::find(&mut pooled.conn(), actor.user.id)
        .await?
        .ok_or(AppError::Unauthorized)?;
    drop(pooled);
    if !passwords::verify(password.to_string(), Some(hash)).await? {
        return Err(invalid("current_password", "is not your current password"));
    }
    let now = ctx.clock.now();
    let mut tx = ctx.db.begin().await?;
    let name = passkeys::delete(&mut tx.conn(), actor.user.id, id)
        .await?
        .ok_or_else(not_found)?;
    if !super::two_factor::is_on(&mut tx, actor.user.id).await? {
        let required_by =
            organizations::requiring_two_factor(&mut tx.conn(), actor.user.id).await?;
        if !required_by.is_empty() {
            return Err(AppError::Conflict(format!(
                "This is your last second factor, and {} require two-factor sign-in. Set up an authenticator app or add another passkey first.",
                required_by.join(", ")
            )));
        }
    }
    let detail = json!({ "passkey": id, "name": name });
    audit::user_event(
        &mut tx,
        &actor.user,
        "passkey.removed",
        detail,
        &actor.ip,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Starts a sign-in ceremony: the options for `navigator.credentials.get()` as JSON
/// (`PublicKeyCredentialRequestOptionsJSON`; no allowed credentials: the passkey names its
/// person, user verification required). `user` is the person a second factor is awaited for.
pub async fn assertion_begin(
    ctx: &Ctx,
    purpose: Purpose,
    user: Option<UserId>,
) -> AppResult<String> {
    let rp = relying_party(ctx)?;
    let now = ctx.clock.now();
    let (server, client) = DiscoverableCredentialRequestOptions::passkey(&rp.id)
        .start_ceremony()
        .map_err(|e| internal("starting a passkey sign-in failed", e))?;
    let state = server
        .encode()
        .map_err(|e| internal("encoding a passkey sign-in failed", e))?;
    let challenge = challenge_bytes(webauthn_rp::request::TimedCeremony::sent_challenge(&server).0);
    let json = serde_json::to_string(&client)
        .map_err(|e| internal("serialising sign-in options failed", e))?;
    let mut pooled = ctx.db.acquire().await?;
    passkeys::insert_ceremony(
        &mut pooled.conn(),
        &passkeys::NewCeremony {
            challenge: &challenge,
            purpose: purpose.as_str(),
            user,
            state: &state,
            name: None,
            expires_at: Ts(now + Duration::minutes(CEREMONY_MINUTES)),
            now: Ts(now),
        },
    )
    .await?;
    Ok(json)
}

/// What checking an assertion found.
pub(super) enum Assertion {
    /// Right: the passkey's owner (not yet checked for being disabled).
    Verified(UserId),
    /// Wrong; the owner of the passkey it named, when there is one (its failures are counted).
    Refused(Option<UserId>),
}

/// Checks a browser's answer (`AuthenticationResponseJSON`) inside `tx`, using up its
/// challenge whatever the outcome, and records the passkey's use when it is right; an answer
/// that does not parse is a `Validation` error. For a second
/// factor, only a passkey of the challenge's person will do.
pub(super) async fn check_assertion(
    ctx: &Ctx,
    tx: &mut Tx,
    purpose: Purpose,
    response: &str,
    ip: &str,
    now: DateTime<Utc>,
) -> AppResult<Assertion> {
    // an answer that does not parse is no guess at anyone's passkey: refused, not counted
    let no_answer = || {
        invalid(
            "credential",
            "is not a passkey's answer (PublicKeyCredential.toJSON())",
        )
    };
    let authentication = DiscoverableAuthentication16::from_json_relaxed(response.as_bytes())
        .map_err(|_| no_answer())?;
    let challenge = authentication
        .challenge_relaxed()
        .map_err(|_| no_answer())?;
    let ceremony = passkeys::take_ceremony(
        &mut tx.conn(),
        &challenge_bytes(challenge.0),
        purpose.as_str(),
        Ts(now),
    )
    .await?;
    let stored =
        passkeys::find_by_credential(&mut tx.conn(), authentication.raw_id().as_ref()).await?;
    let Some(stored) = stored else {
        return Ok(Assertion::Refused(None));
    };
    let owner = Some(stored.user);
    let Some(ceremony) = ceremony else {
        return Ok(Assertion::Refused(owner));
    };
    if purpose == Purpose::SecondFactor && ceremony.user != owner {
        return Ok(Assertion::Refused(ceremony.user));
    }
    let server = DiscoverableAuthenticationServerState::decode(&ceremony.state)
        .map_err(|e| internal("decoding a passkey sign-in failed", e))?;
    let static_state =
        StaticState::<CompressedPubKey<[u8; 32], [u8; 32], [u8; 48], Vec<u8>>>::decode(
            &stored.static_state,
        )
        .map_err(|e| internal("decoding a stored passkey failed", e))?;
    let dynamic: [u8; 7] = stored
        .dynamic_state
        .as_slice()
        .try_into()
        .map_err(|e| internal("a stored passkey's state has the wrong size", e))?;
    let dynamic_state = DynamicState::decode(dynamic)
        .map_err(|e| internal("decoding a stored passkey's state failed", e))?;
    let handle = user_handle(stored.user);
    let mut credential = AuthenticatedCredential::new(
        authentication.raw_id(),
        &handle,
        static_state,
        dynamic_state,
    )
    .map_err(|e| internal("a stored passkey is not consistent", e))?;
    let rp = relying_party(ctx)?;
    let origins = [rp.origin.as_str()];
    let options = AuthenticationVerificationOptions::<&str, &str> {
        allowed_origins: &origins,
        update_uv: true,
        ..Default::default()
    };
    if let Err(e) = server.verify(&rp.id, &authentication, &mut credential, &options) {
        tracing::info!(user = %stored.user, error = %e, "a passkey assertion was refused");
        return Ok(Assertion::Refused(owner));
    }
    let dynamic = match credential.dynamic_state().encode() {
        Ok(bytes) => bytes,
        Err(never) => match never {},
    };
    passkeys::record_use(&mut tx.conn(), stored.user, stored.id, &dynamic, Ts(now)).await?;
    let Some((user, _)) = users::find(&mut tx.conn(), stored.user).await? else {
        return Ok(Assertion::Refused(None));
    };
    let detail = json!({ "passkey": stored.id, "name": stored.name, "purpose": purpose.as_str() });
    audit::user_event(tx, &user, "passkey.used", detail, ip, now).await?;
    Ok(Assertion::Verified(stored.user))
}

/// The user a `Verified` assertion names, for the callers that need the whole account.
pub(super) async fn owner(tx: &mut Tx, user: UserId) -> AppResult<Option<User>> {
    Ok(users::find(&mut tx.conn(), user).await?.map(|(u, _)| u))
}
