//! Images (issues 23 and 24): sizes read from local images' headers.

use crate::serve::Served;
use crate::support::TestSite;

#[test]
fn issue_23_local_markdown_images_get_their_intrinsic_width_and_height() {
    let site = TestSite::from_fixture("image_sizes");
    site.build().success();
    let body = site.read("trip/index.html");
    assert!(
        body.contains(
            "<img src=\"https://example.com/trip/photo.png\" alt=\"A red and blue gradient\" width=\"40\" height=\"30\" />"
        ),
        "a page bundle's image: {body}"
    );
    assert!(
        body.contains("<img src=\"/img/logo.jpg\" alt=\"The logo\" title=\"Logo\" width=\"24\" height=\"12\" loading=\"lazy\" decoding=\"async\" />"),
        "a static image: {body}"
    );
    assert!(
        body.contains("<img src=\"https://example.org/far.png\" alt=\"Far away\" loading=\"lazy\" decoding=\"async\" />"),
        "an external image has no size: {body}"
    );
}

#[test]
fn issue_23_an_image_replaced_by_one_of_another_size_is_measured_again() {
    let site = TestSite::from_fixture("image_sizes");
    site.build().success();
    let other = std::fs::read(site.root().join("static/img/logo.jpg")).unwrap();
    site.write_bytes("content/trip/photo.png", &other);
    site.build().success();
    let body = site.read("trip/index.html");
    assert!(body.contains("alt=\"A red and blue gradient\" width=\"24\" height=\"12\""), "{body}");
}

#[test]
fn issue_23_serve_updates_an_images_size_when_the_image_changes() {
    let site = TestSite::from_fixture("image_sizes");
    let served = Served::start(&site, &[]);
    served.wait_for("/trip/", "the first size", |r| r.text().contains("width=\"40\" height=\"30\""));
    let other = std::fs::read(site.root().join("static/img/logo.jpg")).unwrap();
    site.write_bytes("content/trip/photo.png", &other);
    served.wait_for("/trip/", "the new size", |r| {
        r.text().contains("alt=\"A red and blue gradient\" width=\"24\" height=\"12\"")
    });
}

#[test]
fn issue_23_a_corrupt_image_is_shown_without_a_size_and_the_build_succeeds() {
    let site = TestSite::from_fixture("image_sizes");
    site.write_bytes("content/trip/photo.png", b"\x89PNG\r\n\x1a\nnot really");
    site.build().success();
    let body = site.read("trip/index.html");
    assert!(body.contains("alt=\"A red and blue gradient\" />"), "{body}");
}

/// The `src`, `width` and `height` of the `img` with `id` in `html`.
fn img(html: &str, id: &str) -> (String, u32, u32) {
    let start = html.find(&format!("<img id=\"{id}\"")).unwrap_or_else(|| panic!("no #{id} in {html}"));
    let tag = &html[start..start + html[start..].find('>').unwrap()];
    let attribute = |name: &str| {
        let at = tag.find(&format!(" {name}=\"")).unwrap() + name.len() + 3;
        tag[at..at + tag[at..].find('"').unwrap()].to_string()
    };
    (attribute("src"), attribute("width").parse().unwrap(), attribute("height").parse().unwrap())
}

/// The size of the image written at `url` (a permalink on example.com).
fn decoded_size(site: &TestSite, url: &str) -> (u32, u32) {
    let path = url.strip_prefix("https://example.com/").unwrap();
    let decoded = image::open(site.output(path)).unwrap_or_else(|e| panic!("{path}: {e}"));
    (decoded.width(), decoded.height())
}

#[test]
fn issue_24_resize_image_writes_each_operation_at_the_size_it_returns() {
    let site = TestSite::from_fixture("image_processing");
    site.build().success();
    let html = site.read("gallery/index.html");
    let (small, width, height) = img(&html, "small");
    assert!(
        small.starts_with("https://example.com/processed_images/photo.") && small.ends_with(".webp"),
        "{small}"
    );
    assert_eq!((width, height), (64, 64));
    assert_eq!(decoded_size(&site, &small), (64, 64));
    let (wide, width, height) = img(&html, "wide");
    assert!(wide.ends_with(".png"), "auto keeps a PNG a PNG: {wide}");
    assert_eq!((width, height), (50, 25));
    assert_eq!(decoded_size(&site, &wide), (50, 25));
    assert!(html.contains("<p id=\"meta\">200x100 png</p>"), "{html}");
}

#[test]
fn issue_24_exif_orientation_is_applied_to_sizes_and_pixels() {
    let site = TestSite::from_fixture("image_processing");
    site.build().success();
    let html = site.read("gallery/index.html");
    // Stored 60 × 40 with EXIF "rotate 90°": shown 40 × 60.
    assert!(html.contains("alt=\"Taken with the camera turned\" width=\"40\" height=\"60\""), "{html}");
    let (turned, width, height) = img(&html, "turned");
    assert_eq!((width, height), (13, 20));
    assert_eq!(decoded_size(&site, &turned), (13, 20));
}

#[test]
fn issue_24_a_second_build_takes_processed_images_from_the_cache_and_drops_unused_ones() {
    let site = TestSite::from_fixture("image_processing");
    site.build().success();
    let cached = |site: &TestSite| {
        let mut names: Vec<String> = std::fs::read_dir(site.cache_dir())
            .unwrap()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().starts_with("images-"))
            .flat_map(|dir| std::fs::read_dir(dir.path()).unwrap().flatten())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };
    let first = cached(&site);
    assert_eq!(first.len(), 3, "{first:?}");
    let before = std::fs::read(
        site.output(&img(&site.read("gallery/index.html"), "small").0["https://example.com/".len()..]),
    )
    .unwrap();
    // An edit, so that the build is not skipped whole: the images come from the cache folder.
    site.write_file(
        "content/gallery/index.md",
        "---\ntitle: Gallery\n---\n![Taken with the camera turned](turned.jpg) again\n",
    );
    let run = site.run(&["build", "--verbose"]);
    assert!(run.all_output().contains("3 asked for, 0 processed now"), "{}", run.all_output());
    let after = std::fs::read(
        site.output(&img(&site.read("gallery/index.html"), "small").0["https://example.com/".len()..]),
    )
    .unwrap();
    assert_eq!(before, after);
    // The template asks for one image fewer: its cached copy goes.
    let template = std::fs::read_to_string(site.root().join("templates/page.html")).unwrap();
    let start = template.find("{% set wide").unwrap();
    let end = start + template[start..].find("{% set meta").unwrap();
    site.write_file("templates/page.html", &format!("{}{}", &template[..start], &template[end..]));
    site.build().success();
    let last = cached(&site);
    assert_eq!(last.len(), 2, "{last:?}");
    assert!(last.iter().all(|name| first.contains(name)));
}

#[test]
fn issue_24_an_unwritable_cache_folder_is_a_warning_and_the_build_is_complete() {
    let site = TestSite::from_fixture("image_processing");
    let blocker = site.tmp().join("not-a-folder");
    std::fs::write(&blocker, "a file where the cache folder would be").unwrap();
    let mut command = site.command();
    command.env("QUIRE_CACHE_DIR", &blocker).arg("build");
    let run = site.run_command(command).success();
    assert!(run.all_output().contains("image cache"), "{}", run.all_output());
    let (small, ..) = img(&site.read("gallery/index.html"), "small");
    assert_eq!(decoded_size(&site, &small), (64, 64));
}

#[test]
fn issue_24_a_corrupt_image_asked_to_be_resized_fails_naming_the_file() {
    let site = TestSite::from_fixture("image_processing");
    site.build().success();
    let before = crate::support::files(&site.public());
    let wide = std::fs::read(site.root().join("static/img/wide.png")).unwrap();
    site.write_bytes("static/img/wide.png", &wide[..wide.len() / 2]);
    let run = site.build().failure();
    let stderr = run.stderr();
    assert!(stderr.contains("could not process the image") && stderr.contains("wide.png"), "{stderr}");
    assert_eq!(before, crate::support::files(&site.public()), "a failed build leaves public/ as it was");
}

#[test]
fn issue_24_a_gif_or_svg_asked_to_be_resized_is_an_error_naming_it() {
    let site = TestSite::from_fixture("image_processing");
    site.write_bytes("content/gallery/photo.jpg", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;");
    let stderr = site.build().failure().stderr();
    assert!(stderr.contains("photo.jpg") && stderr.contains("GIF"), "{stderr}");
}

/// Each `url width` of a `srcset`.
fn srcset(html: &str, after: &str) -> Vec<(String, u32)> {
    let start = html.find(after).unwrap_or_else(|| panic!("no {after} in {html}")) + after.len();
    let at = start + html[start..].find("srcset=\"").unwrap() + "srcset=\"".len();
    let list = &html[at..at + html[at..].find('"').unwrap()];
    list.split(", ")
        .map(|item| {
            let (url, width) = item.split_once(' ').unwrap();
            (url.to_string(), width.trim_end_matches('w').parse().unwrap())
        })
        .collect()
}

#[test]
fn issue_24_responsive_markdown_images_get_a_picture_with_copies_never_upscaled() {
    let site = TestSite::from_fixture("responsive_images");
    site.build().success();
    let html = site.read("post/index.html");
    // A PNG: lossless WebP copies in a <source>, PNG copies and the original in the img's srcset.
    assert!(html.contains("<picture><source type=\"image/webp\" srcset=\""), "{html}");
    let modern = srcset(&html, "<picture>");
    assert_eq!(
        modern.iter().map(|(_, w)| *w).collect::<Vec<_>>(),
        [16, 32, 64],
        "400 is wider than the image"
    );
    let fallback = srcset(&html, "alt=\"A gradient\"");
    assert_eq!(fallback.iter().map(|(_, w)| *w).collect::<Vec<_>>(), [16, 32, 64]);
    assert_eq!(fallback[2].0, "https://example.com/post/wide.png", "the original is the widest");
    assert!(html.contains("alt=\"A gradient\" width=\"64\" height=\"32\" srcset=\""), "{html}");
    assert!(html.contains("sizes=\"100vw\" /></picture>"), "{html}");
    for (url, width) in modern.iter().chain(&fallback) {
        assert_eq!(decoded_size(&site, url).0, *width, "{url}");
    }
    assert!(modern.iter().all(|(url, _)| url.ends_with(".webp")));
    // A JPEG: JPEG copies only (a lossless WebP of a photo would be larger), no <picture>.
    let photo = srcset(&html, "alt=\"A photo\"");
    assert_eq!(photo.iter().map(|(_, w)| *w).collect::<Vec<_>>(), [16, 32, 48]);
    assert!(photo[..2].iter().all(|(url, _)| url.ends_with(".jpg")));
    assert!(html.contains("<p><img src=\"https://example.com/post/photo.jpg\" alt=\"A photo\" width=\"48\" height=\"32\" srcset="), "{html}");
    for (url, width) in &photo {
        assert_eq!(decoded_size(&site, url).0, *width, "{url}");
    }
}

#[test]
fn issue_24_without_responsive_images_a_markdown_image_is_one_img() {
    let site = TestSite::from_fixture("responsive_images");
    let config = std::fs::read_to_string(site.root().join("config.toml")).unwrap();
    site.write_file("config.toml", &config.replace("responsive_images = true", "responsive_images = false"));
    site.build().success();
    let html = site.read("post/index.html");
    assert!(!html.contains("<picture>") && !html.contains("srcset"), "{html}");
    assert!(!site.output("processed_images").exists());
}
