//! Assets: fingerprinted URLs and integrity hashes of static files (`get_url(cachebust=true)`,
//! `get_hash`).

use base64::Engine;
use sha2::{Digest, Sha256, Sha384, Sha512};

use crate::serve::Served;
use crate::support::TestSite;

fn base64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn cachebust_urls_and_hashes_are_those_of_the_written_files() {
    let site = TestSite::from_fixture("fingerprint");
    site.build().success();
    let css = std::fs::read(site.output("css/site.css")).unwrap();
    let font = std::fs::read(site.output("fonts/a.woff2")).unwrap();
    let home = site.read("index.html");
    let css_url = format!("https://example.com/css/site.css?h={}", &hex(&Sha256::digest(&css))[..20]);
    let integrity = format!("sha384-{}", base64(&Sha384::digest(&css)));
    assert!(home.contains(&format!("href=\"{css_url}\" integrity=\"{integrity}\"")), "{home}");
    let font_url = format!("https://example.com/fonts/a.woff2?h={}", &hex(&Sha256::digest(&font))[..20]);
    assert!(home.contains(&font_url), "{home}");
    assert!(home.contains(&format!("sha256-hex: {}\n", hex(&Sha256::digest(&css)))), "{home}");
    assert!(home.contains(&format!("sha512: {}\n", base64(&Sha512::digest(&css)))), "{home}");
    assert!(home.contains("plain: https://example.com/css/site.css\n"), "{home}");
}

#[test]
fn the_cachebust_url_changes_when_the_file_does_and_only_then() {
    let site = TestSite::from_fixture("fingerprint");
    site.build().success();
    let first = site.read("index.html");
    site.write_file("content/_index.md", "---\ntitle: Home, retitled\n---\n");
    site.build().success();
    assert_eq!(site.read("index.html"), first, "the stylesheet did not change");
    site.write_file("static/css/site.css", "body { color: #444; }\n");
    site.build().success();
    let second = site.read("index.html");
    assert_ne!(second, first);
    let css = std::fs::read(site.output("css/site.css")).unwrap();
    assert!(second.contains(&format!("site.css?h={}", &hex(&Sha256::digest(&css))[..20])), "{second}");
}

#[test]
fn a_file_the_build_does_not_read_cannot_be_hashed_and_the_error_says_why() {
    let site = TestSite::from_fixture("fingerprint");
    site.write_file("templates/page.html", "{{ get_hash(path=\"img/photo.jpg\") }}\n");
    site.write_file("content/a.md", "---\ntitle: A\n---\n");
    let run = site.build().failure();
    let report = run.stderr();
    assert!(report.contains("`get_hash`: `img/photo.jpg` cannot be hashed"), "{report}");
    assert!(report.contains("css, js"), "{report}");
    assert!(!site.public().exists(), "a failed build writes nothing");

    site.write_file("templates/page.html", "{{ get_url(path=\"css/missing.css\", cachebust=true) }}\n");
    let report = site.build().failure().stderr();
    assert!(report.contains("`get_url`: nothing is built at `css/missing.css`"), "{report}");

    site.write_file("templates/page.html", "{{ get_hash(path=\"css/site.css\", sha_type=1) }}\n");
    let report = site.build().failure().stderr();
    assert!(report.contains("`sha_type` is 256, 384 or 512, not 1"), "{report}");
}

#[test]
fn shortcodes_can_fingerprint_files_too() {
    let site = TestSite::from_fixture("fingerprint");
    site.write_file("templates/shortcodes/css.html", "{{ get_url(path=path, cachebust=true) }}");
    site.write_file("templates/page.html", "{{ page.content | safe }}");
    site.write_file("content/a.md", "---\ntitle: A\n---\n\n{{ css(path=\"css/site.css\") }}\n");
    site.build().success();
    let css = std::fs::read(site.output("css/site.css")).unwrap();
    let page = site.read("a/index.html");
    assert!(page.contains(&format!("site.css?h={}", &hex(&Sha256::digest(&css))[..20])), "{page}");
}

#[test]
fn serve_gives_the_new_url_once_the_stylesheet_changes() {
    let site = TestSite::from_fixture("fingerprint");
    let served = Served::start(&site, &[]);
    let first = served.get("/").text();
    assert!(first.contains("site.css?h="), "{first}");
    site.write_file("static/css/site.css", "body { color: #555; }\n");
    let hash = &hex(&Sha256::digest(b"body { color: #555; }\n"))[..20];
    served.wait_for("/", "the new stylesheet's URL", |reply| reply.text().contains(hash));
}

#[test]
fn sass_compiles_to_css_at_the_same_path_and_partials_are_not_written() {
    let site = TestSite::from_fixture("sass");
    site.build().success();
    assert_eq!(site.read("css/site.css"), "body main {\n  color: #123456;\n}\n");
    assert_eq!(site.read("print.css"), "p {\n  margin: 0;\n}\n");
    let tree = site.output_tree();
    assert!(!tree.contains("vars") && !tree.contains(".scss") && !tree.contains(".sass"), "{tree}");
    // A compiled stylesheet is fingerprinted like a static one.
    let css = std::fs::read(site.output("css/site.css")).unwrap();
    let home = site.read("index.html");
    assert!(home.contains(&format!("site.css?h={}", &hex(&Sha256::digest(&css))[..20])), "{home}");
    assert!(home.contains(&format!("sha384-{}", base64(&Sha384::digest(&css)))), "{home}");
}

#[test]
fn a_sass_error_in_a_partial_names_the_partial_and_leaves_public_as_it_was() {
    let site = TestSite::from_fixture("sass");
    site.build().success();
    let before = crate::support::files(&site.public());
    site.write_file("sass/_vars.scss", "$ink: #123456\n$paper: white;\n");
    let report = site.build().failure().stderr();
    assert!(report.contains("cannot compile the stylesheet `sass/_vars.scss`"), "{report}");
    assert!(report.contains("--> sass/_vars.scss:2:7"), "{report}");
    assert_eq!(crate::support::files(&site.public()), before);
}

#[test]
fn a_stylesheet_and_a_static_file_of_the_same_path_are_an_error_naming_both() {
    let site = TestSite::from_fixture("sass");
    site.write_file("static/css/site.css", "body {}\n");
    let report = site.build().failure().stderr();
    assert!(report.contains("static/css/site.css") && report.contains("sass/css/site.scss"), "{report}");
}

#[test]
fn serve_compiles_a_saved_partial_again() {
    let site = TestSite::from_fixture("sass");
    let served = Served::start(&site, &[]);
    assert!(served.get("/css/site.css").text().contains("#123456"));
    site.write_file("sass/_vars.scss", "$ink: #654321;\n");
    served.wait_for("/css/site.css", "the recompiled stylesheet", |reply| reply.text().contains("#654321"));
    let css = b"body main {\n  color: #654321;\n}\n";
    let hash = &hex(&Sha256::digest(css))[..20];
    served.wait_for("/", "the new stylesheet's URL", |reply| reply.text().contains(hash));
}

#[test]
fn compress_writes_a_gzip_copy_beside_each_text_file_and_off_removes_them() {
    use std::io::Read;
    let site = TestSite::from_fixture("fingerprint");
    site.write_file("content/a.md", &format!("---\ntitle: A\n---\n\n{}", "Some words. ".repeat(40)));
    site.write_file("templates/page.html", "<p>{{ page.content | safe }}</p>\n");
    let config = std::fs::read_to_string(site.root().join("config.toml")).unwrap();
    site.write_file("config.toml", &format!("{config}compress = true\n"));
    site.build().success();
    for path in ["a/index.html", "sitemap.xml"] {
        let mut unpacked = Vec::new();
        let packed = std::fs::read(site.output(&format!("{path}.gz"))).unwrap();
        flate2::read::GzDecoder::new(&packed[..]).read_to_end(&mut unpacked).unwrap();
        assert_eq!(unpacked, std::fs::read(site.output(path)).unwrap(), "{path}");
    }
    let tree = site.output_tree();
    assert!(!tree.contains("photo.jpg.gz") && !tree.contains("a.woff2.gz"), "only text files\n{tree}");
    site.write_file("config.toml", &config);
    site.build().success();
    assert!(!site.output_tree().contains(".gz"), "{}", site.output_tree());
}
