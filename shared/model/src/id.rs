//! Typed ids: a tenant id is never passed where a user id is expected, and an id is parsed
//! once, where it enters (a token claim, a header, the command line, a stored item), instead of
//! travelling as a `String` and being parsed again.
//!
//! [`TenantId`], [`UserId`] and [`SessionId`] are UUIDs, shown and stored in lower-case
//! hyphenated form; they parse from any form `uuid` accepts (hyphenated, simple, braced, URN),
//! as the token claims always did. [`ApiKeyId`] is the public id of an API key: `cuk_` and 32
//! lower-case hex digits.

use std::fmt;
use std::str::FromStr;

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use uuid::{Uuid, Variant};

/// A text that is not an id of the expected kind.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a valid {kind}")]
pub struct IdError {
    /// Which id was expected (`"tenant id"`).
    pub kind: &'static str,
}

macro_rules! uuid_id {
    ($(#[$doc:meta])* $name:ident, $kind:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(Uuid);

        impl $name {
            /// A new random (version 4) id.
            pub fn random() -> Self {
                Self(Uuid::new_v4())
            }

            /// The id of this UUID.
            pub const fn from_uuid(uuid: Uuid) -> Self {
                Self(uuid)
            }

            /// The UUID.
            pub const fn as_uuid(&self) -> &Uuid {
                &self.0
            }

            /// Parses a UUIDv4 in its hyphenated form only (version and RFC 4122 variant
            /// checked): how ids typed by people and sent in headers are accepted.
            pub fn parse_v4(text: &str) -> Result<Self, IdError> {
                let uuid = (text.len() == 36)
                    .then(|| Uuid::try_parse(text).ok())
                    .flatten()
                    .filter(|u| u.get_version_num() == 4 && u.get_variant() == Variant::RFC4122)
                    .ok_or(IdError { kind: $kind })?;
                Ok(Self(uuid))
            }
        }

        impl FromStr for $name {
            type Err = IdError;

            fn from_str(text: &str) -> Result<Self, IdError> {
                Uuid::parse_str(text)
                    .map(Self)
                    .map_err(|_| IdError { kind: $kind })
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.hyphenated().fmt(f)
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_str(self)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
                text.parse().map_err(D::Error::custom)
            }
        }
    };
}

uuid_id!(
    /// A tenant's id (the `tid` claim, `X-Domain`).
    TenantId,
    "tenant id"
);
uuid_id!(
    /// A user's id (the `sub` claim).
    UserId,
    "user id"
);
uuid_id!(
    /// A session's id (the `sid` claim).
    SessionId,
    "session id"
);

const API_KEY_PREFIX: &str = "cuk_";

/// The public id of an API key, as sent in `X-API-KEY`: `cuk_` and 32 lower-case hex digits
/// (a UUIDv4's random bits). Stored in clear, as part of the key item's key.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ApiKeyId(String);

impl ApiKeyId {
    /// A new random key id.
    pub fn random() -> Self {
        Self(format!("{API_KEY_PREFIX}{}", Uuid::new_v4().simple()))
    }

    /// Checks the format of an `X-API-KEY` value.
    pub fn parse(text: &str) -> Result<Self, IdError> {
        let well_formed = text.strip_prefix(API_KEY_PREFIX).is_some_and(|hex| {
            hex.len() == 32 && hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
        });
        if well_formed {
            Ok(Self(text.to_owned()))
        } else {
            Err(IdError { kind: "API key id" })
        }
    }

    /// The key id.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ApiKeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for ApiKeyId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for ApiKeyId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Self::parse(&text).map_err(D::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuid_ids_show_hyphenated_lower_case_and_parse_any_uuid_form() {
        let id: TenantId = "0F8FAD5B-D9CB-469F-A165-70867728950E".parse().unwrap();
        assert_eq!(id.to_string(), "0f8fad5b-d9cb-469f-a165-70867728950e");
        let simple: TenantId = "0f8fad5bd9cb469fa16570867728950e".parse().unwrap();
        assert_eq!(simple, id);
        assert!("not-a-uuid".parse::<UserId>().is_err());
        assert_eq!(
            serde_json::to_string(&id).unwrap(),
            "\"0f8fad5b-d9cb-469f-a165-70867728950e\""
        );
        let back: TenantId =
            serde_json::from_str("\"0f8fad5b-d9cb-469f-a165-70867728950e\"").unwrap();
        assert_eq!(back, id);
        assert!(serde_json::from_str::<SessionId>("\"x\"").is_err());
    }

    #[test]
    fn parse_v4_takes_the_hyphenated_v4_form_only() {
        assert!(TenantId::parse_v4("0f8fad5b-d9cb-469f-a165-70867728950e").is_ok());
        for bad in [
            "0f8fad5bd9cb469fa16570867728950e",
            "0f8fad5b-d9cb-169f-a165-70867728950e",
            "0f8fad5b-d9cb-469f-c165-70867728950e",
            "{0f8fad5b-d9cb-469f-a165-70867728950e}",
        ] {
            assert!(TenantId::parse_v4(bad).is_err(), "{bad}");
        }
        assert_eq!(TenantId::random().as_uuid().get_version_num(), 4);
    }

    #[test]
    fn api_key_ids_are_prefixed_lower_case_hex() {
        let key = ApiKeyId::random();
        assert_eq!(ApiKeyId::parse(key.as_str()).unwrap(), key);
        for bad in [
            "",
            "cuk_",
            "cuk_XYZ",
            &key.as_str().to_uppercase(),
            &format!("{key}0"),
        ] {
            assert!(ApiKeyId::parse(bad).is_err(), "{bad}");
        }
    }
}
