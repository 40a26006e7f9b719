//! 通信传输: `serve` answers HTTPS with the given certificate (and tells browsers to
//! keep to it), refuses plain HTTP on that port, and names a wrong key file; the
//! warehouse connection to PostgreSQL is encrypted when the URL says `sslmode=require`.

use std::path::Path;

use crate::support;

/// A self-signed certificate for `localhost`, written as PEM files in `dir`; returns its
/// DER for the client to trust.
fn certificate(dir: &Path) -> (std::path::PathBuf, std::path::PathBuf, Vec<u8>) {
    let cert = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    let (cert_path, key_path) = (dir.join("cert.pem"), dir.join("key.pem"));
    std::fs::write(&cert_path, cert.cert.pem()).unwrap();
    std::fs::write(&key_path, cert.signing_key.serialize_pem()).unwrap();
    (cert_path, key_path, cert.cert.der().to_vec())
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_answers_https_only_with_its_certificate() {
    let db = support::sqlite().await;
    let dir = tempfile::tempdir().unwrap();
    let (cert, key, der) = certificate(dir.path());
    let state = jiuye_graphql::AppState::new(db.warehouse.clone(), std::sync::Arc::new(db.catalog.clone()), support::keys())
        .await
        .unwrap();
    let port = free_port();
    let addr: std::net::SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let tls = jiuye_graphql::TlsFiles { cert, key };
    let server = tokio::spawn(jiuye_graphql::serve(state, addr, Some(tls.clone())));

    let client = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_der(&der).unwrap())
        .build()
        .unwrap();
    let url = format!("https://localhost:{port}/health");
    let mut answer = None;
    for _ in 0..50 {
        if let Ok(res) = client.get(&url).send().await {
            answer = Some(res);
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let answer = answer.expect("the HTTPS server answers");
    assert_eq!(answer.status(), 200);
    assert_eq!(
        answer.headers().get("strict-transport-security").and_then(|v| v.to_str().ok()),
        Some("max-age=31536000")
    );
    let plain = reqwest::get(format!("http://127.0.0.1:{port}/health")).await;
    assert!(plain.is_err() || plain.is_ok_and(|r| r.status() != 200), "plain HTTP is not served");
    let untrusted = reqwest::Client::builder().tls_built_in_root_certs(false).build().unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    let other_root = certificate(elsewhere.path()).2;
    let strict = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_der(&other_root).unwrap())
        .build()
        .unwrap();
    assert!(
        untrusted.get(&url).send().await.is_err() && strict.get(&url).send().await.is_err(),
        "an unknown certificate is refused"
    );
    server.abort();

    // A key that is not the certificate's, or not a key at all, is named at start.
    std::fs::write(&tls.key, "not a key").unwrap();
    let err = jiuye_graphql::tls_config(&tls).await.unwrap_err().to_string();
    assert!(err.contains("key.pem") && err.contains("cert.pem"), "{err}");
    db.cleanup().await;
}

#[tokio::test]
async fn the_warehouse_connection_to_postgres_is_encrypted_on_request() {
    let Ok(url) = std::env::var("JIUYE_TEST_DATABASE_URL") else {
        eprintln!("PostgreSQL half skipped: set JIUYE_TEST_DATABASE_URL");
        return;
    };
    let ssl = "SELECT CASE WHEN ssl THEN 1 ELSE 0 END FROM pg_stat_ssl WHERE pid = pg_backend_pid()";
    for (mode, encrypted) in [("disable", 0), ("require", 1)] {
        let sep = if url.contains('?') { '&' } else { '?' };
        let options = jiuye_warehouse::ConnectOptions::new(format!("{url}{sep}sslmode={mode}"));
        let warehouse = jiuye_warehouse::Warehouse::connect(&options).await.unwrap();
        let rows = warehouse
            .fetch(&jiuye_sql_value::Statement {
                sql: ssl.into(),
                params: vec![],
            })
            .await
            .unwrap();
        assert_eq!(rows.rows[0][0].as_i64(), Some(encrypted), "sslmode={mode}");
        warehouse.close().await;
    }
}
