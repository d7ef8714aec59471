//! A site's errors in words a custodian can act on: what kind of failure
//! the store reported (credentials, a missing bucket, throttling, a full or
//! slow or unreachable site, a refusal), with every credential scrubbed
//! from the store's own text.
//!
//! It only classifies and words errors; it never retries, contacts a site
//! or touches the catalogue.

/// What kind of failure the store reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Credentials,
    NoBucket,
    Throttled,
    Full,
    Slow,
    Unreachable,
    Refused,
}

impl Kind {
    fn words(self) -> &'static str {
        match self {
            Kind::Credentials => "credentials refused (check the access key and secret)",
            Kind::NoBucket => "the bucket does not exist",
            Kind::Throttled => "the site is throttling requests (gave up after a few retries)",
            Kind::Full => "the site is out of space",
            Kind::Slow => "the site did not answer in time",
            Kind::Unreachable => "the site cannot be reached",
            Kind::Refused => "the site refused the request",
        }
    }

    /// Whether the next request would fail the same way: everything but a
    /// refusal of one request.
    pub(super) fn whole_site(self) -> bool {
        self != Kind::Refused
    }
}

/// The store's error in words a custodian can act on, with secrets
/// removed. The kind comes first; the store's own text follows, cut short.
pub(super) fn describe(e: &object_store::Error, secrets: &[String]) -> (Kind, String) {
    let text = scrub(&format!("{e}"), secrets);
    // The causes too: a read timeout says so only deep in the chain.
    let mut chain = text.clone();
    let mut cause = std::error::Error::source(e);
    while let Some(c) = cause {
        chain.push_str(": ");
        chain.push_str(&c.to_string());
        cause = c.source();
    }
    let lower = scrub(&chain, secrets).to_ascii_lowercase();
    let kind = if lower.contains("invalidaccesskeyid")
        || lower.contains("signaturedoesnotmatch")
        || lower.contains("accessdenied")
        || matches!(
            e,
            object_store::Error::Unauthenticated { .. }
                | object_store::Error::PermissionDenied { .. }
        ) {
        Kind::Credentials
    } else if lower.contains("nosuchbucket") {
        Kind::NoBucket
    } else if lower.contains("timed out") || lower.contains("deadline has elapsed") {
        // Not "timeout": every retry error quotes its `retry_timeout`.
        Kind::Slow
    } else if lower.contains("slowdown")
        || lower.contains("code: 503")
        || lower.contains("code: 429")
        || lower.contains("toomanyrequests")
    {
        // Status codes only as statuses: a key's hex digits hold "503" too.
        Kind::Throttled
    } else if lower.contains("quota")
        || lower.contains("entitytoolarge")
        || lower.contains("no space")
        || lower.contains("os error 28")
    {
        Kind::Full
    } else if lower.contains("error sending request")
        || lower.contains("connect")
        || lower.contains("dns")
    {
        Kind::Unreachable
    } else {
        Kind::Refused
    };
    let mut detail: String = text.chars().take(300).collect();
    if detail.len() < text.len() {
        detail.push('…');
    }
    (kind, format!("{} ({detail})", kind.words()))
}

pub(super) fn scrub(text: &str, secrets: &[String]) -> String {
    let mut out = text.to_string();
    for s in secrets {
        out = out.replace(s.as_str(), "[REDACTED]");
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_refused_connection_is_unreachable_not_slow() {
        let e = object_store::Error::Generic {
            store: "S3",
            source: "Error performing GET http://127.0.0.1:9/b in 835ms, after 3 retries, max_retries: 3, retry_timeout: 30s - HTTP error: error sending request".into(),
        };
        assert!(super::describe(&e, &[])
            .1
            .starts_with("the site cannot be reached"));
        let e = object_store::Error::Generic {
            store: "S3",
            source: "HTTP error: error sending request: operation timed out".into(),
        };
        assert!(super::describe(&e, &[])
            .1
            .starts_with("the site did not answer in time"));
    }

    #[test]
    fn secrets_are_scrubbed() {
        let s = super::scrub("key AKX and s3cr3t", &["s3cr3t".into(), "AKX".into()]);
        assert_eq!(s, "key [REDACTED] and [REDACTED]");
    }
}
