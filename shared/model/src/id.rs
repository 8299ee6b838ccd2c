//! Typed ids: a tenant id is never passed where a user id is expected, and an id is checked
//! once, where it enters (a token claim, a header, the command line, a stored item), instead of
//! travelling as a `String` and being checked again.
//!
//! [`TenantId`], [`UserId`] and [`SessionId`] are opaque ids, so the identity provider's own
//! ids can be used: Cognito's UUID `sub`, Auth0's `auth0|5f7c8ec7c33c6c004bbafe82` or
//! `google-oauth2|1043…`, Clerk's `user_2NNEqL2nrIRdJ194ndJqAHwEfxC`, `sess_…`, `org_…`. An id
//! is 1 to [`MAX_ID_LEN`] characters of [`ID_ALPHABET`]: ASCII letters and digits and
//! `- _ . | @ : + =`. It never holds `#`, the store's key separator, nor `/`, spaces or control
//! characters, so a key built from it names exactly one item. Ids are compared exactly, case
//! included; the ids this project makes (`random`) are lower-case hyphenated UUIDv4s.
//!
//! [`ApiKeyId`] is the public id of an API key: `cuk_` and 32 lower-case hex digits.

use std::fmt;
use std::str::FromStr;

use serde_with::{DeserializeFromStr, SerializeDisplay};
use uuid::fmt::Hyphenated;
use uuid::{Uuid, Variant};

/// The longest id, in bytes.
pub const MAX_ID_LEN: usize = 128;

/// The characters an id may hold besides ASCII letters and digits.
pub const ID_ALPHABET: &str = "A-Z a-z 0-9 - _ . | @ : + =";

/// A text that is not an id of the expected kind.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a valid {kind} (1 to 128 of {ID_ALPHABET})")]
pub struct IdError {
    /// Which id was expected (`"tenant id"`).
    pub kind: &'static str,
}

const fn id_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'|' | b'@' | b':' | b'+' | b'=')
}

/// An id's text, held inline so that ids are `Copy` (the unused bytes are always zero).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
struct IdText {
    len: u8,
    bytes: [u8; MAX_ID_LEN],
}

impl IdText {
    const fn new(text: &str) -> Option<Self> {
        let source = text.as_bytes();
        if source.is_empty() || source.len() > MAX_ID_LEN {
            return None;
        }
        let mut bytes = [0u8; MAX_ID_LEN];
        let mut i = 0;
        while i < source.len() {
            if !id_byte(source[i]) {
                return None;
            }
            bytes[i] = source[i];
            i += 1;
        }
        Some(Self {
            len: source.len() as u8,
            bytes,
        })
    }

    /// The lower-case hyphenated form of `uuid`.
    fn from_uuid(uuid: Uuid) -> Self {
        let mut bytes = [0u8; MAX_ID_LEN];
        uuid.hyphenated()
            .encode_lower(&mut bytes[..Hyphenated::LENGTH]);
        Self {
            len: Hyphenated::LENGTH as u8,
            bytes,
        }
    }
}

/// The text. The constructors store ASCII only; bytes that were not UTF-8 would be an error of
/// the formatter (so of the serialiser), never an empty or altered id.
impl fmt::Display for IdText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = std::str::from_utf8(&self.bytes[..usize::from(self.len)]);
        f.write_str(text.map_err(|_| fmt::Error)?)
    }
}

macro_rules! opaque_id {
    ($(#[$doc:meta])* $name:ident, $kind:literal) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, SerializeDisplay, DeserializeFromStr)]
        pub struct $name(IdText);

        impl $name {
            /// Checks `text` (see the module docs).
            pub fn parse(text: &str) -> Result<Self, IdError> {
                IdText::new(text).map(Self).ok_or(IdError { kind: $kind })
            }

            /// The id of a literal; a literal that is not a valid id fails to compile when the
            /// result is a `const`, and panics otherwise.
            pub const fn from_static(text: &'static str) -> Self {
                match IdText::new(text) {
                    Some(id) => Self(id),
                    None => panic!("not a valid id"),
                }
            }

            /// A new random id: a lower-case hyphenated UUIDv4.
            pub fn random() -> Self {
                Self::from_uuid(Uuid::new_v4())
            }

            /// The lower-case hyphenated form of `uuid`.
            pub fn from_uuid(uuid: Uuid) -> Self {
                Self(IdText::from_uuid(uuid))
            }

            /// A UUIDv4 in its hyphenated form only (version and RFC 4122 variant checked),
            /// in lower case: how `X-Domain` names a tenant.
            pub fn parse_v4(text: &str) -> Result<Self, IdError> {
                (text.len() == 36)
                    .then(|| Uuid::try_parse(text).ok())
                    .flatten()
                    .filter(|u| u.get_version_num() == 4 && u.get_variant() == Variant::RFC4122)
                    .map(Self::from_uuid)
                    .ok_or(IdError { kind: $kind })
            }
        }

        impl FromStr for $name {
            type Err = IdError;

            fn from_str(text: &str) -> Result<Self, IdError> {
                Self::parse(text)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({:?})", stringify!($name), self.0.to_string())
            }
        }
    };
}

opaque_id!(
    /// A tenant's id (the tenant claim, `tid` by default; `X-Domain`).
    TenantId,
    "tenant id"
);
opaque_id!(
    /// A user's id (the `sub` claim).
    UserId,
    "user id"
);
opaque_id!(
    /// A session's id (the session claim, `sid` by default).
    SessionId,
    "session id"
);

const API_KEY_PREFIX: &str = "cuk_";

/// Whether `text` is `prefix` followed by exactly `digits` lower-case hex digits: the format of
/// both halves of an API key.
pub fn is_prefixed_hex(text: &str, prefix: &str, digits: usize) -> bool {
    text.strip_prefix(prefix).is_some_and(|hex| {
        hex.len() == digits && hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    })
}

/// The public id of an API key, as sent in `X-API-KEY`: `cuk_` and 32 lower-case hex digits
/// (a UUIDv4's random bits). Stored in clear, as part of the key item's key.
#[derive(Debug, Clone, PartialEq, Eq, Hash, SerializeDisplay, DeserializeFromStr)]
pub struct ApiKeyId(String);

impl ApiKeyId {
    /// A new random key id.
    pub fn random() -> Self {
        Self(format!("{API_KEY_PREFIX}{}", Uuid::new_v4().simple()))
    }

    /// Checks the format of an `X-API-KEY` value.
    pub fn parse(text: &str) -> Result<Self, IdError> {
        if is_prefixed_hex(text, API_KEY_PREFIX, 32) {
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

impl FromStr for ApiKeyId {
    type Err = IdError;

    fn from_str(text: &str) -> Result<Self, IdError> {
        Self::parse(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provider_ids_are_accepted_as_they_are() {
        for id in [
            "0f8fad5b-d9cb-469f-a165-70867728950e",
            "0F8FAD5B-D9CB-469F-A165-70867728950E",
            "auth0|5f7c8ec7c33c6c004bbafe82",
            "google-oauth2|104357890865234567890",
            "samlp|acme|ada@acme.example",
            "user_2NNEqL2nrIRdJ194ndJqAHwEfxC",
            "sess_2NNEqhBVAyTg1FmQi1nhq9qjNQb",
            "org_2NNEr9oHbiT3Fqw4aaO6kQtFHKk",
            "a",
            &"x".repeat(MAX_ID_LEN),
        ] {
            let parsed = UserId::parse(id).unwrap();
            assert_eq!(parsed.to_string(), id);
            assert_eq!(serde_json::to_string(&parsed).unwrap(), format!("\"{id}\""));
            let back: UserId = serde_json::from_str(&format!("\"{id}\"")).unwrap();
            assert_eq!(back, parsed);
        }
    }

    #[test]
    fn separators_spaces_and_overlong_ids_are_refused() {
        for bad in [
            "",
            "TENANT#x",
            "a#b",
            "a/b",
            "a b",
            "a\nb",
            "é",
            "a\u{0}",
            &"x".repeat(MAX_ID_LEN + 1),
        ] {
            assert!(TenantId::parse(bad).is_err(), "{bad:?}");
            assert!(
                serde_json::from_str::<SessionId>(&serde_json::to_string(bad).unwrap()).is_err()
            );
        }
    }

    #[test]
    fn static_and_random_ids() {
        const DEMO: TenantId = TenantId::from_static("0f8fad5b-d9cb-469f-a165-70867728950e");
        assert_eq!(DEMO.to_string(), "0f8fad5b-d9cb-469f-a165-70867728950e");
        let random = UserId::random();
        assert_eq!(
            Uuid::parse_str(&random.to_string())
                .unwrap()
                .get_version_num(),
            4
        );
        assert_eq!(random.to_string(), random.to_string().to_lowercase());
    }

    #[test]
    fn parse_v4_takes_the_hyphenated_v4_form_only() {
        assert_eq!(
            TenantId::parse_v4("0F8FAD5B-D9CB-469F-A165-70867728950E").unwrap(),
            TenantId::from_static("0f8fad5b-d9cb-469f-a165-70867728950e")
        );
        for bad in [
            "0f8fad5bd9cb469fa16570867728950e",
            "0f8fad5b-d9cb-169f-a165-70867728950e",
            "0f8fad5b-d9cb-469f-c165-70867728950e",
            "{0f8fad5b-d9cb-469f-a165-70867728950e}",
        ] {
            assert!(TenantId::parse_v4(bad).is_err(), "{bad}");
        }
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
