//! Static files embedded in the binary, named by content hash (`app.3f2a…css`), compressed once
//! at start with brotli and gzip, and served with `Cache-Control: immutable` (DESIGN §5).

use std::collections::HashMap;
use std::io::Write;
use std::sync::LazyLock;

use axum::body::Bytes;
use axum::extract::Path;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

/// Every file under `static/`, by logical name.
const FILES: &[(&str, &[u8])] = &[
    ("app.css", include_bytes!("../../static/app.css")),
    ("app.js", include_bytes!("../../static/app.js")),
    // loaded only by the pages that add or use passkeys
    ("passkeys.js", include_bytes!("../../static/passkeys.js")),
    // loaded only by the calendar page
    ("calendar.js", include_bytes!("../../static/calendar.js")),
    // loaded only by the home page, for its timer bar
    ("timer-bar.js", include_bytes!("../../static/timer-bar.js")),
    ("icon.svg", include_bytes!("../../static/icon.svg")),
];

/// The same icon for clients that ask for `/favicon.ico` instead of reading the page's link
/// (bookmarks, feed readers); made from `icon.svg` by `scripts/make-favicon.py`.
const FAVICON: &[u8] = include_bytes!("../../static/favicon.ico");

pub const URL_PREFIX: &str = "/static/";

struct Asset {
    content_type: &'static str,
    identity: Bytes,
    gzip: Bytes,
    brotli: Bytes,
    etag: HeaderValue,
}

pub struct Assets {
    by_hashed_name: HashMap<String, Asset>,
    urls: HashMap<&'static str, String>,
}

impl Assets {
    /// The embedded set, hashed and compressed on first use (`startup` touches it at start).
    pub fn get() -> &'static Assets {
        static ASSETS: LazyLock<Assets> = LazyLock::new(Assets::load);
        &ASSETS
    }

    fn load() -> Self {
        let mut by_hashed_name = HashMap::new();
        let mut urls = HashMap::new();
        for (name, bytes) in FILES {
            let digest = hex::encode(Sha256::digest(bytes));
            let hash = &digest[..12];
            let (stem, ext) = name.rsplit_once('.').unwrap_or((name, ""));
            let hashed = format!("{stem}.{hash}.{ext}");
            urls.insert(*name, format!("{URL_PREFIX}{hashed}"));
            let asset = Asset {
                content_type: content_type(ext),
                identity: Bytes::from_static(bytes),
                gzip: Bytes::from(gzip(bytes)),
                brotli: Bytes::from(brotli(bytes)),
                etag: HeaderValue::from_str(&format!("\"{hash}\""))
                    .unwrap_or(HeaderValue::from_static("\"0\"")),
            };
            by_hashed_name.insert(hashed, asset);
        }
        Self {
            by_hashed_name,
            urls,
        }
    }

    /// The versioned URL of a logical asset name, for templates.
    pub fn url(&self, name: &str) -> &str {
        self.urls.get(name).map_or("", String::as_str)
    }

    /// (logical name, identity bytes, gzip bytes) for page-weight reports.
    pub fn sizes(&self) -> Vec<(String, usize, usize)> {
        let mut sizes: Vec<_> = self
            .urls
            .iter()
            .filter_map(|(name, url)| {
                let asset = self
                    .by_hashed_name
                    .get(url.trim_start_matches(URL_PREFIX))?;
                Some((name.to_string(), asset.identity.len(), asset.gzip.len()))
            })
            .collect();
        sizes.sort();
        sizes
    }
}

fn content_type(ext: &str) -> &'static str {
    match ext {
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "svg" => "image/svg+xml",
        "ico" => "image/x-icon",
        _ => "application/octet-stream",
    }
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    // writing into a Vec cannot fail
    let _ = encoder.write_all(bytes);
    encoder.finish().unwrap_or_default()
}

fn brotli(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        ..Default::default()
    };
    let _ = brotli::BrotliCompress(&mut &bytes[..], &mut out, &params);
    out
}

/// `GET /static/{file}`: only current hashed names exist, so a stale URL is a clean 404.
pub async fn asset_get(Path(file): Path<String>, headers: HeaderMap) -> Response {
    let Some(asset) = Assets::get().by_hashed_name.get(&file) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    if headers
        .get(header::IF_NONE_MATCH)
        .is_some_and(|v| v == asset.etag)
    {
        return StatusCode::NOT_MODIFIED.into_response();
    }
    let accepts = |coding: &str| {
        headers
            .get_all(header::ACCEPT_ENCODING)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .any(|part| {
                let mut pieces = part.split(';');
                let name = pieces.next().unwrap_or("").trim();
                let refused = pieces.any(|p| p.trim().replace(' ', "") == "q=0");
                name.eq_ignore_ascii_case(coding) && !refused
            })
    };
    let (encoding, body) = if accepts("br") {
        (Some("br"), asset.brotli.clone())
    } else if accepts("gzip") {
        (Some("gzip"), asset.gzip.clone())
    } else {
        (None, asset.identity.clone())
    };
    let mut response = body.into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(asset.content_type),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=31536000, immutable"),
    );
    h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    h.insert(header::ETAG, asset.etag.clone());
    if let Some(encoding) = encoding {
        h.insert(header::CONTENT_ENCODING, HeaderValue::from_static(encoding));
    }
    response
}

/// `GET /favicon.ico`: not content-addressed, so cached for a day rather than for ever.
pub async fn favicon_get() -> Response {
    (
        [
            (header::CONTENT_TYPE, "image/x-icon"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        Bytes::from_static(FAVICON),
    )
        .into_response()
}
