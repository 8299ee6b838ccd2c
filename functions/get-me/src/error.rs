//! The errors of `GET /me`, and the one place they become a status, a code and a body.

use auth::{CredentialError, TokenError};
use gateway::RequestMeta;
use lambda_http::http::StatusCode;
use lambda_http::http::header::{HeaderName, RETRY_AFTER, WWW_AUTHENTICATE};
use lambda_http::{Body, Response};
use serde::Serialize;
use store::StoreError;

/// Why `GET /me` did not answer 200. Each variant has a stable integer `code` (README,
/// `openapi.yaml`); the message is fixed text, never built from input or internals.
#[derive(Debug, thiserror::Error)]
pub enum MeError {
    /// 400, code 4000: credential headers malformed or ambiguous.
    #[error("bad request: {0}")]
    BadRequest(&'static str),
    /// 401, code 4010: no session token.
    #[error("no session token")]
    MissingCredential,
    /// 401, code 4011: the token is not acceptable (or `Authorization` is not Bearer).
    #[error("invalid token: {0}")]
    InvalidToken(&'static str),
    /// 401, code 4012: the token has expired.
    #[error("token expired")]
    ExpiredToken,
    /// 401, code 4013: the session is unknown, revoked, expired or another user's.
    #[error("session not live")]
    SessionNotLive,
    /// 401, code 4014: the tenant is unknown or disabled.
    #[error("tenant unknown or disabled")]
    TenantUnavailable,
    /// 404, code 4040: the session is live but the user is gone.
    #[error("user not found")]
    UserNotFound,
    /// 405, code 4050: only GET.
    #[error("method not allowed")]
    MethodNotAllowed,
    /// 500, code 5000: anything unexpected (logged; never described to the client).
    #[error("internal error: {0}")]
    Internal(String),
    /// 503, code 5030: the store or the signing keys are unavailable; retry later.
    #[error("unavailable: {0}")]
    Unavailable(String),
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
    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        match self {
            MeError::BadRequest(_) => StatusCode::BAD_REQUEST,
            MeError::MissingCredential
            | MeError::InvalidToken(_)
            | MeError::ExpiredToken
            | MeError::SessionNotLive
            | MeError::TenantUnavailable => StatusCode::UNAUTHORIZED,
            MeError::UserNotFound => StatusCode::NOT_FOUND,
            MeError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            MeError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            MeError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    /// The stable error code.
    pub fn code(&self) -> u16 {
        match self {
            MeError::BadRequest(_) => 4000,
            MeError::MissingCredential => 4010,
            MeError::InvalidToken(_) => 4011,
            MeError::ExpiredToken => 4012,
            MeError::SessionNotLive => 4013,
            MeError::TenantUnavailable => 4014,
            MeError::UserNotFound => 4040,
            MeError::MethodNotAllowed => 4050,
            MeError::Internal(_) => 5000,
            MeError::Unavailable(_) => 5030,
        }
    }

    /// The message the client sees.
    pub fn message(&self) -> &'static str {
        match self {
            MeError::BadRequest(why) => why,
            MeError::MissingCredential => {
                "A session token is required: the __session cookie or an Authorization: Bearer header."
            }
            MeError::InvalidToken(_) => "The session token is invalid.",
            MeError::ExpiredToken => "The session token has expired.",
            MeError::SessionNotLive => "The session has ended or was revoked.",
            MeError::TenantUnavailable => "The account's tenant is unknown or disabled.",
            MeError::UserNotFound => "The user no longer exists.",
            MeError::MethodNotAllowed => "Only GET is allowed on /me.",
            MeError::Internal(_) => "Internal error.",
            MeError::Unavailable(_) => "The service is temporarily unavailable; retry shortly.",
        }
    }

    /// The response, with `WWW-Authenticate` on 401, `Allow` on 405, `Retry-After` on 503.
    pub fn into_response(self, meta: &RequestMeta) -> Response<Body> {
        let status = self.status();
        match status {
            StatusCode::INTERNAL_SERVER_ERROR => {
                tracing::error!(request_id = %meta.request_id, error = %self, "GET /me failed")
            }
            _ => {
                tracing::warn!(request_id = %meta.request_id, status = status.as_u16(), reason = %self, "GET /me refused")
            }
        }
        let extra: &[(HeaderName, &'static str)] = match status {
            StatusCode::UNAUTHORIZED => &[(WWW_AUTHENTICATE, "Bearer")],
            StatusCode::METHOD_NOT_ALLOWED => &[(HeaderName::from_static("allow"), "GET")],
            StatusCode::SERVICE_UNAVAILABLE => &[(RETRY_AFTER, "1")],
            _ => &[],
        };
        let body = ErrorBody {
            errors: [ErrorEntry {
                message: self.message(),
                code: self.code(),
            }],
        };
        gateway::json_response(meta, status, "application/json", &body, extra)
    }
}

impl From<CredentialError> for MeError {
    fn from(err: CredentialError) -> Self {
        match err {
            CredentialError::Malformed(why) => MeError::BadRequest(why),
            CredentialError::UnsupportedScheme => {
                MeError::InvalidToken("Authorization scheme is not Bearer")
            }
        }
    }
}

impl From<TokenError> for MeError {
    fn from(err: TokenError) -> Self {
        match err {
            TokenError::Expired => MeError::ExpiredToken,
            TokenError::Invalid(why) => MeError::InvalidToken(why),
            TokenError::KeysUnavailable(why) => MeError::Unavailable(why),
        }
    }
}

impl From<StoreError> for MeError {
    fn from(err: StoreError) -> Self {
        if err.is_unavailable() {
            MeError::Unavailable(err.to_string())
        } else {
            MeError::Internal(err.to_string())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_start_with_the_status() {
        let all = [
            MeError::BadRequest("x"),
            MeError::MissingCredential,
            MeError::InvalidToken("x"),
            MeError::ExpiredToken,
            MeError::SessionNotLive,
            MeError::TenantUnavailable,
            MeError::UserNotFound,
            MeError::MethodNotAllowed,
            MeError::Internal("x".into()),
            MeError::Unavailable("x".into()),
        ];
        let mut codes: Vec<u16> = all.iter().map(MeError::code).collect();
        for e in &all {
            assert_eq!(e.code() / 10, e.status().as_u16(), "{e:?}");
        }
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), all.len());
    }

    #[test]
    fn internal_details_never_reach_the_message() {
        let e = MeError::Internal("item TENANT#x/USER#y does not map".into());
        assert_eq!(e.message(), "Internal error.");
        let e = MeError::Unavailable("ThrottlingException".into());
        assert!(!e.message().contains("Throttling"));
    }
}
