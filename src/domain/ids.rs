//! Typed ids: UUIDv7 (time-ordered, so indexes stay append-mostly) behind one newtype per entity.

use std::fmt;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! typed_id {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            /// A new time-ordered id.
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }

            pub fn from_uuid(uuid: Uuid) -> Self {
                Self(uuid)
            }

            pub fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        // ids appear in the OpenAPI document as UUID strings
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(utoipa::openapi::KnownFormat::Uuid)))
                    .into()
            }
        }

        impl utoipa::ToSchema for $name {}

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl std::str::FromStr for $name {
            type Err = uuid::Error;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

typed_id!(
    /// One installation of GoGoTime (one database), shown in `/api/system/version` for support.
    InstanceId
);
typed_id!(UserId);
typed_id!(OrganizationId);
typed_id!(InvitationId);
typed_id!(ApiTokenId);
typed_id!(SessionId);
typed_id!(
    /// A person's identity at an OpenID provider, linked to their account (single sign-on).
    IdentityId
);
typed_id!(
    /// A passkey (WebAuthn credential) a person registered to sign in with.
    PasskeyId
);
typed_id!(RefreshTokenId);
typed_id!(AuditEntryId);
typed_id!(ClientId);
typed_id!(ProjectId);
typed_id!(TaskId);
typed_id!(TagId);
typed_id!(TimeEntryId);
typed_id!(SavedReportId);
typed_id!(SharedReportId);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_time_ordered_uuid_v7() {
        let (a, b) = (InstanceId::new(), InstanceId::new());
        assert_eq!(a.as_uuid().get_version_num(), 7);
        assert!(a < b);
    }
}
