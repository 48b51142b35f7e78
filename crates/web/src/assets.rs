//! Static files, embedded in the binary: KERN UX (the design system of German public
//! administration, from its npm package), its Fira Sans font, Noto Sans Arabic for Arabic and
//! Persian, and our own stylesheet. Nothing is ever loaded from another host.

use axum::extract::Path;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

macro_rules! nm {
    ($p:literal) => {
        include_bytes!(concat!(env!("TH_NODE_MODULES"), "/", $p)).as_slice()
    };
}

/// (name, content type, bytes)
pub const FILES: &[(&str, &str, &[u8])] = &[
    (
        "kern.min.css",
        "text/css; charset=utf-8",
        nm!("@kern-ux/native/dist/kern.min.css"),
    ),
    (
        "app.css",
        "text/css; charset=utf-8",
        include_bytes!("../static/app.css").as_slice(),
    ),
    (
        "guide.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../static/guide.js").as_slice(),
    ),
    (
        "opinion.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../static/opinion.js").as_slice(),
    ),
    (
        "icon.svg",
        "image/svg+xml",
        include_bytes!("../static/icon.svg").as_slice(),
    ),
    (
        "fonts/FiraSans-Regular.woff2",
        "font/woff2",
        nm!("@kern-ux/native/dist/fonts/fira-sans/FiraSans-Regular.woff2"),
    ),
    (
        "fonts/FiraSans-SemiBold.woff2",
        "font/woff2",
        nm!("@kern-ux/native/dist/fonts/fira-sans/FiraSans-SemiBold.woff2"),
    ),
    (
        "fonts/FiraSans-Bold.woff2",
        "font/woff2",
        nm!("@kern-ux/native/dist/fonts/fira-sans/FiraSans-Bold.woff2"),
    ),
    (
        "fonts/FiraSans-Italic.woff2",
        "font/woff2",
        nm!("@kern-ux/native/dist/fonts/fira-sans/FiraSans-Italic.woff2"),
    ),
    (
        "fonts/NotoSansArabic-400.woff2",
        "font/woff2",
        nm!("@fontsource/noto-sans-arabic/files/noto-sans-arabic-arabic-400-normal.woff2"),
    ),
    (
        "fonts/NotoSansArabic-700.woff2",
        "font/woff2",
        nm!("@fontsource/noto-sans-arabic/files/noto-sans-arabic-arabic-700-normal.woff2"),
    ),
];

/// A short fingerprint of the stylesheets, appended to their URLs so caches can keep them.
pub fn version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}

pub async fn serve(Path(file): Path<String>) -> Response {
    match FILES.iter().find(|(n, _, _)| *n == file) {
        Some((_, ct, bytes)) => (
            [
                (header::CONTENT_TYPE, *ct),
                (header::CACHE_CONTROL, "public, max-age=86400"),
            ],
            *bytes,
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}
