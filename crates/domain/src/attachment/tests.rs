use proptest::prelude::*;

use super::*;

#[test]
fn limits_per_provider_and_kind() {
    use MediaKind::*;
    // (provider, name, mime, largest accepted size, kind)
    let cases: &[(Provider, &str, Option<&str>, u64, MediaKind)] = &[
        (Provider::Cloud, "photo.jpg", None, 5 * MB, Image),
        (Provider::Cloud, "photo.PNG", Some("image/png"), 5 * MB, Image),
        (Provider::Cloud, "note.mp3", None, 16 * MB, Audio),
        (Provider::Cloud, "voice.ogg", Some("audio/ogg; codecs=opus"), 16 * MB, Audio),
        (Provider::Cloud, "clip.mp4", None, 16 * MB, Video),
        (Provider::Cloud, "offer.pdf", None, 100 * MB, Document),
        (Provider::Cloud, "sheet.xlsx", None, 100 * MB, Document),
        (Provider::Cloud, "smile.webp", None, 100 * KB, Sticker),
        (Provider::Sandbox, "photo.jpeg", None, 5 * MB, Image),
        (Provider::Timelines, "photo.jpg", None, 16 * MB, Image),
        (Provider::Timelines, "anim.gif", None, 16 * MB, Image),
        (Provider::Timelines, "note.mp3", None, 16 * MB, Audio),
        (Provider::Timelines, "clip.3gp", None, 16 * MB, Video),
        (Provider::Timelines, "offer.pdf", None, 100 * MB, Document),
        (Provider::Timelines, "archive.zip", None, 100 * MB, Document),
    ];
    for (provider, name, mime, limit, kind) in cases {
        let accepted = check(*provider, name, *mime, *limit).unwrap_or_else(|e| panic!("{name} on {provider:?}: {e}"));
        assert_eq!(accepted.kind, *kind, "{name} on {provider:?}");
        assert_eq!(
            check(*provider, name, *mime, limit + 1),
            Err(AttachmentError::TooLarge { provider: *provider, kind: *kind, limit: *limit, size: limit + 1 }),
            "{name} on {provider:?}"
        );
    }
}

#[test]
fn refusals_name_the_limit() {
    let error = check(Provider::Cloud, "photo.jpg", None, 6_200_000).unwrap_err();
    assert_eq!(error.to_string(), "image files may be at most 5 MB on WhatsApp Cloud API (this one is 6.2 MB)");
    let error = check(Provider::Cloud, "sticker.webp", None, 150_000).unwrap_err();
    assert_eq!(error.to_string(), "sticker files may be at most 100 KB on WhatsApp Cloud API (this one is 150 KB)");
}

#[test]
fn unsupported_and_empty_files_are_refused() {
    assert_eq!(
        check(Provider::Cloud, "archive.zip", None, 10),
        Err(AttachmentError::Unsupported { provider: Provider::Cloud, mime: "application/zip".to_owned() })
    );
    assert_eq!(
        check(Provider::Cloud, "anim.gif", None, 10),
        Err(AttachmentError::Unsupported { provider: Provider::Cloud, mime: "image/gif".to_owned() })
    );
    assert_eq!(check(Provider::Timelines, "a.pdf", None, 0), Err(AttachmentError::Empty));
}

#[test]
fn a_declared_type_wins_over_the_name_unless_it_says_nothing() {
    assert_eq!(check(Provider::Cloud, "scan", Some("application/pdf"), 10).unwrap().mime, "application/pdf");
    assert_eq!(
        check(Provider::Cloud, "scan.pdf", Some("application/octet-stream"), 10).unwrap().mime,
        "application/pdf"
    );
    assert_eq!(check(Provider::Cloud, "scan.pdf", Some(""), 10).unwrap().kind, MediaKind::Document);
}

#[test]
fn sizes_read_in_decimal_units() {
    let cases: &[(u64, &str)] =
        &[(999, "999 bytes"), (100_000, "100 KB"), (5_000_000, "5 MB"), (16_400_000, "16.4 MB")];
    for (bytes, text) in cases {
        assert_eq!(megabytes(*bytes).to_string(), *text);
    }
}

proptest! {
    #[test]
    fn every_accepted_file_is_within_every_limit(
        provider in prop_oneof![Just(Provider::Cloud), Just(Provider::Timelines), Just(Provider::Sandbox)],
        ext in prop_oneof![Just("jpg"), Just("png"), Just("gif"), Just("webp"), Just("mp3"), Just("mp4"), Just("pdf"), Just("zip"), Just("bin")],
        size in 0u64..120_000_000,
    ) {
        let name = format!("file.{ext}");
        match check(provider, &name, None, size) {
            Ok(accepted) => {
                let (kind, limit) = rule(provider, &accepted.mime).unwrap();
                prop_assert_eq!(kind, accepted.kind);
                prop_assert!(size > 0 && size <= limit && limit <= MAX_ATTACHMENT_BYTES);
            }
            Err(AttachmentError::TooLarge { limit, size: s, .. }) => prop_assert!(s == size && size > limit),
            Err(AttachmentError::Empty) => prop_assert_eq!(size, 0),
            Err(AttachmentError::Unsupported { .. }) => prop_assert!(rule(provider, mime_from_name(&name)).is_none()),
        }
    }
}
