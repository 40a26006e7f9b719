//! Logging in (身份鉴别) on SQLite and PostgreSQL: a password and, for administrators, a
//! TOTP code open a session; failures lock the account; sessions end when idle, at
//! logout, and an expired password allows nothing but changing it; the password policy
//! and history hold; every login is audited and no password is.

#[path = "../support/mod.rs"]
mod support;

mod keys;
mod messages;
mod personal;
mod separation;
mod transport;

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
        district: (role == "district_analyst").then(|| "310115".to_string()),
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
        assert!(identity.create_user(user("li", "city_analyst"), now).await.unwrap().is_none());
        let srv = server::start(&db).await;

        let answer = login(&srv, "li", PASSWORD, None).await;
        let session = token_of(&answer);
        assert!(session.starts_with("js_"));
        assert_eq!(answer["data"]["login"]["passwordExpired"], false);
        let me = srv.query(&session, "{ me { holder role } indicators { code } }").await;
        assert_eq!(me["data"]["me"], json!({ "holder": "li", "role": "city_analyst" }), "{me}");
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
        identity.create_user(user("li", "city_analyst"), now).await.unwrap();
        let totp: Totp = identity
            .create_user(user("wang", "system_admin"), now)
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
            .create_user(user("zhao", "district_analyst"), Utc::now() - Duration::days(100))
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
        // The session that changed it ends with the old password: log in again.
        let after = srv.post(Some(&session), None, json!({ "query": "{ me { holder } }" })).await;
        assert_eq!(after.0, 401, "the session is over after a password change: {}", after.2);

        let answer = login(&srv, "zhao", "Another-horse-43", None).await;
        assert_eq!(answer["data"]["login"]["passwordExpired"], false, "{answer}");
        let fresh = token_of(&answer);
        let me = srv.query(&fresh, "{ me { role district } indicators { code } }").await;
        assert_eq!(
            me["data"]["me"],
            json!({ "role": "district_analyst", "district": "310115" }),
            "{me}"
        );
        srv.handle.abort();
        db.cleanup().await;
    }
}

#[tokio::test]
async fn the_cli_creates_users_from_a_password_on_standard_input() {
    use std::io::Write;
    let db = support::sqlite().await;
    let create = |username: &str, role: &str, password: &str| {
        let mut child = db
            .cli()
            .args(["user", "create", "--username", username, "--role", role])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        writeln!(child.stdin.take().unwrap(), "{password}").unwrap();
        child.wait_with_output().unwrap()
    };
    let out = create("sun", "security_admin", PASSWORD);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let uri = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(uri.starts_with("otpauth://totp/jiuye:sun?secret="), "{uri}");
    let weak = create("qian", "city_analyst", "password");
    assert!(!weak.status.success());
    assert!(String::from_utf8_lossy(&weak.stderr).contains("12 characters"));
    let again = create("sun", "city_analyst", PASSWORD);
    assert!(String::from_utf8_lossy(&again.stderr).contains("exists already"));
    db.cleanup().await;
}

/// A free local port (bound, then released for the child to take).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// `jiuye serve` runs under a PostgreSQL role that may read the warehouse and write only
/// its own session, account and audit tables: it answers queries, logs people in and
/// audits, and the role can change nothing else. A warehouse not prepared for this
/// version is refused with what to run (`jiuye migrate`), not migrated.
#[tokio::test]
async fn serve_runs_under_a_role_that_may_only_read() {
    let Some(db) = support::postgres().await else {
        eprintln!("PostgreSQL half skipped: set JIUYE_TEST_DATABASE_URL to run it");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    support::fixtures::write_regs(
        dir.path(),
        "employment_registration_20240301.csv",
        &[
            support::fixtures::Reg::hire("C1", 1, "310115", "2024-03-04"),
            support::fixtures::Reg::hire("C2", 2, "310104", "2024-03-04"),
        ],
    );
    db.load(dir.path()).await;
    let token = jiuye_graphql::auth::create_token(&db.warehouse, "city_analyst", None, Some("机器"))
        .await
        .unwrap();
    let identity = Identity::new(db.warehouse.clone(), support::keys());
    identity.create_user(user("li", "city_analyst"), Utc::now()).await.unwrap();
    let security_totp = identity
        .create_user(user("sec", "security_admin"), Utc::now())
        .await
        .unwrap()
        .expect("administrators get a second factor");
    let (url, schema) = db.connection();
    let schema = schema.unwrap();
    let role = format!("r_{schema}");
    for grant in [
        format!("CREATE ROLE {role} LOGIN"),
        format!("GRANT USAGE ON SCHEMA {schema} TO {role}"),
        format!("GRANT SELECT ON ALL TABLES IN SCHEMA {schema} TO {role}"),
        format!("GRANT INSERT ON meta_audit TO {role}"),
        format!("GRANT UPDATE ON meta_audit_head TO {role}"),
        format!("GRANT INSERT, UPDATE ON meta_session TO {role}"),
        format!("GRANT INSERT, UPDATE ON meta_user TO {role}"),
        format!("GRANT INSERT ON meta_password_history TO {role}"),
        format!("GRANT INSERT, DELETE ON meta_role TO {role}"),
        format!("GRANT INSERT, UPDATE ON meta_token TO {role}"),
        format!("GRANT INSERT ON meta_message, meta_message_read TO {role}"),
        format!("GRANT INSERT, DELETE ON meta_target_status TO {role}"),
    ] {
        db.run_sql(&grant).await;
    }
    let (scheme, rest) = url.split_once("://").unwrap();
    let role_url = format!("{scheme}://{role}@{}", rest.split_once('@').map_or(rest, |(_, host)| host));

    let port = free_port();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_jiuye"))
        .args(["serve", "--log-format", "json", "--addr", &format!("127.0.0.1:{port}")])
        .env("JIUYE_DATABASE_URL", &role_url)
        .env("JIUYE_DATABASE_SCHEMA", &schema)
        .env("JIUYE_SECRET_KEY", "2a".repeat(32))
        .env_remove("JIUYE_KEY_FILE")
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    let mut up = false;
    for _ in 0..100 {
        if client.get(format!("{base}/health")).send().await.is_ok() {
            up = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert!(up, "jiuye serve did not start under the reading role");
    let post = |token: Option<String>, body: Value| {
        let mut req = client.post(format!("{base}/graphql")).json(&body);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        async move { req.send().await.unwrap().json::<Value>().await.unwrap() }
    };
    let metrics = json!({ "query": "{ metrics(indicators: [\"hire_registrations\"], dimensions: [\"district\"], grain: MONTH, timeRange: {from: \"2024-03-01\", to: \"2024-03-31\"}) { rows } }" });
    let answer = post(Some(token.clone()), metrics).await;
    assert_eq!(answer["data"]["metrics"]["rows"].as_array().map(Vec::len), Some(2), "{answer}");
    let login = json!({ "query": format!("mutation {{ login(username: \"li\", password: \"{PASSWORD}\") {{ token }} }}") });
    let session = post(None, login).await;
    let session = token_of(&session);
    let me = post(Some(session.clone()), json!({ "query": "{ me { holder } }" })).await;
    assert_eq!(me["data"]["me"]["holder"], "li", "{me}");
    // Every table the server writes is granted: its own tokens (个人中心) and the
    // security administrator's roles.
    let own = post(
        Some(session),
        json!({ "query": "mutation { createMyToken(label: \"脚本\") { token } }" }),
    )
    .await;
    assert!(own["data"]["createMyToken"]["token"].is_string(), "{own}");
    let code = security_totp.code_at(Utc::now().timestamp());
    let login =
        json!({ "query": format!("mutation {{ login(username: \"sec\", password: \"{PASSWORD}\", code: \"{code}\") {{ token }} }}") });
    let security = token_of(&post(None, login).await);
    let save = json!({ "query": "mutation { saveRole(role: {name: \"hr_viewer\", title: \"人社查看\", scope: \"city\", permissions: [\"indicator.read\"]}) { name } }" });
    let saved = post(Some(security), save).await;
    assert_eq!(saved["data"]["saveRole"]["name"], "hr_viewer", "{saved}");
    let mut audited = 0;
    for _ in 0..50 {
        audited = db.rows("SELECT COUNT(*) FROM meta_audit").await[0][0].parse::<i64>().unwrap();
        if audited >= 3 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(audited >= 3, "the reading role wrote the audit log: {audited} records");
    child.kill().unwrap();
    let output = child.wait_with_output().unwrap();
    // The log is JSON, a line per event: the start, with its address.
    let log = String::from_utf8_lossy(&output.stderr);
    let first: Value = serde_json::from_str(log.lines().next().unwrap_or_default()).unwrap_or_else(|e| panic!("{e}: {log}"));
    assert_eq!(
        (first["level"].as_str(), first["addr"].as_str()),
        (Some("INFO"), Some(format!("127.0.0.1:{port}").as_str())),
        "{log}"
    );
    assert!(first["timestamp"].as_str().is_some_and(|t| t.ends_with('Z')), "UTC: {log}");

    // The role itself can change nothing else, and cannot migrate.
    let reader = jiuye_warehouse::Warehouse::connect(&jiuye_warehouse::ConnectOptions {
        schema: Some(schema.clone()),
        ..jiuye_warehouse::ConnectOptions::new(role_url.clone())
    })
    .await
    .unwrap();
    let delete = reader
        .execute(&jiuye_sql_value::Statement {
            sql: "DELETE FROM dwd_employment_registration".into(),
            params: vec![],
        })
        .await;
    assert!(delete.is_err(), "the serving role may not write DWD");
    reader.close().await;
    db.run_sql(&format!("DROP OWNED BY {role}")).await;
    db.run_sql(&format!("DROP ROLE {role}")).await;
    db.cleanup().await;

    // An unprepared warehouse is refused, not migrated.
    let empty = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_jiuye"))
        .args(["serve", "--addr", &format!("127.0.0.1:{}", free_port())])
        .env("JIUYE_DATABASE_URL", empty.path().join("w.db"))
        .env("JIUYE_SECRET_KEY", "2a".repeat(32))
        .env_remove("JIUYE_KEY_FILE")
        .env_remove("JIUYE_DATABASE_SCHEMA")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("jiuye migrate"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Machine tokens expire and can be revoked by the id `jiuye token list` shows; both are
/// refused from then on, and the revocation is audited. Multi-threaded: the CLI runs as
/// a blocking child process while this process's audit writer may be mid-transaction,
/// and on one thread that writer could not finish (the child would wait for its lock).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn machine_tokens_expire_and_can_be_revoked() {
    for db in backends().await {
        let jiuye = |args: &[&str]| db.cli().args(args).output().unwrap();
        let srv = server::start(&db).await;
        let ask = |token: String| {
            let srv = &srv;
            async move { srv.post(Some(&token), None, json!({ "query": "{ me { holder } }" })).await.0 }
        };
        let out = jiuye(&[
            "token",
            "create",
            "--role",
            "city_analyst",
            "--label",
            "报表系统",
            "--expires-in-days",
            "30",
        ]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let token = String::from_utf8_lossy(&out.stdout).trim().to_string();
        assert_eq!(ask(token.clone()).await, 200);

        let list = String::from_utf8_lossy(&jiuye(&["token", "list"]).stdout).to_string();
        let line = list.lines().find(|l| l.contains("报表系统")).unwrap_or_else(|| panic!("{list}"));
        let id = line.split_whitespace().next().unwrap().to_string();
        assert!(!list.contains(&token), "the list never shows a token");
        let out = jiuye(&["token", "revoke", "--id", &id]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        assert_eq!(ask(token).await, 401, "a revoked token is refused");
        let again = jiuye(&["token", "revoke", "--id", &id]);
        assert!(
            String::from_utf8_lossy(&again.stderr).contains("no live token"),
            "{}",
            String::from_utf8_lossy(&again.stderr)
        );

        let other = jiuye_graphql::auth::create_token(&db.warehouse, "city_analyst", None, Some("旧系统"))
            .await
            .unwrap();
        assert_eq!(ask(other.clone()).await, 200);
        db.run_sql("UPDATE meta_token SET expires_at = '2020-01-01T00:00:00.000000Z' WHERE label = '旧系统'")
            .await;
        assert_eq!(ask(other).await, 401, "an expired token is refused");

        let bad = jiuye(&["token", "create", "--role", "city_analyst", "--expires-in-days", "0"]);
        assert!(!bad.status.success());
        let records = AuditLog::new(db.warehouse.clone(), support::keys())
            .list(
                &AuditFilter {
                    action: Some("token.revoked".into()),
                    ..AuditFilter::default()
                },
                10,
            )
            .await
            .unwrap();
        assert_eq!(records.len(), 1);
        assert!(records[0].detail.contains("报表系统"), "{}", records[0].detail);
        srv.handle.abort();
        db.cleanup().await;
    }
}
