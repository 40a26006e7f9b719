//! Logging in (身份鉴别) on SQLite and PostgreSQL: a password and, for administrators, a
//! TOTP code open a session; failures lock the account; sessions end when idle, at
//! logout, and an expired password allows nothing but changing it; the password policy
//! and history hold; every login is audited and no password is.

mod support;

use chrono::{Duration, Utc};
use jiuye_audit::{AuditFilter, AuditLog};
use jiuye_identity::{Identity, NewUser, Totp};
use serde_json::{Value, json};
use support::server::Server;
use support::{backends, server};

const PASSWORD: &str = "Correct-horse-42";

fn user(username: &str, role: &str) -> NewUser {
    NewUser {
        username: username.into(),
        display_name: None,
        role: role.into(),
        district: (role == "district").then(|| "310115".to_string()),
        password: PASSWORD.into(),
    }
}

async fn login(srv: &Server, username: &str, password: &str, code: Option<&str>) -> Value {
    let query = "mutation($u: String!, $p: String!, $c: String) { login(username: $u, password: $p, code: $c) { token passwordExpired } }";
    let body = json!({ "query": query, "variables": { "u": username, "p": password, "c": code } });
    srv.post(None, None, body).await.2
}

fn token_of(answer: &Value) -> String {
    answer["data"]["login"]["token"]
        .as_str()
        .unwrap_or_else(|| panic!("no session: {answer}"))
        .to_string()
}

fn code_of(answer: &Value) -> &str {
    answer["errors"][0]["extensions"]["code"].as_str().unwrap_or("")
}

#[tokio::test]
async fn a_session_comes_from_a_password_and_ends_when_it_should() {
    for db in backends().await {
        let identity = Identity::new(db.warehouse.clone(), support::keys());
        let now = Utc::now();
        assert!(identity.create_user(user("li", "analyst"), now).await.unwrap().is_none());
        let srv = server::start(&db).await;

        let answer = login(&srv, "li", PASSWORD, None).await;
        let session = token_of(&answer);
        assert!(session.starts_with("js_"));
        assert_eq!(answer["data"]["login"]["passwordExpired"], false);
        let me = srv.query(&session, "{ me { holder role } indicators { code } }").await;
        assert_eq!(me["data"]["me"], json!({ "holder": "li", "role": "analyst" }), "{me}");
        assert!(me["data"]["indicators"].as_array().is_some_and(|a| !a.is_empty()));

        // Without a token only `login` runs; nothing else rides along with it.
        let (status, _, _) = srv.post(None, None, json!({ "query": "{ me { holder } }" })).await;
        assert_eq!(status, 401);
        let mixed = json!({ "query": format!("mutation {{ login(username: \"li\", password: \"{PASSWORD}\") {{ token }} logout }}") });
        assert_eq!(srv.post(None, None, mixed).await.0, 401);

        // Idle for longer than the limit: the session is over.
        db.run_sql("UPDATE meta_session SET last_seen_at = '2000-01-01T00:00:00.000000Z'")
            .await;
        assert_eq!(srv.post(Some(&session), None, json!({ "query": "{ me { holder } }" })).await.0, 401);

        let session = token_of(&login(&srv, "li", PASSWORD, None).await);
        let out = srv.query(&session, "mutation { logout }").await;
        assert_eq!(out["data"]["logout"], true, "{out}");
        assert_eq!(srv.post(Some(&session), None, json!({ "query": "{ me { holder } }" })).await.0, 401);
        srv.handle.abort();
        db.cleanup().await;
    }
}

#[tokio::test]
async fn failures_lock_the_account_and_administrators_need_a_fresh_code() {
    for db in backends().await {
        let identity = Identity::new(db.warehouse.clone(), support::keys());
        let now = Utc::now();
        identity.create_user(user("li", "analyst"), now).await.unwrap();
        let totp: Totp = identity
            .create_user(user("wang", "admin"), now)
            .await
            .unwrap()
            .expect("an admin gets a TOTP secret");
        let srv = server::start(&db).await;

        for _ in 0..5 {
            let answer = login(&srv, "li", "Wrong-horse-42", None).await;
            assert_eq!(code_of(&answer), "UNAUTHENTICATED", "{answer}");
        }
        let locked = login(&srv, "li", PASSWORD, None).await;
        assert_eq!(code_of(&locked), "UNAUTHENTICATED", "locked even with the right password: {locked}");
        assert_eq!(
            locked["errors"][0]["message"],
            login(&srv, "nobody", PASSWORD, None).await["errors"][0]["message"],
            "an unknown user and a locked one are told the same"
        );
        identity.unlock("li").await.unwrap();
        token_of(&login(&srv, "li", PASSWORD, None).await);

        assert_eq!(code_of(&login(&srv, "wang", PASSWORD, None).await), "UNAUTHENTICATED");
        assert_eq!(code_of(&login(&srv, "wang", PASSWORD, Some("000000")).await), "UNAUTHENTICATED");
        let code = totp.code_at(Utc::now().timestamp());
        token_of(&login(&srv, "wang", PASSWORD, Some(&code)).await);
        assert_eq!(
            code_of(&login(&srv, "wang", PASSWORD, Some(&code)).await),
            "UNAUTHENTICATED",
            "a code works once"
        );

        srv.audit.flush().await;
        let records = AuditLog::new(db.warehouse.clone(), support::keys())
            .list(&AuditFilter::default(), 1000)
            .await
            .unwrap();
        let reasons: Vec<String> = records
            .iter()
            .filter(|r| r.action == "login.failed" && r.actor == "li")
            .map(|r| r.detail.clone())
            .collect();
        assert_eq!(reasons.iter().filter(|d| d.contains("wrong password")).count(), 5, "{reasons:?}");
        assert!(reasons.iter().any(|d| d.contains("locked")), "{reasons:?}");
        assert!(
            records
                .iter()
                .any(|r| r.action == "login" && r.actor == "wang" && r.outcome == "ok")
        );
        assert!(
            records
                .iter()
                .all(|r| !r.detail.contains(PASSWORD) && !r.detail.contains("Wrong-horse")),
            "no password is ever logged"
        );
        srv.handle.abort();
        db.cleanup().await;
    }
}

#[tokio::test]
async fn an_expired_password_allows_only_changing_it_under_the_policy() {
    for db in backends().await {
        let identity = Identity::new(db.warehouse.clone(), support::keys());
        identity
            .create_user(user("zhao", "district"), Utc::now() - Duration::days(100))
            .await
            .unwrap();
        let srv = server::start(&db).await;
        let answer = login(&srv, "zhao", PASSWORD, None).await;
        assert_eq!(answer["data"]["login"]["passwordExpired"], true, "{answer}");
        let session = token_of(&answer);
        let denied = srv.query(&session, "{ indicators { code } }").await;
        assert_eq!(code_of(&denied), "FORBIDDEN", "{denied}");

        let change = |old: &str, new: &str| {
            json!({ "query": "mutation($o: String!, $n: String!) { changePassword(oldPassword: $o, newPassword: $n) }",
                    "variables": { "o": old, "n": new } })
        };
        let weak = srv.post(Some(&session), None, change(PASSWORD, "short")).await.2;
        assert_eq!(code_of(&weak), "BAD_USER_INPUT", "{weak}");
        assert!(weak["errors"][0]["message"].as_str().unwrap().contains("12 characters"));
        let same = srv.post(Some(&session), None, change(PASSWORD, PASSWORD)).await.2;
        assert!(same["errors"][0]["message"].as_str().unwrap().contains("used recently"), "{same}");
        let ok = srv.post(Some(&session), None, change(PASSWORD, "Another-horse-43")).await.2;
        assert_eq!(ok["data"]["changePassword"], true, "{ok}");

        let answer = login(&srv, "zhao", "Another-horse-43", None).await;
        assert_eq!(answer["data"]["login"]["passwordExpired"], false, "{answer}");
        let fresh = token_of(&answer);
        let me = srv.query(&fresh, "{ me { role district } indicators { code } }").await;
        assert_eq!(me["data"]["me"], json!({ "role": "district", "district": "310115" }), "{me}");
        srv.handle.abort();
        db.cleanup().await;
    }
}

#[tokio::test]
async fn the_cli_creates_users_from_a_password_on_standard_input() {
    use std::io::Write;
    let db = support::sqlite().await;
    let (url, _) = db.connection();
    let create = |username: &str, role: &str, password: &str| {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_jiuye"))
            .args(["user", "create", "--username", username, "--role", role])
            .env("JIUYE_DATABASE_URL", &url)
            .env("JIUYE_SECRET_KEY", "2a".repeat(32))
            .env_remove("JIUYE_KEY_FILE")
            .env_remove("JIUYE_DATABASE_SCHEMA")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        writeln!(child.stdin.take().unwrap(), "{password}").unwrap();
        child.wait_with_output().unwrap()
    };
    let out = create("sun", "admin", PASSWORD);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let uri = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(uri.starts_with("otpauth://totp/jiuye:sun?secret="), "{uri}");
    let weak = create("qian", "analyst", "password");
    assert!(!weak.status.success());
    assert!(String::from_utf8_lossy(&weak.stderr).contains("12 characters"));
    let again = create("sun", "analyst", PASSWORD);
    assert!(String::from_utf8_lossy(&again.stderr).contains("exists already"));
    db.cleanup().await;
}
