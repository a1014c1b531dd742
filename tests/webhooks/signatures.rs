//! Webhook signature vectors computed independently here (HMAC-SHA1 of known bodies), including bodies with
//! characters Autotask escapes before signing.

use autotask::webhooks::{parse_verified, verify, SignatureError};
use base64::Engine as _;
use hmac::{Hmac, Mac};

fn sign(secret: &str, signed_text: &str) -> String {
    let mut mac = Hmac::<sha1::Sha1>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(signed_text.as_bytes());
    format!(
        "sha1={}",
        base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
    )
}

#[test]
fn raw_body_signature_verifies() {
    let body = r#"{"Action":"Update","Guid":"g","EntityType":"Ticket","Id":42,"Fields":{"status":5},"EventTime":"2024-05-01T10:00:00.123Z","SequenceNumber":7,"PersonID":29682885}"#;
    let header = sign("s3cret", body);
    let callout = parse_verified("s3cret", body.as_bytes(), &header).unwrap();
    assert_eq!(callout.action, "Update");
    assert_eq!(callout.id, Some(42));
    assert_eq!(callout.fields["status"], 5);
    assert_eq!(callout.sequence_number, Some(7));
    assert_eq!(callout.person_id, Some(29682885));
    assert_eq!(
        callout.event_time.unwrap().to_rfc3339(),
        "2024-05-01T10:00:00.123+00:00"
    );
}

#[test]
fn bodies_with_escaped_characters_verify_when_received_unescaped() {
    // Autotask signs the escaped text; the receiver may get the same JSON with the characters unescaped.
    let cases = [
        (
            r#"{"Action":"Create","Fields":{"title":"A & B"}}"#,
            r#"{"Action":"Create","Fields":{"title":"A \u0026 B"}}"#,
        ),
        (
            r#"{"Action":"Create","Fields":{"title":"<b>x</b>"}}"#,
            r#"{"Action":"Create","Fields":{"title":"\u003Cb\u003Ex\u003C/b\u003E"}}"#,
        ),
        (
            r#"{"Action":"Create","Fields":{"title":"1+1"}}"#,
            r#"{"Action":"Create","Fields":{"title":"1\u002B1"}}"#,
        ),
        (
            r#"{"Action":"Create","Fields":{"title":"say \"hi\" 'x'"}}"#,
            r#"{"Action":"Create","Fields":{"title":"say \u0022hi\u0022 \u0027x\u0027"}}"#,
        ),
        (
            r#"{"Action":"Create","Fields":{"title":"Müller ☕"}}"#,
            r#"{"Action":"Create","Fields":{"title":"M\u00FCller \u2615"}}"#,
        ),
        (
            r#"{"Action":"Create","Fields":{"title":"run `ls` > out"}}"#,
            r#"{"Action":"Create","Fields":{"title":"run \u0060ls\u0060 \u003E out"}}"#,
        ),
        // Beyond the BMP: a UTF-16 surrogate pair, as JSON writes it.
        (
            r#"{"Action":"Create","Fields":{"title":"ok 😀"}}"#,
            r#"{"Action":"Create","Fields":{"title":"ok \uD83D\uDE00"}}"#,
        ),
    ];
    for (received, signed) in cases {
        let header = sign("key-64-chars", signed);
        assert!(
            verify("key-64-chars", received.as_bytes(), &header).is_ok(),
            "{received}"
        );
        assert!(
            verify("key-64-chars", signed.as_bytes(), &header).is_ok(),
            "{signed}"
        );
        assert_eq!(
            verify("wrong", received.as_bytes(), &header),
            Err(SignatureError::Mismatch)
        );
    }
}

#[test]
fn tampered_or_malformed_signatures_fail() {
    let body = r#"{"Action":"Delete","Id":1}"#;
    let header = sign("k", body);
    assert_eq!(
        verify("k", br#"{"Action":"Delete","Id":2}"#, &header),
        Err(SignatureError::Mismatch)
    );
    assert_eq!(
        verify("k", body.as_bytes(), "md5=abc"),
        Err(SignatureError::Malformed)
    );
    assert_eq!(
        verify("k", body.as_bytes(), "sha1=***"),
        Err(SignatureError::Malformed)
    );
}
