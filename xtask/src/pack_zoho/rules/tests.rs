//! Each of Zoho's rules passes a package that keeps it and rejects one that breaks it.

use super::{MAX_FILE_BYTES, MAX_FILES, MAX_TOTAL_BYTES, Tree, Violation, check_project, check_zip};

const MANIFEST: &[u8] = br#"{ "service": "CRM" }"#;

/// A package like the one we ship: the manifest, the index page, the boot script, the module as .txt.
fn good_project() -> Tree {
    Tree::from([
        ("plugin-manifest.json".to_owned(), MANIFEST.to_vec()),
        ("app/widget.html".to_owned(), b"<!doctype html>".to_vec()),
        ("app/boot.js".to_owned(), b"import init from './sidechat_widget.js';".to_vec()),
        ("app/sidechat_widget_bg.txt".to_owned(), b"\0asm\x01\0\0\0".to_vec()),
        ("app/snippets$x/my-lib_1/inline0.js".to_owned(), b"export {}".to_vec()),
    ])
}

fn with(mut project: Tree, path: &str, bytes: Vec<u8>) -> Tree {
    project.insert(path.to_owned(), bytes);
    project
}

fn app_of(project: &Tree) -> Tree {
    project.iter().filter(|(path, _)| path.starts_with("app/")).map(|(p, b)| (p.clone(), b.clone())).collect()
}

#[test]
fn a_package_that_keeps_every_rule_passes() {
    let project = good_project();
    assert_eq!(check_project(&project, MANIFEST), []);
    assert_eq!(check_zip(&project, &app_of(&project), 1_000), []);
}

#[test]
fn a_wasm_file_is_rejected_wherever_it_is() {
    let project = with(good_project(), "app/sidechat_widget_bg.wasm", b"\0asm".to_vec());
    assert_eq!(
        check_project(&project, MANIFEST),
        [Violation::WasmModule { path: "app/sidechat_widget_bg.wasm".into() }]
    );
    let beside = with(good_project(), "module.WASM", b"\0asm".to_vec());
    assert!(check_project(&beside, MANIFEST).contains(&Violation::WasmModule { path: "module.WASM".into() }));
    let zip = with(app_of(&good_project()), "app/m.wasm", b"\0asm".to_vec());
    assert!(check_zip(&good_project(), &zip, 1_000).contains(&Violation::WasmModule { path: "app/m.wasm".into() }));
}

#[test]
fn extensions_zoho_does_not_take_are_rejected() {
    for path in ["app/module.bin", "app/README", "app/logo.PNG", "app/.htaccess", "app/a.js.map"] {
        let project = with(good_project(), path, vec![1]);
        assert!(
            check_project(&project, MANIFEST).contains(&Violation::DisallowedExtension { path: path.into() }),
            "{path}"
        );
    }
}

#[test]
fn file_names_outside_zohos_characters_are_rejected() {
    for path in ["app/my widget.js", "app/café.css", "app/a+b.js", "app/.hidden.js"] {
        let project = with(good_project(), path, vec![1]);
        assert!(check_project(&project, MANIFEST).contains(&Violation::BadFileName { path: path.into() }), "{path}");
    }
}

#[test]
fn file_names_longer_than_250_characters_are_rejected() {
    let fits = format!("app/{}.js", "a".repeat(247));
    assert_eq!(check_project(&with(good_project(), &fits, vec![1]), MANIFEST), []);
    let long = format!("app/{}.js", "a".repeat(248));
    assert_eq!(
        check_project(&with(good_project(), &long, vec![1]), MANIFEST),
        [Violation::FileNameTooLong { path: long }]
    );
}

#[test]
fn folder_names_with_dots_or_spaces_are_rejected() {
    for (path, folder) in [("app/v1.2/a.js", "v1.2"), ("app/my files/a.js", "my files")] {
        let project = with(good_project(), path, vec![1]);
        assert_eq!(
            check_project(&project, MANIFEST),
            [Violation::BadFolderName { path: path.into(), folder: folder.into() }]
        );
    }
}

#[test]
fn a_file_over_five_million_bytes_is_rejected() {
    let at_limit = with(good_project(), "app/big.txt", vec![0; MAX_FILE_BYTES]);
    assert_eq!(check_project(&at_limit, MANIFEST), []);
    let over = with(good_project(), "app/big.txt", vec![0; MAX_FILE_BYTES + 1]);
    assert_eq!(
        check_project(&over, MANIFEST),
        [Violation::FileTooLarge { path: "app/big.txt".into(), size: MAX_FILE_BYTES + 1 }]
    );
}

#[test]
fn more_than_twenty_million_bytes_in_all_are_rejected() {
    let mut project = good_project();
    for part in 0..5 {
        project.insert(format!("app/part{part}.txt"), vec![0; 4_000_000]);
    }
    let violations = check_project(&project, MANIFEST);
    assert!(matches!(violations.as_slice(), [Violation::TooLargeInAll { total }] if *total > 20_000_000));
}

#[test]
fn more_than_250_files_are_rejected_counting_translations_twice_as_zet_does() {
    let mut project = good_project();
    let app_files = project.keys().filter(|path| path.starts_with("app/")).count();
    for n in app_files..MAX_FILES {
        project.insert(format!("app/f{n}.js"), vec![1]);
    }
    assert_eq!(check_project(&project, MANIFEST), []);
    project.insert("app/one-more.js".into(), vec![1]);
    assert_eq!(check_project(&project, MANIFEST), [Violation::TooManyFiles { count: MAX_FILES + 1 }]);

    let mut project = good_project();
    for n in 0..124 {
        project.insert(format!("app/translations/l{n}.json"), vec![1]);
    }
    let count = app_files + 2 * 124;
    assert_eq!(check_project(&project, MANIFEST), [Violation::TooManyFiles { count }]);
}

#[test]
fn the_index_page_must_be_there() {
    let mut project = good_project();
    project.remove("app/widget.html");
    assert_eq!(check_project(&project, MANIFEST), [Violation::MissingIndexPage]);
}

#[test]
fn the_manifest_must_be_the_repositorys() {
    let mut project = good_project();
    assert_eq!(check_project(&project, br#"{ "service": "DESK" }"#), [Violation::ManifestDiffers]);
    project.remove("plugin-manifest.json");
    assert_eq!(check_project(&project, MANIFEST), [Violation::ManifestDiffers]);
}

#[test]
fn files_beside_app_are_rejected() {
    let project = with(good_project(), "server/index.js", vec![1]);
    assert_eq!(check_project(&project, MANIFEST), [Violation::OutsideApp { path: "server/index.js".into() }]);
}

#[test]
fn the_zip_must_hold_the_app_tree_exactly() {
    let project = good_project();
    let mut zip = app_of(&project);
    zip.remove("app/boot.js");
    zip.insert("app/sidechat_widget_bg.txt".into(), b"other".to_vec());
    zip.insert("plugin-manifest.json".into(), MANIFEST.to_vec());
    zip.insert("widget.html".into(), b"<!doctype html>".to_vec());
    assert_eq!(
        check_zip(&project, &zip, 1_000),
        [
            Violation::MissingFromZip { path: "app/boot.js".into() },
            Violation::ZipContentDiffers { path: "app/sidechat_widget_bg.txt".into() },
            Violation::NotInFolder { path: "plugin-manifest.json".into() },
            Violation::NotInFolder { path: "widget.html".into() },
        ]
    );
}

#[test]
fn a_zip_over_twenty_million_bytes_is_rejected() {
    let project = good_project();
    let zip = app_of(&project);
    assert_eq!(check_zip(&project, &zip, MAX_TOTAL_BYTES), []);
    assert_eq!(check_zip(&project, &zip, MAX_TOTAL_BYTES + 1), [Violation::ZipTooLarge { size: MAX_TOTAL_BYTES + 1 }]);
}
