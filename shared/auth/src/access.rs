//! The refusals and failures of establishing who a caller is, with their stable codes, shared
//! by both routes.
//!
//! Each route wraps [`AccessError`] in its own error enum and shapes the body its way; the
//! status and the code are decided here once, so `/me` and `/users/me` agree on them.

use http::StatusCode;
use store::StoreError;

use crate::TokenError;

/// Why a request was not given an identity, or could not be served.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccessError {
    /// 401, code 4010: no credential.
    #[error("no credential")]
    MissingCredential,
    /// 401, code 4011: the token is not acceptable (signature, kid, alg, iss, aud, nbf, shape,
    /// or a non-Bearer `Authorization`). The text names the check, for logs.
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
    /// 401, code 4015: the token belongs to another tenant than the one the request names.
    #[error("token of another tenant")]
    TenantMismatch,
    /// 401, code 4016: the API key is unknown, revoked, expired or malformed, or the secret
    /// does not match (one code, so keys cannot be probed).
    #[error("API key refused: {0}")]
    ApiKeyRefused(&'static str),
    /// 401, code 4017: only one of `X-API-KEY` and `X-API-SECRET`.
    #[error("incomplete API key pair")]
    IncompleteApiKey,
    /// 401, code 4018: the user is deactivated (`active: false`) or archived (`archived_at`
    /// set): its sessions, tokens and API keys no longer count.
    #[error("user deactivated or archived")]
    UserInactive,
    /// 404, code 4040: the credential is fine but its user is gone.
    #[error("user not found")]
    UserNotFound,
    /// 500, code 5000: anything unexpected. The text is for the log only.
    #[error("internal error: {0}")]
    Internal(String),
    /// 503, code 5030: the store or the signing keys are unavailable; retry later.
    #[error("unavailable: {0}")]
    Unavailable(String),
}

impl AccessError {
    /// The stable error code.
    pub fn code(&self) -> u16 {
        match self {
            AccessError::MissingCredential => 4010,
            AccessError::InvalidToken(_) => 4011,
            AccessError::ExpiredToken => 4012,
            AccessError::SessionNotLive => 4013,
            AccessError::TenantUnavailable => 4014,
            AccessError::TenantMismatch => 4015,
            AccessError::ApiKeyRefused(_) => 4016,
            AccessError::IncompleteApiKey => 4017,
            AccessError::UserInactive => 4018,
            AccessError::UserNotFound => 4040,
            AccessError::Internal(_) => 5000,
            AccessError::Unavailable(_) => 5030,
        }
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        match self {
            AccessError::UserNotFound => StatusCode::NOT_FOUND,
            AccessError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            AccessError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::UNAUTHORIZED,
        }
    }
}

impl From<TokenError> for AccessError {
    fn from(err: TokenError) -> Self {
        match err {
            TokenError::Expired => AccessError::ExpiredToken,
            TokenError::Invalid(why) => AccessError::InvalidToken(why),
            TokenError::KeysUnavailable(why) => AccessError::Unavailable(why),
        }
    }
}

impl From<StoreError> for AccessError {
    fn from(err: StoreError) -> Self {
        if err.is_unavailable() {
            AccessError::Unavailable(err.to_string())
        } else {
            AccessError::Internal(err.to_string())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_start_with_the_status() {
        let all = [
            AccessError::MissingCredential,
            AccessError::InvalidToken("x"),
            AccessError::ExpiredToken,
            AccessError::SessionNotLive,
            AccessError::TenantUnavailable,
            AccessError::TenantMismatch,
            AccessError::ApiKeyRefused("x"),
            AccessError::IncompleteApiKey,
            AccessError::UserInactive,
            AccessError::UserNotFound,
            AccessError::Internal("x".into()),
            AccessError::Unavailable("x".into()),
        ];
        for e in &all {
            assert_eq!(e.code() / 10, e.status().as_u16(), "{e:?}");
        }
        let mut codes: Vec<u16> = all.iter().map(AccessError::code).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), all.len());
    }

    #[test]
    fn store_failures_split_into_503_and_500() {
        let unavailable = StoreError::Unavailable {
            operation: "GetItem",
            detail: "timeout".into(),
        };
        assert_eq!(AccessError::from(unavailable).code(), 5030);
        let corrupt = StoreError::CorruptItem {
            key: "k".into(),
            record: "user",
            detail: "d".into(),
        };
        assert_eq!(AccessError::from(corrupt).code(), 5000);
    }
}
