//! Image processing (issue 24): what size an operation gives, and the operation itself —
//! an image's bytes in, the processed image's bytes out. The `image` crate decodes and
//! encodes, `fast_image_resize` resizes (SIMD convolution: see the commit that added it).
//!
//! This module is pure: it reads no file and keeps nothing. Which images a site asks for is
//! decided by the render stage (`resize_image`); where the bytes come from and where the
//! results are kept between builds is `incremental::ImageStore`'s job.

use std::io::Cursor;

use fast_image_resize as fr;
use image::{DynamicImage, ImageDecoder, ImageReader};

/// The most pixels an image may have to be decoded: 100 megapixels (a 50,000 × 50,000 header
/// is refused before any pixel is decoded; decoding it would take 10 GB).
pub const MAX_PIXELS: u64 = 100_000_000;

/// How an image is brought to the asked size.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Op {
    /// Within width × height, keeping the aspect ratio.
    Fit,
    /// Exactly width × height, cropped around the centre.
    Fill,
    /// Exactly width × height, stretched.
    Scale,
    /// The given width, the height following the aspect ratio.
    FitWidth,
    /// The given height, the width following the aspect ratio.
    FitHeight,
}

impl Op {
    /// The operation named `name` in a template.
    ///
    /// # Errors
    /// The names that exist, for a name that does not.
    pub fn parse(name: &str) -> Result<Op, String> {
        Ok(match name {
            "fit" => Op::Fit,
            "fill" => Op::Fill,
            "scale" => Op::Scale,
            "fit_width" => Op::FitWidth,
            "fit_height" => Op::FitHeight,
            other => {
                return Err(format!(
                    "unknown op `{other}`: use \"fit\", \"fill\", \"scale\", \"fit_width\" or \"fit_height\""
                ))
            }
        })
    }
}

/// The format a processed image is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Format {
    /// JPEG, lossy, at the asked quality.
    Jpeg,
    /// PNG, lossless.
    Png,
    /// WebP (lossless: the `image` crate's encoder has no lossy mode).
    Webp,
}

impl Format {
    /// The format named `name` in a template; `auto` keeps the source's kind (by its
    /// extension): JPEG for a JPEG, PNG for anything else.
    ///
    /// # Errors
    /// The names that exist, for a name that does not (and for AVIF, which this build lacks).
    pub fn parse(name: &str, source_path: &str) -> Result<Format, String> {
        Ok(match name {
            "auto" => {
                let extension = source_path.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
                match extension.as_deref() {
                    Some("jpg" | "jpeg") => Format::Jpeg,
                    Some("webp") => Format::Webp,
                    _ => Format::Png,
                }
            }
            "jpeg" | "jpg" => Format::Jpeg,
            "png" => Format::Png,
            "webp" => Format::Webp,
            "avif" => {
                return Err("`avif` is not built into this Quire: use \"webp\", \"jpeg\" or \"png\"".into())
            }
            other => {
                return Err(format!("unknown format `{other}`: use \"auto\", \"webp\", \"jpeg\" or \"png\""))
            }
        })
    }

    /// The file extension.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Jpeg => "jpg",
            Format::Png => "png",
            Format::Webp => "webp",
        }
    }
}

/// One processing of one image: what to do, to what size, in what format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Operation {
    /// How.
    pub op: Op,
    /// The size of the result, as [`target_size`] computed it.
    pub width: u32,
    /// The height of the result.
    pub height: u32,
    /// The format written.
    pub format: Format,
    /// JPEG quality, 1–100.
    pub quality: u8,
}

/// Where the processed copy of the image at `path` (its path under `content/` or `static/`),
/// of `size`, made by `operation`, goes under the output folder: named from these, so that
/// equal requests share one file and two checkouts name it alike.
pub fn output_path(path: &str, size: (u32, u32), operation: &Operation) -> String {
    let hash = xxhash_rust::xxh3::xxh3_64(format!("{path}\n{}x{}\n{operation:?}", size.0, size.1).as_bytes());
    let file_name = path.rsplit('/').next().unwrap_or(path);
    let stem = file_name.rsplit_once('.').map_or(file_name, |(stem, _)| stem);
    format!("{PROCESSED_IMAGES}/{stem}.{hash:016x}.{}", operation.format.extension())
}

/// JPEG quality when none is given (`resize_image`, responsive images).
pub const DEFAULT_QUALITY: u8 = 80;

/// Where processed images go under the output folder.
pub const PROCESSED_IMAGES: &str = "processed_images";

/// The size `op` gives an image of `source` size asked for `width` × `height` (either may be
/// missing where the op does not need it). An image's displayed size is its size after EXIF
/// rotation; a header's size is taken as it is.
///
/// # Errors
/// A message naming the missing or zero argument.
pub fn target_size(
    op: Op,
    source: (u32, u32),
    width: Option<u32>,
    height: Option<u32>,
) -> Result<(u32, u32), String> {
    let (sw, sh) = (u64::from(source.0.max(1)), u64::from(source.1.max(1)));
    let need = |value: Option<u32>, name: &str| match value {
        Some(0) => Err(format!("`{name}` must be at least 1")),
        Some(v) => Ok(u64::from(v)),
        None => Err(format!("op `{}` needs `{name}`", op_name(op))),
    };
    let scaled = |n: u64, d: u64, v: u64| ((v * n + d / 2) / d).max(1);
    let (w, h) = match op {
        Op::FitWidth => {
            let w = need(width, "width")?;
            (w, scaled(sh, sw, w))
        }
        Op::FitHeight => {
            let h = need(height, "height")?;
            (scaled(sw, sh, h), h)
        }
        Op::Fill | Op::Scale => (need(width, "width")?, need(height, "height")?),
        Op::Fit => {
            let (w, h) = (need(width, "width")?, need(height, "height")?);
            if w * sh <= h * sw {
                (w, scaled(sh, sw, w))
            } else {
                (scaled(sw, sh, h), h)
            }
        }
    };
    let clamp = |v: u64| u32::try_from(v).unwrap_or(u32::MAX);
    let (w, h) = (clamp(w), clamp(h));
    if u64::from(w) * u64::from(h) > MAX_PIXELS {
        return Err(format!("{w} × {h} is more than {MAX_PIXELS} pixels"));
    }
    Ok((w, h))
}

fn op_name(op: Op) -> &'static str {
    match op {
        Op::Fit => "fit",
        Op::Fill => "fill",
        Op::Scale => "scale",
        Op::FitWidth => "fit_width",
        Op::FitHeight => "fit_height",
    }
}

/// `bytes` (a JPEG, PNG or WebP) processed by `operation`: decoded (refused before decoding
/// when its header is over [`MAX_PIXELS`]), turned upright by its EXIF orientation, resized,
/// and encoded.
///
/// # Errors
/// A message for the user: an unknown or unsupported format, a corrupt or truncated file,
/// an image too large.
pub fn process(bytes: &[u8], operation: &Operation) -> Result<Vec<u8>, String> {
    let reader = ImageReader::new(Cursor::new(bytes)).with_guessed_format().map_err(|e| e.to_string())?;
    match reader.format() {
        Some(image::ImageFormat::Jpeg | image::ImageFormat::Png | image::ImageFormat::WebP) => {}
        Some(image::ImageFormat::Gif) => {
            return Err("a GIF cannot be resized (its frames would be lost): link it as it is".into())
        }
        Some(other) => return Err(format!("{other:?} images cannot be resized: use JPEG, PNG or WebP")),
        None if bytes.trim_ascii_start().starts_with(b"<") => {
            return Err("an SVG cannot be resized (it scales by itself): link it as it is".into())
        }
        None => return Err("not an image Quire can read (JPEG, PNG or WebP)".into()),
    }
    let mut decoder = reader.into_decoder().map_err(|e| format!("cannot read the image: {e}"))?;
    let (w, h) = decoder.dimensions();
    if u64::from(w) * u64::from(h) > MAX_PIXELS {
        return Err(format!("the image is {w} × {h} pixels, more than the {MAX_PIXELS} Quire decodes"));
    }
    let orientation = decoder.orientation().unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut image =
        DynamicImage::from_decoder(decoder).map_err(|e| format!("cannot decode the image: {e}"))?;
    image.apply_orientation(orientation);
    let resized = resize(image, operation)?;
    encode(resized, operation)
}

/// Whether the EXIF orientation in the start of a JPEG (`head`) turns it a quarter turn, so
/// that it is shown with its width and height exchanged. `false` when it cannot be told.
pub fn is_turned(head: &[u8]) -> bool {
    use image::metadata::Orientation;
    let Ok(mut decoder) = image::codecs::jpeg::JpegDecoder::new(Cursor::new(head)) else { return false };
    matches!(
        decoder.orientation(),
        Ok(Orientation::Rotate90
            | Orientation::Rotate270
            | Orientation::Rotate90FlipH
            | Orientation::Rotate270FlipH)
    )
}

fn resize(image: DynamicImage, operation: &Operation) -> Result<DynamicImage, String> {
    let (w, h) = (operation.width, operation.height);
    if (image.width(), image.height()) == (w, h) {
        return Ok(image);
    }
    // Eight bits per channel (a 16-bit PNG too): what every output format here writes.
    let image = if image.color().has_alpha() {
        DynamicImage::ImageRgba8(image.into_rgba8())
    } else {
        DynamicImage::ImageRgb8(image.into_rgb8())
    };
    let mut target = DynamicImage::new(w, h, image.color());
    let mut options =
        fr::ResizeOptions::new().resize_alg(fr::ResizeAlg::Convolution(fr::FilterType::Lanczos3));
    if operation.op == Op::Fill {
        options = options.fit_into_destination(Some((0.5, 0.5)));
    }
    fr::Resizer::new().resize(&image, &mut target, &options).map_err(|e| format!("cannot resize: {e}"))?;
    Ok(target)
}

fn encode(image: DynamicImage, operation: &Operation) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    let failed = |e: image::ImageError| format!("cannot encode the image: {e}");
    match operation.format {
        Format::Jpeg => {
            let rgb = DynamicImage::ImageRgb8(image.into_rgb8());
            let encoder =
                image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, operation.quality.clamp(1, 100));
            rgb.write_with_encoder(encoder).map_err(failed)?;
        }
        Format::Png => image.write_to(&mut Cursor::new(&mut out), image::ImageFormat::Png).map_err(failed)?,
        Format::Webp => {
            image.write_to(&mut Cursor::new(&mut out), image::ImageFormat::WebP).map_err(failed)?
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_follow_the_op_and_keep_the_aspect_ratio() {
        assert_eq!(target_size(Op::Fit, (4000, 3000), Some(800), Some(800)), Ok((800, 600)));
        assert_eq!(target_size(Op::Fit, (3000, 4000), Some(800), Some(800)), Ok((600, 800)));
        assert_eq!(target_size(Op::Fill, (4000, 3000), Some(300), Some(300)), Ok((300, 300)));
        assert_eq!(target_size(Op::FitWidth, (4000, 3000), Some(400), None), Ok((400, 300)));
        assert_eq!(target_size(Op::FitHeight, (4000, 3000), None, Some(300)), Ok((400, 300)));
        assert!(target_size(Op::Fit, (4000, 3000), Some(800), None).unwrap_err().contains("`height`"));
        assert!(target_size(Op::Scale, (10, 10), Some(0), Some(1)).is_err());
        assert!(target_size(Op::Scale, (10, 10), Some(50_000), Some(50_000)).is_err());
    }

    fn png(width: u32, height: u32) -> Vec<u8> {
        let image = DynamicImage::ImageRgb8(image::RgbImage::from_fn(width, height, |x, y| {
            image::Rgb([(x % 256) as u8, (y % 256) as u8, 128])
        }));
        let mut out = Vec::new();
        image.write_to(&mut Cursor::new(&mut out), image::ImageFormat::Png).unwrap();
        out
    }

    #[test]
    fn an_image_is_resized_and_encoded_in_each_format() {
        let source = png(64, 48);
        for format in [Format::Jpeg, Format::Png, Format::Webp] {
            let operation = Operation { op: Op::Fill, width: 16, height: 16, format, quality: 80 };
            let bytes = process(&source, &operation).unwrap();
            let decoded = image::load_from_memory(&bytes).unwrap();
            assert_eq!((decoded.width(), decoded.height()), (16, 16), "{format:?}");
        }
    }

    #[test]
    fn bad_images_are_messages_not_panics() {
        let operation = Operation { op: Op::Fit, width: 8, height: 8, format: Format::Png, quality: 80 };
        let source = png(64, 48);
        assert!(process(&source[..source.len() / 2], &operation).is_err(), "truncated");
        assert!(process(b"<svg xmlns=\"http://www.w3.org/2000/svg\"/>", &operation)
            .unwrap_err()
            .contains("SVG"));
        assert!(process(b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", &operation).unwrap_err().contains("GIF"));
        // A PNG whose header claims 50,000 × 50,000 pixels (10 GB decoded), with small data.
        let mut huge = source.clone();
        huge[16..20].copy_from_slice(&50_000u32.to_be_bytes());
        huge[20..24].copy_from_slice(&50_000u32.to_be_bytes());
        let crc = crc32(&huge[12..29]);
        huge[29..33].copy_from_slice(&crc.to_be_bytes());
        let message = process(&huge, &operation).unwrap_err();
        assert!(message.contains("50000 × 50000"), "{message}");
    }

    /// PNG's chunk checksum (CRC-32, as zlib computes it), for a header edited by hand.
    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = 0xffff_ffff_u32;
        for &byte in bytes {
            crc ^= u32::from(byte);
            for _ in 0..8 {
                crc = if crc & 1 == 1 { (crc >> 1) ^ 0xedb8_8320 } else { crc >> 1 };
            }
        }
        !crc
    }
}
