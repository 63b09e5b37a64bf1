//! Zoho's rules for an uploaded widget, checked here instead of trusted to `zet`: `zet validate` passes a folder
//! holding a file Zoho refuses, and `zet pack` then leaves that file out of the upload without a word. The
//! limits and patterns are zoho-extension-toolkit 1.0.24's (`lib/commands/constants.js`,
//! `lib/rules/FileCheckRule.js`, `lib/utils/file-tree-parser.js`, `lib/commands/package.js`).

use std::collections::BTreeMap;

/// Files, by path inside their folder or zip with `/` between names (`app/widget.html`), with their bytes.
pub type Tree = BTreeMap<String, Vec<u8>>;

/// At most this many files under `app/`.
pub const MAX_FILES: usize = 250;
/// At most this many bytes per file.
pub const MAX_FILE_BYTES: usize = 5_000_000;
/// At most this many bytes in all (Zoho's limit for the zip; the files' own sizes are held to it too).
pub const MAX_TOTAL_BYTES: usize = 20_000_000;
/// At most this many characters in a file name (Zoho CRM's limit; other Zoho services allow 50).
pub const MAX_FILE_NAME_CHARS: usize = 250;
/// The extensions Zoho accepts (compared as written: `.PNG` is not `.png` to Zoho).
pub const ALLOWED_EXTENSIONS: &[&str] = &[
    ".jpg", ".jpeg", ".png", ".gif", ".svg", ".css", ".woff", ".woff2", ".ttf", ".eot", ".webm", ".js", ".mp3", ".mp4",
    ".json", ".txt", ".md", ".xml", ".dre", ".html",
];
/// The widget's index page, the one to name when creating the widget in Zoho CRM.
pub const INDEX_PAGE: &str = "app/widget.html";
/// The manifest beside `app/`; the only file outside it that `zet` reads.
pub const MANIFEST: &str = "plugin-manifest.json";

/// One way a package breaks Zoho's rules.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Violation {
    #[error("{count} files under app/: Zoho takes at most {MAX_FILES}")]
    TooManyFiles { count: usize },
    #[error("{path}: {size} bytes, over Zoho's {MAX_FILE_BYTES} per file")]
    FileTooLarge { path: String, size: usize },
    #[error("{total} bytes in all, over Zoho's {MAX_TOTAL_BYTES}")]
    TooLargeInAll { total: usize },
    #[error("{path}: a file name may hold only A-Z a-z 0-9 _ . $ - and must not start with a dot")]
    BadFileName { path: String },
    #[error("{path}: a file name may have at most {MAX_FILE_NAME_CHARS} characters")]
    FileNameTooLong { path: String },
    #[error("{path}: the folder name `{folder}` may hold only A-Z a-z 0-9 _ $ -")]
    BadFolderName { path: String, folder: String },
    #[error("{path}: Zoho does not take this extension (`zet pack` would drop the file); it takes {}", ALLOWED_EXTENSIONS.join(" "))]
    DisallowedExtension { path: String },
    #[error("{path}: a WebAssembly module under its own extension, which Zoho refuses; ship its bytes as .txt")]
    WasmModule { path: String },
    #[error("{path}: beside app/, where Zoho never gets it")]
    OutsideApp { path: String },
    #[error("{INDEX_PAGE}, the widget's index page, is missing")]
    MissingIndexPage,
    #[error("{MANIFEST} is missing or differs from the repository's")]
    ManifestDiffers,
    #[error("{path} is not in the zip")]
    MissingFromZip { path: String },
    #[error("the zip holds {path}, which the folder does not")]
    NotInFolder { path: String },
    #[error("{path} in the zip differs from the folder's")]
    ZipContentDiffers { path: String },
    #[error("the zip has {size} bytes, over Zoho's {MAX_TOTAL_BYTES}")]
    ZipTooLarge { size: usize },
}

/// Checks a project folder (`plugin-manifest.json` and `app/`) against Zoho's rules and the repository's
/// manifest; returns every violation, none when the folder is fit to upload.
pub fn check_project(project: &Tree, repository_manifest: &[u8]) -> Vec<Violation> {
    let mut violations = Vec::new();
    if project.get(MANIFEST).map(Vec::as_slice) != Some(repository_manifest) {
        violations.push(Violation::ManifestDiffers);
    }
    let outside = project.keys().filter(|path| *path != MANIFEST && !path.starts_with("app/"));
    violations.extend(outside.map(|path| Violation::OutsideApp { path: path.clone() }));

    let app: Vec<(&String, usize)> =
        project.iter().filter(|(path, _)| path.starts_with("app/")).map(|(path, bytes)| (path, bytes.len())).collect();
    if !project.contains_key(INDEX_PAGE) {
        violations.push(Violation::MissingIndexPage);
    }
    // zet counts the translation files twice (once among all files, once more as translations): so do we.
    let translations = app.iter().filter(|(path, _)| is_translation(path)).count();
    if app.len() + translations > MAX_FILES {
        violations.push(Violation::TooManyFiles { count: app.len() + translations });
    }
    let total: usize = app.iter().map(|(_, size)| size).sum();
    if total > MAX_TOTAL_BYTES {
        violations.push(Violation::TooLargeInAll { total });
    }
    for (path, size) in app {
        violations.extend(check_file(path, size));
    }
    violations.extend(wasm_modules(project));
    violations
}

/// Checks that the zip (of `zip_bytes`) holds exactly the folder's `app/` tree, at its root, byte for byte: what
/// `zet pack` makes for Zoho CRM (it leaves the manifest out).
pub fn check_zip(project: &Tree, zip: &Tree, zip_bytes: usize) -> Vec<Violation> {
    let app = project.iter().filter(|(path, _)| path.starts_with("app/"));
    let mut violations: Vec<Violation> = app
        .filter_map(|(path, bytes)| match zip.get(path) {
            None => Some(Violation::MissingFromZip { path: path.clone() }),
            Some(zipped) if zipped != bytes => Some(Violation::ZipContentDiffers { path: path.clone() }),
            Some(_) => None,
        })
        .collect();
    let extra = zip.keys().filter(|path| !path.starts_with("app/") || !project.contains_key(*path));
    violations.extend(extra.map(|path| Violation::NotInFolder { path: path.clone() }));
    violations.extend(wasm_modules(zip));
    if zip_bytes > MAX_TOTAL_BYTES {
        violations.push(Violation::ZipTooLarge { size: zip_bytes });
    }
    violations
}

/// The rules for one file under `app/`: its name, its folders, its extension, its size.
fn check_file(path: &str, size: usize) -> Vec<Violation> {
    let mut violations = Vec::new();
    let (folders, name) = path.rsplit_once('/').unwrap_or(("", path));
    for folder in folders.split('/').filter(|folder| !is_folder_name(folder)) {
        violations.push(Violation::BadFolderName { path: path.to_owned(), folder: folder.to_owned() });
    }
    if !is_file_name(name) {
        violations.push(Violation::BadFileName { path: path.to_owned() });
    }
    if name.chars().count() > MAX_FILE_NAME_CHARS {
        violations.push(Violation::FileNameTooLong { path: path.to_owned() });
    }
    // A .wasm file gets its own, clearer violation from `check_project`.
    if !ALLOWED_EXTENSIONS.contains(&extension(name)) && !is_wasm(path) {
        violations.push(Violation::DisallowedExtension { path: path.to_owned() });
    }
    if size > MAX_FILE_BYTES {
        violations.push(Violation::FileTooLarge { path: path.to_owned(), size });
    }
    violations
}

/// The extension as zet reads it (Node's `path.extname`, except that a name starting with its only dot is all
/// extension).
fn extension(name: &str) -> &str {
    match name.rfind('.') {
        Some(0) => name,
        Some(dot) => &name[dot..],
        None => "",
    }
}

fn is_file_name(name: &str) -> bool {
    !name.starts_with('.') && name.chars().all(|c| c.is_ascii_alphanumeric() || "_.$-".contains(c))
}

fn is_folder_name(name: &str) -> bool {
    name.chars().all(|c| c.is_ascii_alphanumeric() || "_$-".contains(c))
}

fn is_translation(path: &str) -> bool {
    path.starts_with("app/translations") && path.ends_with(".json")
}

fn wasm_modules(tree: &Tree) -> impl Iterator<Item = Violation> + '_ {
    tree.keys().filter(|path| is_wasm(path)).map(|path| Violation::WasmModule { path: path.clone() })
}

fn is_wasm(path: &str) -> bool {
    path.to_ascii_lowercase().ends_with(".wasm")
}

#[cfg(test)]
mod tests;
