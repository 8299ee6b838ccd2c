//! Finding the session token in a request.
//!
//! Rules (the same for every route that takes a session token):
//!
//! - `Authorization: Bearer <token>` wins when present; otherwise the `__session` cookie.
//! - More than one `Authorization` header: [`CredentialError::Malformed`] (400).
//! - `Bearer` with an empty token is no token (RFC 6750 has no empty token); a token outside
//!   RFC 6750's `b64token` syntax (`A-Z a-z 0-9 - . _ ~ + /`, then `=` padding) is an invalid
//!   token: [`CredentialError::InvalidToken`] (401, `error="invalid_token"`).
//! - Another scheme (`Basic …`, as a staging site's password prompt adds) is not a session
//!   token and is ignored, so the cookie still counts; with no cookie the route answers 401
//!   with no error attribute (RFC 6750 section 3.1: an unsupported method is no credential).
//! - Cookies are read from every `Cookie` header; cookies that do not parse are someone else's
//!   and are skipped. Two `__session` cookies with different values are ambiguous: 400.
//! - No credential at all: `Ok(None)`; the route answers 401.
//!
//! The token itself is checked by [`crate::TokenVerifier`]; here it is only located.

use std::fmt;

use http::HeaderMap;
use http::header::{AUTHORIZATION, COOKIE};

/// Name of the cookie that carries the session token.
pub const SESSION_COOKIE: &str = "__session";

/// A session token as sent by the client, not yet verified. Its `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct SessionToken(String);

impl SessionToken {
    /// Wraps a raw token.
    pub fn new(raw: impl Into<String>) -> Self {
        Self(raw.into())
    }

    /// The raw token.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SessionToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SessionToken(<{} bytes>)", self.0.len())
    }
}

/// A request whose credential headers cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CredentialError {
    /// The headers are malformed or ambiguous (400). The text is safe to show the client.
    #[error("{0}")]
    Malformed(&'static str),
    /// The bearer token is not in the token syntax (401). The text names the check, for logs.
    #[error("invalid bearer token: {0}")]
    InvalidToken(&'static str),
}

/// The session token of a request: the bearer token, else the `__session` cookie.
pub fn session_token(headers: &HeaderMap) -> Result<Option<SessionToken>, CredentialError> {
    match bearer_token(headers)? {
        Some(token) => Ok(Some(token)),
        None => session_cookie(headers),
    }
}

/// The token of an `Authorization: Bearer` header, if there is one.
pub fn bearer_token(headers: &HeaderMap) -> Result<Option<SessionToken>, CredentialError> {
    let mut values = headers.get_all(AUTHORIZATION).iter();
    let Some(value) = values.next() else {
        return Ok(None);
    };
    if values.next().is_some() {
        return Err(CredentialError::Malformed(
            "more than one Authorization header",
        ));
    }
    let bytes = value.as_bytes().trim_ascii();
    let (scheme, rest) = match bytes.iter().position(|b| *b == b' ') {
        Some(space) => (&bytes[..space], &bytes[space + 1..]),
        None => (bytes, &b""[..]),
    };
    if !scheme.eq_ignore_ascii_case(b"bearer") {
        return Ok(None);
    }
    let token = rest.trim_ascii_start();
    if token.is_empty() {
        return Ok(None);
    }
    match std::str::from_utf8(token) {
        Ok(text) if is_b64token(token) => Ok(Some(SessionToken::new(text))),
        _ => Err(CredentialError::InvalidToken(
            "characters outside the bearer token syntax",
        )),
    }
}

/// RFC 6750's `b64token`: `1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="`.
fn is_b64token(token: &[u8]) -> bool {
    let body = token.len() - token.iter().rev().take_while(|b| **b == b'=').count();
    body > 0
        && token[..body]
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~+/".contains(b))
}

/// The value of the `__session` cookie, if there is one.
pub fn session_cookie(headers: &HeaderMap) -> Result<Option<SessionToken>, CredentialError> {
    let mut found: Option<String> = None;
    for header in headers.get_all(COOKIE) {
        let text = String::from_utf8_lossy(header.as_bytes());
        for cookie in cookie::Cookie::split_parse(text.as_ref()).flatten() {
            if cookie.name() != SESSION_COOKIE {
                continue;
            }
            match &found {
                Some(previous) if previous != cookie.value() => {
                    return Err(CredentialError::Malformed(
                        "more than one __session cookie, with different values",
                    ));
                }
                Some(_) => {}
                None => found = Some(cookie.value().to_owned()),
            }
        }
    }
    match found {
        Some(value) if value.is_empty() => Ok(None),
        Some(value) => Ok(Some(SessionToken::new(value))),
        None => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn headers(pairs: &[(&'static str, &[u8])]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, HeaderValue::from_bytes(value).unwrap());
        }
        map
    }

    fn token(map: &HeaderMap) -> Result<Option<String>, CredentialError> {
        session_token(map).map(|t| t.map(|t| t.expose().to_owned()))
    }

    #[test]
    fn reads_the_session_cookie_among_others() {
        let map = headers(&[("cookie", b"a=1; __session=abc.def.ghi; b=2")]);
        assert_eq!(token(&map), Ok(Some("abc.def.ghi".into())));
    }

    #[test]
    fn reads_cookies_split_over_several_headers() {
        let map = headers(&[("cookie", b"a=1"), ("cookie", b"__session=t")]);
        assert_eq!(token(&map), Ok(Some("t".into())));
    }

    #[test]
    fn bearer_wins_over_the_cookie() {
        let map = headers(&[
            ("cookie", b"__session=cookie"),
            ("authorization", b"Bearer header"),
        ]);
        assert_eq!(token(&map), Ok(Some("header".into())));
        let lower = headers(&[("authorization", b"bearer   x.y.z")]);
        assert_eq!(token(&lower), Ok(Some("x.y.z".into())));
    }

    #[test]
    fn nothing_is_none() {
        assert_eq!(token(&HeaderMap::new()), Ok(None));
        assert_eq!(token(&headers(&[("cookie", b"__session=")])), Ok(None));
        assert_eq!(token(&headers(&[("cookie", b"other=1")])), Ok(None));
    }

    #[test]
    fn refuses_ambiguous_or_malformed_headers() {
        let two_cookies = headers(&[("cookie", b"__session=a; __session=b")]);
        assert!(matches!(
            token(&two_cookies),
            Err(CredentialError::Malformed(_))
        ));
        let same_twice = headers(&[("cookie", b"__session=a"), ("cookie", b"__session=a")]);
        assert_eq!(token(&same_twice), Ok(Some("a".into())));
        let two_auth = headers(&[
            ("authorization", b"Bearer a"),
            ("authorization", b"Bearer b"),
        ]);
        assert!(matches!(
            token(&two_auth),
            Err(CredentialError::Malformed(_))
        ));
        for bad in [
            &b"Bearer a b"[..],
            b"Bearer \xff\xfe",
            b"Bearer a,b",
            b"Bearer \"a\"",
            b"Bearer ==",
            b"Bearer a=b",
        ] {
            let map = headers(&[("authorization", bad)]);
            assert!(
                matches!(token(&map), Err(CredentialError::InvalidToken(_))),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn other_schemes_and_empty_bearers_are_no_token() {
        for value in [
            &b"Basic dXNlcjpwYXNz"[..],
            b"Token abc",
            b"abc.def.ghi",
            b"Bearer",
            b"Bearer   ",
            b"bearer",
            b"\xff\xfe x",
        ] {
            let alone = headers(&[("authorization", value)]);
            assert_eq!(token(&alone), Ok(None), "{value:?}");
            let with_cookie = headers(&[("authorization", value), ("cookie", b"__session=c")]);
            assert_eq!(token(&with_cookie), Ok(Some("c".into())), "{value:?}");
        }
    }

    #[test]
    fn b64tokens_with_padding_are_tokens() {
        for good in ["a", "abc.DEF-ghi_~+/", "YWJj==", "x.y.z="] {
            let map = headers(&[("authorization", format!("Bearer {good}").as_bytes())]);
            assert_eq!(token(&map), Ok(Some(good.into())), "{good}");
        }
    }

    #[test]
    fn garbage_cookie_headers_do_not_break_extraction() {
        let map = headers(&[("cookie", b"\xff\xfe; ;;==; __session=t; =x")]);
        assert_eq!(token(&map), Ok(Some("t".into())));
    }

    #[test]
    fn debug_never_shows_the_token() {
        let shown = format!("{:?}", SessionToken::new("secret-token"));
        assert!(!shown.contains("secret-token"));
    }
}
