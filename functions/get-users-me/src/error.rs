//! The errors of `GET /users/me`, and the one place they become a status and a body: the
//! seed's own members at the top level, and beside them a JSON:API `errors` array with the same
//! error, so that standard JSON:API clients (kitsu, jsona, …) read it:
//!
//! - 4xx and 503: `{status, code, title, detail}`, plus `source` (`{"header": …}` or
//!   `{"parameter": …}`) on 400s;
//! - 500: `{id, type: "errors", links, status, code, title, detail, source, meta}` with the
//!   request id as `id` and in `meta`, and never a trace or an internal message;
//! - `errors: [{status, code, title, detail, source?}]` (`id` too on 500), `status` and `code`
//!   as strings, as JSON:API 1.1 section 11.2 has them.

use auth::AccessError;
use bootstrap::{Challenge, RouteError};
use lambda_http::http::{HeaderMap, StatusCode};
use serde::Serialize;
use serde_with::skip_serializing_none;

use crate::request::JSON_API;

/// Why `GET /users/me` did not answer 200. Each variant has a stable integer `code` (README,
/// `openapi.yaml`); the texts shown are fixed, apart from naming the offending parameter.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum UsersMeError {
    /// 400, code 4000: a header is malformed, repeated or conflicting.
    #[error("bad header {header}: {detail}")]
    InvalidHeader {
        /// The header.
        header: &'static str,
        /// What is wrong.
        detail: &'static str,
    },
    /// 400, code 4001: `X-Domain` is missing.
    #[error("X-Domain missing")]
    MissingDomain,
    /// 400, code 4002: `X-Domain` is not a UUIDv4.
    #[error("X-Domain malformed")]
    InvalidDomain,
    /// 400, code 4003: a query parameter is unsupported or names something unknown. The log
    /// line names a supported parameter, or the length of an unsupported one, never a value.
    #[error("bad parameter {}: {reason}", logged_parameter(parameter))]
    InvalidParameter {
        /// The parameter, as sent (at most 64 characters), for the client only.
        parameter: String,
        /// What is wrong, for the client (may quote what it sent).
        detail: String,
        /// What is wrong, for the log: never a value.
        reason: &'static str,
    },
    /// 406, code 4060: every JSON:API entry of `Accept` has unsupported parameters.
    #[error("not acceptable")]
    NotAcceptable,
    /// 405, code 4050: a method other than GET and HEAD.
    #[error("method not allowed")]
    MethodNotAllowed,
    /// 401, 404, 500, 503: shared with `/me` (codes 4010–4017, 4040, 5000, 5030).
    #[error(transparent)]
    Access(#[from] AccessError),
}

impl UsersMeError {
    fn detail(&self) -> String {
        let text = match self {
            UsersMeError::InvalidHeader { detail, .. } => detail,
            UsersMeError::MissingDomain => "The X-Domain header (the tenant's UUIDv4) is required.",
            UsersMeError::InvalidDomain => {
                "The X-Domain header must be a UUIDv4, like 0f8fad5b-d9cb-469f-a165-70867728950e."
            }
            UsersMeError::InvalidParameter { detail, .. } => return detail.clone(),
            UsersMeError::NotAcceptable => {
                "Accept allows application/vnd.api+json only with parameters this server does not support."
            }
            UsersMeError::MethodNotAllowed => "Only GET and HEAD are allowed on /users/me.",
            UsersMeError::Access(access) => match access {
                AccessError::MissingCredential => {
                    "Send Authorization: Bearer <token>, or X-API-KEY and X-API-SECRET."
                }
                AccessError::InvalidToken(_) => "The bearer token is invalid.",
                AccessError::ExpiredToken => "The bearer token has expired.",
                AccessError::SessionNotLive => "The session has ended or was revoked.",
                AccessError::TenantUnavailable => "The tenant is unknown or disabled.",
                AccessError::TenantMismatch => {
                    "The credential does not belong to the X-Domain tenant."
                }
                AccessError::ApiKeyRefused(_) => "The API key or secret is not valid.",
                AccessError::IncompleteApiKey => {
                    "X-API-KEY and X-API-SECRET must be sent together."
                }
                AccessError::UserNotFound => "The user no longer exists.",
                AccessError::UserInactive => "The user is deactivated or archived.",
                AccessError::Internal(_) => {
                    "An unexpected error occurred. Quote the id when reporting it."
                }
                AccessError::Unavailable(_) => {
                    "The service is temporarily unavailable; retry shortly."
                }
            },
        };
        text.to_owned()
    }

    fn source(&self) -> Option<Source<'_>> {
        match self {
            UsersMeError::InvalidHeader { header, .. } => Some(Source::Header(header)),
            UsersMeError::MissingDomain | UsersMeError::InvalidDomain => {
                Some(Source::Header("X-Domain"))
            }
            UsersMeError::InvalidParameter { parameter, .. } => Some(Source::Parameter(parameter)),
            _ => None,
        }
    }
}

/// A parameter as the log names it: a supported one by name, another by its length only.
fn logged_parameter(parameter: &str) -> String {
    match parameter {
        "include" | "fields[users]" | "fields[users_profile]" => parameter.to_owned(),
        other => format!("(unsupported, {} characters)", other.chars().count()),
    }
}

/// Where the error is: `{"header": …}` or `{"parameter": …}`, or `{}` on a 500.
#[derive(Debug, Clone, Copy, Serialize)]
#[serde(rename_all = "lowercase")]
enum Source<'a> {
    Header(&'a str),
    Parameter(&'a str),
    #[serde(untagged)]
    Nowhere {},
}

/// An error body: the seed's members, and the same error as a JSON:API error object.
#[skip_serializing_none]
#[derive(Serialize)]
struct ErrorBody<'a> {
    id: Option<&'a str>,
    #[serde(rename = "type")]
    kind: Option<&'static str>,
    links: Option<[(); 0]>,
    status: u16,
    code: u16,
    title: &'static str,
    detail: String,
    source: Option<Source<'a>>,
    meta: Option<Meta<'a>>,
    errors: [ErrorObject<'a>; 1],
}

/// The 500's `meta`: the request id only, never a trace.
#[derive(Serialize)]
struct Meta<'a> {
    request_id: &'a str,
}

/// A JSON:API 1.1 error object (section 11.2): `status` and `code` as strings.
#[skip_serializing_none]
#[derive(Serialize)]
struct ErrorObject<'a> {
    status: String,
    code: String,
    title: &'static str,
    detail: String,
    id: Option<&'a str>,
    source: Option<Source<'a>>,
}

impl RouteError for UsersMeError {
    const CONTENT_TYPE: &'static str = JSON_API;

    fn method_not_allowed() -> Self {
        UsersMeError::MethodNotAllowed
    }

    fn status(&self) -> StatusCode {
        match self {
            UsersMeError::NotAcceptable => StatusCode::NOT_ACCEPTABLE,
            UsersMeError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            UsersMeError::Access(access) => access.status(),
            _ => StatusCode::BAD_REQUEST,
        }
    }

    fn code(&self) -> u16 {
        match self {
            UsersMeError::InvalidHeader { .. } => 4000,
            UsersMeError::MissingDomain => 4001,
            UsersMeError::InvalidDomain => 4002,
            UsersMeError::InvalidParameter { .. } => 4003,
            UsersMeError::NotAcceptable => 4060,
            UsersMeError::MethodNotAllowed => 4050,
            UsersMeError::Access(access) => access.code(),
        }
    }

    /// No token was sent when the request carries an API key.
    fn challenge(&self, headers: &HeaderMap) -> Challenge {
        match self {
            UsersMeError::Access(
                AccessError::MissingCredential
                | AccessError::IncompleteApiKey
                | AccessError::ApiKeyRefused(_),
            ) => Challenge::NoToken,
            UsersMeError::Access(AccessError::ExpiredToken) => Challenge::ExpiredToken,
            _ if headers.contains_key("x-api-key") => Challenge::NoToken,
            _ => Challenge::InvalidToken,
        }
    }

    fn body<'a>(&'a self, request_id: &'a str) -> impl Serialize + 'a {
        let status = RouteError::status(self);
        let title = status.canonical_reason().unwrap_or("Error");
        let internal = status == StatusCode::INTERNAL_SERVER_ERROR;
        let source = self.source();
        ErrorBody {
            id: internal.then_some(request_id),
            kind: internal.then_some("errors"),
            links: internal.then_some([]),
            status: status.as_u16(),
            code: self.code(),
            title,
            detail: self.detail(),
            source: if internal {
                Some(Source::Nowhere {})
            } else {
                source
            },
            meta: internal.then_some(Meta { request_id }),
            errors: [ErrorObject {
                status: status.as_str().to_owned(),
                code: self.code().to_string(),
                title,
                detail: self.detail(),
                id: internal.then_some(request_id),
                source,
            }],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn route_codes_match_their_status() {
        let all = [
            UsersMeError::InvalidHeader {
                header: "x",
                detail: "x",
            },
            UsersMeError::MissingDomain,
            UsersMeError::InvalidDomain,
            UsersMeError::InvalidParameter {
                parameter: "p".into(),
                detail: "d".into(),
                reason: "r",
            },
            UsersMeError::MethodNotAllowed,
            UsersMeError::NotAcceptable,
            UsersMeError::Access(AccessError::TenantMismatch),
        ];
        for e in &all {
            assert_eq!(e.code() / 10, RouteError::status(e).as_u16(), "{e:?}");
        }
    }

    #[test]
    fn internal_details_never_reach_the_body() {
        let e = UsersMeError::Access(AccessError::Internal(
            "item TENANT#x/USER#y does not map".into(),
        ));
        assert!(!e.detail().contains("TENANT#"));
    }
}
