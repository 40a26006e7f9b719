//! The web front end, one job: serve the screens' static files — the workbench, the big
//! screens, the topic boards — embedded in the binary, so an intranet host needs no CDN
//! and no Node.js. The pages speak only the public GraphQL API (they are its reference
//! client).
//!
//! Sources are plain ES modules in `web/public/` (no build step); the third-party files
//! in `public/vendor/` come from the npm registry (`web/README.md`). This crate must not
//! depend on the warehouse, the semantic layer or GraphQL.

use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};

#[derive(rust_embed::RustEmbed)]
#[folder = "public/"]
struct Assets;

/// The answer for `uri`: a file of `public/`, or the app's page for a path with no file
/// extension (the app routes by the hash, but `/` and `/index.html` both reach it).
pub async fn serve(uri: Uri) -> Response {
    let path = uri.path().trim_start_matches('/');
    let path = if path.is_empty() { "index.html" } else { path };
    match Assets::get(path) {
        Some(file) => {
            let mime = file.metadata.mimetype();
            let mime = if mime.starts_with("text/") || mime.ends_with("javascript") || mime.ends_with("json") {
                format!("{mime}; charset=utf-8")
            } else {
                mime.to_string()
            };
            let etag = format!("\"{}\"", to_hex(&file.metadata.sha256_hash()[..8]));
            let mut response = Response::new(Body::from(file.data.into_owned()));
            let headers = response.headers_mut();
            headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_str(&mime).unwrap_or(HeaderValue::from_static("application/octet-stream")),
            );
            // Revalidated every time (cheap with the ETag), so a new binary's pages are
            // never mixed with an old cached module.
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
            if let Ok(v) = HeaderValue::from_str(&etag) {
                headers.insert(header::ETAG, v);
            }
            response
        }
        None => (StatusCode::NOT_FOUND, "no such page").into_response(),
    }
}

fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Every embedded file's path, for tests and `jiuye` diagnostics.
pub fn files() -> Vec<String> {
    Assets::iter().map(|f| f.into_owned()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn get(path: &str) -> Response {
        serve(path.parse().unwrap()).await
    }

    #[tokio::test]
    async fn the_app_page_and_its_modules_are_served_with_their_types() {
        let page = get("/").await;
        assert_eq!(page.status(), StatusCode::OK);
        assert_eq!(page.headers()[header::CONTENT_TYPE], "text/html; charset=utf-8");
        assert!(page.headers().contains_key(header::ETAG));
        let module = get("/app/main.js").await;
        assert_eq!(module.headers()[header::CONTENT_TYPE], "text/javascript; charset=utf-8");
        assert_eq!(get("/nothing.js").await.status(), StatusCode::NOT_FOUND);
        assert_eq!(get("/../Cargo.toml").await.status(), StatusCode::NOT_FOUND);
    }

    #[test]
    fn every_third_party_file_has_its_licence_recorded() {
        let licences = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/public/vendor/LICENSES.md")).unwrap();
        for file in files().iter().filter(|f| f.starts_with("vendor/") && !f.ends_with("LICENSES.md")) {
            let name = file.trim_start_matches("vendor/");
            assert!(licences.contains(name), "{file} is not in vendor/LICENSES.md");
        }
    }
}
