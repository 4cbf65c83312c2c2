//! When a token must be renewed: the `exp` (and `iat`) claims of a JWT, read without checking
//! its signature (the server checks it; we only need to know when to fetch a new one).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use std::time::Duration;

/// Renew at most this long before expiry…
const MAX_MARGIN_SECS: u64 = 30;

/// When a credential expires and when to renew it (a little before, so that a request sent
/// just before expiry does not arrive just after).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Expiry {
    /// Seconds since the epoch.
    pub expires_at: u64,
    pub renew_at: u64,
}

impl Expiry {
    /// Renewal a tenth of the lifetime before expiry, at most [`MAX_MARGIN_SECS`].
    pub fn new(issued_at: u64, expires_at: u64) -> Expiry {
        let lifetime = expires_at.saturating_sub(issued_at);
        let margin = (lifetime / 10).min(MAX_MARGIN_SECS);
        Expiry {
            expires_at,
            renew_at: expires_at.saturating_sub(margin),
        }
    }

    pub fn after(now: u64, lifetime: Duration) -> Expiry {
        Expiry::new(now, now + lifetime.as_secs())
    }

    pub fn is_due(&self, now: u64) -> bool {
        now >= self.renew_at
    }
}

/// The expiry of a JWT (`header.payload.signature`, payload base64url JSON with `exp`), or
/// `None` when it is not a JWT or has no `exp` (then it is renewed only on a 401).
pub(crate) fn jwt_expiry(token: &str) -> Option<Expiry> {
    let payload = token.split('.').nth(1)?;
    let bytes = URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    let claims: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    let number = |name: &str| {
        claims
            .get(name)
            .and_then(|v| v.as_u64().or_else(|| v.as_f64().map(|f| f as u64)))
    };
    let expires_at = number("exp")?;
    let issued_at = number("iat")
        .or_else(|| number("nbf"))
        .unwrap_or(expires_at);
    Some(Expiry::new(issued_at, expires_at))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt(claims: &str) -> String {
        format!(
            "{}.{}.sig",
            URL_SAFE_NO_PAD.encode(r#"{"alg":"HS512","typ":"JWT"}"#),
            URL_SAFE_NO_PAD.encode(claims)
        )
    }

    #[test]
    fn the_exp_claim_is_read() {
        let e = jwt_expiry(&jwt(r#"{"sub":"admin","iat":1000,"exp":87400}"#)).unwrap();
        assert_eq!(e.expires_at, 87400);
        assert_eq!(e.renew_at, 87400 - 30, "at most 30 s early");
        let short = jwt_expiry(&jwt(r#"{"iat":1000,"nbf":1000,"exp":1005.0}"#)).unwrap();
        assert_eq!(short.expires_at, 1005);
        assert!(!short.is_due(1004));
        assert!(short.is_due(1005));
    }

    #[test]
    fn tokens_without_exp_or_not_jwts_have_no_expiry() {
        assert_eq!(jwt_expiry(&jwt(r#"{"sub":"admin"}"#)), None);
        assert_eq!(jwt_expiry("opaque-token"), None);
        assert_eq!(jwt_expiry("a.!!!.c"), None);
    }
}
