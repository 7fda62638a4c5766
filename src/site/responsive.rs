//! Responsive Markdown images (`[markdown] responsive_images`): for a local raster image, the
//! copies at the configured widths (never wider than the image) and the `srcset`s that name
//! them. It decides names and sizes only; the copies are made after rendering, by the image
//! store, from the jobs returned here.

use crate::images::{self, Format, Op, Operation};
use crate::incremental::ImageJob;
use crate::parse::markdown::ResponsiveMarkup;
use crate::site::links::ImageTarget;
use crate::site::url;

/// What the `[markdown]` responsive keys say.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ResponsiveSettings {
    /// The widths of the copies.
    pub widths: Vec<u32>,
    /// The `sizes` attribute.
    pub sizes: String,
}

/// The markup and the copies of the image `target`, shown from `original_url`; `None` for an
/// image that is not a JPEG, PNG or WebP (a GIF keeps its frames, an AVIF is kept as it is).
///
/// The copies are in the image's own format; a PNG also gets WebP copies (lossless, a quarter
/// smaller than PNG) in a `<source>`. A JPEG gets none: the WebP encoder Quire has is lossless,
/// which makes a photo larger than its JPEG.
pub fn responsive(
    target: &ImageTarget,
    original_url: &str,
    base_url: &str,
    settings: &ResponsiveSettings,
) -> Option<(ResponsiveMarkup, Vec<ImageJob>)> {
    let extension = target.path.rsplit_once('.')?.1.to_ascii_lowercase();
    let original = match extension.as_str() {
        "jpg" | "jpeg" => Format::Jpeg,
        "png" => Format::Png,
        "webp" => Format::Webp,
        _ => return None,
    };
    let (width, height) = target.size;
    let mut widths: Vec<u32> = settings.widths.iter().copied().filter(|&w| w > 0 && w < width).collect();
    widths.sort_unstable();
    widths.dedup();
    let mut jobs = Vec::new();
    let mut copy = |w: u32, format: Format| -> Option<String> {
        let (w, h) = images::target_size(Op::FitWidth, (width, height), Some(w), None).ok()?;
        let operation =
            Operation { op: Op::FitWidth, width: w, height: h, format, quality: images::DEFAULT_QUALITY };
        let output_path = images::output_path(&target.path, (width, height), &operation);
        let url = url::permalink(base_url, &output_path);
        jobs.push(ImageJob {
            source_path: target.source_path.clone(),
            stamp: target.stamp,
            operation,
            output_path,
        });
        Some(format!("{url} {w}w"))
    };
    let mut fallback = Vec::new();
    for &w in &widths {
        fallback.push(copy(w, original)?);
    }
    fallback.push(format!("{original_url} {width}w"));
    let modern = match original {
        Format::Png => {
            let mut modern = Vec::new();
            for &w in widths.iter().chain([&width]) {
                modern.push(copy(w, Format::Webp)?);
            }
            Some(modern.join(", "))
        }
        Format::Jpeg | Format::Webp => None,
    };
    let markup = ResponsiveMarkup { fallback: fallback.join(", "), modern, sizes: settings.sizes.clone() };
    Some((markup, jobs))
}
