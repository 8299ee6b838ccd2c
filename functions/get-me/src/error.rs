//! The errors of `GET /me`, and the one place they become a status, a code and a body.

use auth::{AccessError, CredentialError};
use bootstrap::{Challenge, RouteError};
use lambda_http::http::{HeaderMap, StatusCode};
use serde::Serialize;

/// Why `GET /me` did not answer 200. Each variant has a stable integer `code` (README,
/// `openapi.yaml`); the message is fixed text, never built from input or internals.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum MeError {
    /// 400, code 4000: credential headers malformed or ambiguous.
    #[error("bad request: {0}")]
    BadRequest(&'static str),
    /// 405, code 4050: a method other than GET and HEAD.
    #[error("method not allowed")]
    MethodNotAllowed,
    /// 401, 404, 500, 503: shared with `/users/me` (codes 4010–4014, 4040, 5000, 5030).
    #[error(transparent)]
    Access(#[from] AccessError),
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    errors: [ErrorEntry<'a>; 1],
}

#[derive(Serialize)]
struct ErrorEntry<'a> {
    message: &'a str,
    code: u16,
}

impl MeError {
    /// The message the client sees.
    pub fn message(&self) -> &'static str {
        match self {
            MeError::BadRequest(why) => why,
            MeError::MethodNotAllowed => "Only GET and HEAD are allowed on /me.",
            MeError::Access(access) => match access {
                AccessError::MissingCredential => {
                    "A session token is required: the __session cookie or an Authorization: Bearer header."
                }
                AccessError::InvalidToken(_) => "The session token is invalid.",
                AccessError::ExpiredToken => "The session token has expired.",
                AccessError::SessionNotLive => "The session has ended or was revoked.",
                AccessError::TenantUnavailable => "The account's tenant is unknown or disabled.",
                AccessError::TenantMismatch
                | AccessError::ApiKeyRefused(_)
                | AccessError::IncompleteApiKey => "The credential is not valid.",
                AccessError::UserNotFound => "The user no longer exists.",
                AccessError::UserInactive => "The user is deactivated or archived.",
                AccessError::Internal(_) => "Internal error.",
                AccessError::Unavailable(_) => {
                    "The service is temporarily unavailable; retry shortly."
                }
            },
        }
    }
}

impl RouteError for MeError {
    const CONTENT_TYPE: &'static str = crate::CONTENT_TYPE;

    fn method_not_allowed() -> Self {
        MeError::MethodNotAllowed
    }

    fn status(&self) -> StatusCode {
        match self {
            MeError::BadRequest(_) => StatusCode::BAD_REQUEST,
            MeError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            MeError::Access(access) => access.status(),
        }
    }

    fn code(&self) -> u16 {
        match self {
            MeError::BadRequest(_) => 4000,
            MeError::MethodNotAllowed => 4050,
            MeError::Access(access) => access.code(),
        }
    }

    /// Every credential of `/me` is a token.
    fn challenge(&self, _: &HeaderMap) -> Challenge {
        match self {
            MeError::Access(AccessError::MissingCredential) => Challenge::NoToken,
            MeError::Access(AccessError::ExpiredToken) => Challenge::ExpiredToken,
            _ => Challenge::InvalidToken,
        }
    }

    fn body<'a>(&'a self, _: &'a str) -> impl Serialize + 'a {
        ErrorBody {
            errors: [ErrorEntry {
                message: self.message(),
                code: self.code(),
            }],
        }
    }
}

impl From<CredentialError> for MeError {
    fn from(err: CredentialError) -> Self {
        match err {
            CredentialError::Malformed(why) => MeError::BadRequest(why),
            CredentialError::InvalidToken(why) => AccessError::InvalidToken(why).into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn route_codes_match_their_status() {
        for e in [
            MeError::BadRequest("x"),
            MeError::MethodNotAllowed,
            MeError::Access(AccessError::ExpiredToken),
        ] {
            assert_eq!(e.code() / 10, RouteError::status(&e).as_u16(), "{e:?}");
        }
    }

    #[test]
    fn internal_details_never_reach_the_message() {
        let e = MeError::Access(AccessError::Internal(
            "item TENANT#x/USER#y does not map".into(),
        ));
        assert_eq!(e.message(), "Internal error.");
        let e = MeError::Access(AccessError::Unavailable("ThrottlingException".into()));
        assert!(!e.message().contains("Throttling"));
    }
}
