//! Reading a `GET /users/me` request: the tenant, the credential, `include` and `fields`, and
//! JSON:API content negotiation. Pure functions; every refusal is a [`UsersMeError`].

use auth::{AccessError, ApiKeySecret, SessionToken};
use lambda_http::http::HeaderMap;
use lambda_http::http::header::ACCEPT;
use mime::Mime;
use model::{
    ApiKeyId, PROFILE_ATTRIBUTES, PROFILE_RELATIONSHIP, PROFILE_TYPE, TenantId, USER_ATTRIBUTES,
    USERS_TYPE, UsersMeSelection,
};

use crate::UsersMeError;

/// The JSON:API media type.
pub const JSON_API: &str = "application/vnd.api+json";
/// Query strings longer than this are refused.
pub const MAX_QUERY_BYTES: usize = 2048;

/// The single value of header `name` (looked up in any case; named as written in errors);
/// several values are a 400.
fn single<'a>(
    headers: &'a HeaderMap,
    name: &'static str,
) -> Result<Option<&'a [u8]>, UsersMeError> {
    let mut values = headers.get_all(name).iter();
    let first = values.next();
    if values.next().is_some() {
        return Err(UsersMeError::InvalidHeader {
            header: name,
            detail: "the header is sent more than once",
        });
    }
    Ok(first.map(|v| v.as_bytes()))
}

/// The tenant named by `X-Domain`: a UUIDv4 in hyphenated form (version and variant bits
/// checked).
pub fn tenant_domain(headers: &HeaderMap) -> Result<TenantId, UsersMeError> {
    let value = single(headers, "X-Domain")?.ok_or(UsersMeError::MissingDomain)?;
    let text = std::str::from_utf8(value).map_err(|_| UsersMeError::InvalidDomain)?;
    TenantId::parse_v4(text).map_err(|_| UsersMeError::InvalidDomain)
}

/// The credential of a request.
#[derive(Debug, PartialEq, Eq)]
pub enum Credential {
    /// `Authorization: Bearer <token>`.
    Bearer(SessionToken),
    /// `X-API-KEY` + `X-API-SECRET`.
    ApiKey(ApiKeyId, ApiKeySecret),
}

/// The one credential of a request. Both kinds at once: 400. One of the API-key pair alone:
/// 401. A key or secret not of the documented format: 401 (as a wrong one would be).
pub fn credential(headers: &HeaderMap) -> Result<Credential, UsersMeError> {
    let bearer = auth::credential::bearer_token(headers).map_err(|e| match e {
        auth::CredentialError::Malformed(detail) => UsersMeError::InvalidHeader {
            header: "Authorization",
            detail,
        },
        auth::CredentialError::InvalidToken(why) => AccessError::InvalidToken(why).into(),
    })?;
    let key = single(headers, "X-API-KEY")?;
    let secret = single(headers, "X-API-SECRET")?;
    match (bearer, key, secret) {
        (Some(_), Some(_), _) | (Some(_), _, Some(_)) => Err(UsersMeError::InvalidHeader {
            header: "Authorization",
            detail: "send either a bearer token or an API key pair, not both",
        }),
        (Some(token), None, None) => Ok(Credential::Bearer(token)),
        (None, Some(key), Some(secret)) => {
            let key = std::str::from_utf8(key)
                .ok()
                .and_then(|k| ApiKeyId::parse(k).ok());
            let secret = std::str::from_utf8(secret)
                .ok()
                .and_then(|s| ApiKeySecret::parse(s).ok());
            match (key, secret) {
                (Some(key), Some(secret)) => Ok(Credential::ApiKey(key, secret)),
                _ => Err(AccessError::ApiKeyRefused("malformed key or secret").into()),
            }
        }
        (None, Some(_), None) | (None, None, Some(_)) => Err(AccessError::IncompleteApiKey.into()),
        (None, None, None) => Err(AccessError::MissingCredential.into()),
    }
}

/// `include` and `fields[...]` from the query string. Any other parameter, a repeated one, an
/// unknown include path, type or field: 400 naming the parameter.
pub fn selection(query: Option<&str>) -> Result<UsersMeSelection, UsersMeError> {
    let query = query.unwrap_or("");
    if query.len() > MAX_QUERY_BYTES {
        return Err(UsersMeError::InvalidParameter {
            parameter: String::new(),
            detail: "the query string is too long".into(),
            reason: "the query string is too long",
        });
    }
    let mut selection = UsersMeSelection::default();
    let mut seen: Vec<String> = Vec::new();
    for (name, value) in form_urlencoded::parse(query.as_bytes()) {
        let invalid = |reason: &'static str, detail: String| UsersMeError::InvalidParameter {
            parameter: shorten(&name),
            detail,
            reason,
        };
        if seen.iter().any(|s| *s == name) {
            let why = "the parameter is given more than once";
            return Err(invalid(why, why.into()));
        }
        seen.push(name.to_string());
        // Exactly as openapi.yaml's patterns: empty, or names joined by commas, no blanks.
        let list = || {
            if value.is_empty() {
                Vec::new()
            } else {
                value.split(',').map(String::from).collect::<Vec<_>>()
            }
        };
        match name.as_ref() {
            "include" => match value.as_ref() {
                "" => {}
                PROFILE_RELATIONSHIP => selection.include_profile = true,
                other => {
                    return Err(invalid(
                        "unknown relationship path",
                        format!(
                            "unknown relationship path {:?}; supported: profile",
                            shorten(other)
                        ),
                    ));
                }
            },
            "fields[users]" => {
                let fields = checked(list(), USERS_TYPE, USER_ATTRIBUTES, true)
                    .map_err(|detail| invalid("unknown field", detail))?;
                selection.user_fields = Some(fields);
            }
            "fields[users_profile]" => {
                let fields = checked(list(), PROFILE_TYPE, PROFILE_ATTRIBUTES, false)
                    .map_err(|detail| invalid("unknown field", detail))?;
                selection.profile_fields = Some(fields);
            }
            other if other.starts_with("fields[") => {
                return Err(invalid(
                    "unknown resource type",
                    "unknown resource type; fieldsets exist for users and users_profile".into(),
                ));
            }
            _ => {
                return Err(invalid(
                    "unsupported query parameter",
                    "unsupported query parameter; supported: include, fields[users], fields[users_profile]".into(),
                ));
            }
        }
    }
    Ok(selection)
}

fn checked(
    fields: Vec<String>,
    kind: &str,
    attributes: &[&str],
    has_profile: bool,
) -> Result<Vec<String>, String> {
    for field in &fields {
        let known =
            attributes.contains(&field.as_str()) || (has_profile && field == PROFILE_RELATIONSHIP);
        if !known {
            return Err(format!("unknown field {:?} of {kind}", shorten(field)));
        }
    }
    Ok(fields)
}

fn shorten(text: &str) -> String {
    text.chars().take(64).collect()
}

/// JSON:API 1.1 negotiation: false when `Accept` names the JSON:API media type and every such
/// entry carries a parameter other than `profile` (or `q`), such as an extension this server
/// does not support. An `Accept` without the JSON:API media type is served (as JSON:API); an
/// entry that is not a media type (`mime`'s parser) names nothing.
pub fn accepts_json_api(headers: &HeaderMap) -> bool {
    let mut json_api_ranges = 0;
    for value in headers.get_all(ACCEPT) {
        let ranges = String::from_utf8_lossy(value.as_bytes());
        for range in ranges
            .split(',')
            .filter_map(|r| r.trim().parse::<Mime>().ok())
        {
            if range.essence_str() != JSON_API {
                continue;
            }
            json_api_ranges += 1;
            let supported = |name: mime::Name| matches!(name.as_str(), "profile" | "q");
            if range.params().all(|(name, _)| supported(name)) {
                return true;
            }
        }
    }
    json_api_ranges == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use lambda_http::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, HeaderValue::from_str(value).unwrap());
        }
        map
    }

    #[test]
    fn x_domain_must_be_a_hyphenated_uuid_v4() {
        let ok = headers(&[("x-domain", "0F8FAD5B-D9CB-469F-A165-70867728950E")]);
        assert_eq!(
            tenant_domain(&ok).unwrap().to_string(),
            "0f8fad5b-d9cb-469f-a165-70867728950e"
        );
        assert_eq!(
            tenant_domain(&HeaderMap::new()),
            Err(UsersMeError::MissingDomain)
        );
        for bad in [
            "",
            "0f8fad5bd9cb469fa16570867728950e", // not hyphenated
            "{0f8fad5b-d9cb-469f-a165-70867728950e}", // braced
            "0f8fad5b-d9cb-169f-a165-70867728950e", // version 1
            "0f8fad5b-d9cb-469f-c165-70867728950e", // variant bits 110
            "0f8fad5b-d9cb-469f-a165-70867728950g", // not hex
            "urn:uuid:0f8fad5b-d9cb-469f-a165-70867728950e",
        ] {
            assert_eq!(
                tenant_domain(&headers(&[("x-domain", bad)])),
                Err(UsersMeError::InvalidDomain),
                "{bad}"
            );
        }
        let twice = headers(&[
            ("x-domain", "0f8fad5b-d9cb-469f-a165-70867728950e"),
            ("x-domain", "0f8fad5b-d9cb-469f-a165-70867728950e"),
        ]);
        assert!(matches!(
            tenant_domain(&twice),
            Err(UsersMeError::InvalidHeader { .. })
        ));
    }

    #[test]
    fn credentials() {
        let (key, secret) = accounts::new_api_key();
        let secret = secret.as_str();
        let pair = headers(&[("x-api-key", key.as_str()), ("x-api-secret", secret)]);
        assert_eq!(
            credential(&pair).unwrap(),
            Credential::ApiKey(key.clone(), ApiKeySecret::parse(secret).unwrap())
        );
        assert!(matches!(
            credential(&headers(&[("authorization", "Bearer a.b.c")])),
            Ok(Credential::Bearer(_))
        ));
        assert_eq!(
            credential(&HeaderMap::new()),
            Err(AccessError::MissingCredential.into())
        );
        assert_eq!(
            credential(&headers(&[("x-api-key", key.as_str())])),
            Err(AccessError::IncompleteApiKey.into())
        );
        assert_eq!(
            credential(&headers(&[("x-api-secret", secret)])),
            Err(AccessError::IncompleteApiKey.into())
        );
        let malformed = headers(&[("x-api-key", "key"), ("x-api-secret", secret)]);
        assert!(matches!(
            credential(&malformed),
            Err(UsersMeError::Access(AccessError::ApiKeyRefused(_)))
        ));
        let both = headers(&[
            ("authorization", "Bearer a.b.c"),
            ("x-api-key", key.as_str()),
        ]);
        assert!(matches!(
            credential(&both),
            Err(UsersMeError::InvalidHeader { .. })
        ));
        assert_eq!(
            credential(&headers(&[("authorization", "Basic x")])),
            Err(AccessError::MissingCredential.into())
        );
        assert_eq!(
            credential(&headers(&[("authorization", "Bearer ")])),
            Err(AccessError::MissingCredential.into())
        );
        assert!(matches!(
            credential(&headers(&[("authorization", "Bearer a;b")])),
            Err(UsersMeError::Access(AccessError::InvalidToken(_)))
        ));
    }

    #[test]
    fn include_and_fields() {
        assert_eq!(selection(None).unwrap(), UsersMeSelection::default());
        assert!(selection(Some("include=profile")).unwrap().include_profile);
        assert!(!selection(Some("include=")).unwrap().include_profile);
        let s = selection(Some(
            "fields%5Busers%5D=email,profile&fields[users_profile]=avatar",
        ))
        .unwrap();
        assert_eq!(
            s.user_fields,
            Some(vec!["email".to_owned(), "profile".to_owned()])
        );
        assert_eq!(s.profile_fields, Some(vec!["avatar".to_owned()]));
        assert_eq!(
            selection(Some("fields[users]=")).unwrap().user_fields,
            Some(vec![])
        );
        let refused = |q: &str| match selection(Some(q)) {
            Err(UsersMeError::InvalidParameter { parameter, .. }) => parameter,
            other => panic!("{q}: {other:?}"),
        };
        assert_eq!(refused("include=profile.avatar"), "include");
        assert_eq!(refused("include=friends"), "include");
        assert_eq!(refused("fields[users]=password"), "fields[users]");
        assert_eq!(
            refused("fields[users_profile]=profile"),
            "fields[users_profile]"
        );
        assert_eq!(refused("fields[accounts]=x"), "fields[accounts]");
        assert_eq!(refused("sort=email"), "sort");
        assert_eq!(refused("include=profile&include=profile"), "include");
        // Exactly openapi.yaml's patterns: no blanks, no empty entries.
        assert_eq!(refused("include=%20profile"), "include");
        assert_eq!(refused("include=profile,profile"), "include");
        assert_eq!(refused("fields[users]=email,,active"), "fields[users]");
        assert_eq!(refused("fields[users]=email,%20active"), "fields[users]");
        assert_eq!(
            refused("fields[users_profile]=avatar,"),
            "fields[users_profile]"
        );
        assert!(matches!(
            selection(Some(&"a".repeat(MAX_QUERY_BYTES + 1))),
            Err(UsersMeError::InvalidParameter { .. })
        ));
    }

    #[test]
    fn json_api_negotiation() {
        let accepts = |value: &str| accepts_json_api(&headers(&[("accept", value)]));
        assert!(accepts_json_api(&HeaderMap::new()));
        assert!(accepts("application/vnd.api+json"));
        assert!(accepts("application/json, */*"));
        assert!(accepts(
            "application/vnd.api+json; profile=\"https://example.com/p\""
        ));
        assert!(accepts(
            "application/vnd.api+json; ext=\"https://x\", application/vnd.api+json"
        ));
        assert!(!accepts(
            "application/vnd.api+json; ext=\"https://jsonapi.org/ext/atomic\""
        ));
        assert!(!accepts("application/vnd.api+json; charset=utf-8"));
    }
}
