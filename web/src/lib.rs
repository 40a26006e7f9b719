//! The web front end, one job: serve the screens' static files — the workbench, the big
//! screens, the topic boards — embedded in the binary, so an intranet host needs no CDN
//! and no Node.js. The pages speak only the public GraphQL API (they are its reference
//! client).
//!
//! Sources are plain ES modules in `web/public/` (no build step); the third-party files
//! in `public/vendor/` come from the npm registry (`web/README.md`). This crate must not
//! depend on the warehouse, the semantic layer or GraphQL.

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};

#[derive(rust_embed::RustEmbed)]
#[folder = "public/"]
struct Assets;

/// The answer for `uri`: a file of `public/` (`/` is `index.html`; the app routes by
/// the URL's hash), or 404. A request whose `If-None-Match` names the file's current
/// ETag gets 304 without the body, so a browser revalidates the 1 MB chart library
/// instead of downloading it again.
pub async fn serve(uri: Uri, headers: HeaderMap) -> Response {
    let path = uri.path().trim_start_matches('/');
    let path = if path.is_empty() { "index.html" } else { path };
    match Assets::get(path) {
        Some(file) => {
            let etag = format!("\"{}\"", to_hex(&file.metadata.sha256_hash()[..8]));
            let unchanged = headers
                .get(header::IF_NONE_MATCH)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.split(',').any(|tag| tag.trim() == etag));
            if unchanged {
                let mut response = StatusCode::NOT_MODIFIED.into_response();
                if let Ok(v) = HeaderValue::from_str(&etag) {
                    response.headers_mut().insert(header::ETAG, v);
                }
                response
                    .headers_mut()
                    .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
                return response;
            }
            let mime = file.metadata.mimetype();
            let mime = if mime.starts_with("text/") || mime.ends_with("javascript") || mime.ends_with("json") {
                format!("{mime}; charset=utf-8")
            } else {
                mime.to_string()
            };
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
        serve(path.parse().unwrap(), HeaderMap::new()).await
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
        // A browser holding the current version revalidates without the body.
        let etag = module.headers()[header::ETAG].clone();
        let mut headers = HeaderMap::new();
        headers.insert(header::IF_NONE_MATCH, etag.clone());
        let again = serve("/app/main.js".parse().unwrap(), headers).await;
        assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
        assert_eq!(again.headers()[header::ETAG], etag);
        let mut stale = HeaderMap::new();
        stale.insert(header::IF_NONE_MATCH, HeaderValue::from_static("\"0000\""));
        assert_eq!(serve("/app/main.js".parse().unwrap(), stale).await.status(), StatusCode::OK);
        assert_eq!(get("/../Cargo.toml").await.status(), StatusCode::NOT_FOUND);
    }

    /// index.html names every module of `app/` for `modulepreload` (so the browser fetches
    /// them at once rather than import level by import level), and nothing else.
    #[test]
    fn the_page_preloads_every_module() {
        let page = String::from_utf8(Assets::get("index.html").unwrap().data.into_owned()).unwrap();
        let preloaded: std::collections::BTreeSet<String> = page
            .split("<link rel=\"modulepreload\" href=\"/")
            .skip(1)
            .map(|rest| rest.split('"').next().unwrap().to_string())
            .collect();
        let modules: std::collections::BTreeSet<String> = Assets::iter()
            .filter(|f| f.starts_with("app/") && f.ends_with(".js") && f != "app/main.js")
            .map(|f| f.to_string())
            .collect();
        assert_eq!(preloaded, modules, "index.html's modulepreload links");
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
