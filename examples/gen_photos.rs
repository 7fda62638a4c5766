//! Writes N photo-like JPEGs of 3 to 6 megapixels for the image benchmark
//! (`scripts/bench-images`): smooth colour fields with fine noise, so that they compress like
//! photos, not like flat test cards. Deterministic: the same N gives the same files.
//!
//! Usage: cargo run --release --example gen_photos -- DIR N

use image::{Rgb, RgbImage};

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = std::path::PathBuf::from(args.next().expect("usage: gen_photos DIR N"));
    let count: u32 = args.next().and_then(|n| n.parse().ok()).expect("usage: gen_photos DIR N");
    std::fs::create_dir_all(&dir).expect("make the folder");
    // 3 MP to 6 MP, landscape and portrait.
    let sizes = [(2048, 1536), (2400, 1600), (2592, 1944), (3000, 2000), (2000, 3000), (2448, 2448)];
    for n in 0..count {
        let (width, height) = sizes[n as usize % sizes.len()];
        let mut state = 0x9e37_79b9_7f4a_7c15_u64 ^ u64::from(n);
        let mut noise = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 59) as u8
        };
        let (fx, fy) = (1.0 + f64::from(n % 7), 1.0 + f64::from(n % 5));
        let image = RgbImage::from_fn(width, height, |x, y| {
            let (u, v) = (f64::from(x) / f64::from(width), f64::from(y) / f64::from(height));
            let r = 128.0 + 100.0 * (u * fx * 3.1).sin() * (v * 2.0).cos();
            let g = 128.0 + 100.0 * (v * fy * 2.7).sin();
            let b = 128.0 + 100.0 * ((u + v) * 4.0 + f64::from(n)).cos();
            let jitter = f64::from(noise());
            Rgb([(r + jitter) as u8, (g + jitter) as u8, (b + jitter) as u8])
        });
        let path = dir.join(format!("photo-{n:03}.jpg"));
        let file = std::io::BufWriter::new(std::fs::File::create(&path).expect("create a photo"));
        let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(file, 85);
        image.write_with_encoder(encoder).expect("encode a photo");
    }
}
