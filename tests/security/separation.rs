//! Roles as data and 三员分立 over GraphQL, on SQLite and PostgreSQL: the system
//! administrator makes accounts, the security administrator gives them roles and defines
//! business roles, the audit administrator reads what both did — and none of them can do
//! another's job, or make themself (or anyone) another administrator.

use serde_json::{Value, json};

use crate::support::server::{SESSION_PASSWORD, Server};
use crate::support::{backends, fixtures, server};

const TEMPORARY: &str = "Temporary-Pass-2026";
const CHOSEN: &str = "Chosen-Passw0rd-9";

fn code(answer: &Value) -> &str {
    answer["errors"][0]["extensions"]["code"].as_str().unwrap_or("ok")
}

fn metrics(indicators: &str) -> String {
    format!(r#"{{ metrics(indicators: [{indicators}], grain: MONTH, timeRange: {{from: "2024-03-01", to: "2024-03-31"}}) {{ rows }} }}"#)
}

async fn login(srv: &Server, username: &str, password: &str) -> Value {
    let body = json!({
        "query": "mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token passwordExpired } }",
        "variables": { "u": username, "p": password },
    });
    srv.post(None, None, body).await.2
}

#[tokio::test]
async fn three_administrators_each_do_their_own_job_only() {
    for db in backends().await {
        let dir = tempfile::tempdir().unwrap();
        fixtures::write_regs(dir.path(), "employment_registration_20240301.csv", &fixtures::sample());
        db.load(dir.path()).await;
        let srv = server::start(&db).await;
        let system = srv.session(&db, "sys", "system_admin", None).await;
        let security = srv.session(&db, "sec", "security_admin", None).await;
        let auditor = srv.session(&db, "aud", "audit_admin", None).await;

        // The system administrator makes an account; it has no role, and its password
        // must be changed first.
        let create = format!(
            r#"mutation {{ createUser(username: "zhou", displayName: "周", temporaryPassword: "{TEMPORARY}") {{ username role passwordExpired }} }}"#
        );
        let made = srv.query(&system, &create).await;
        assert_eq!(
            made["data"]["createUser"],
            json!({ "username": "zhou", "role": "", "passwordExpired": true }),
            "{made}"
        );
        let first = login(&srv, "zhou", TEMPORARY).await;
        assert_eq!(first["data"]["login"]["passwordExpired"], true, "{first}");
        let zhou = first["data"]["login"]["token"].as_str().unwrap().to_string();
        let change = format!(r#"mutation {{ changePassword(oldPassword: "{TEMPORARY}", newPassword: "{CHOSEN}") }}"#);
        assert_eq!(srv.query(&zhou, &change).await["data"]["changePassword"], true);
        let zhou = login(&srv, "zhou", CHOSEN).await["data"]["login"]["token"]
            .as_str()
            .unwrap()
            .to_string();
        assert_eq!(
            code(&srv.query(&zhou, &metrics(r#""hire_persons""#)).await),
            "FORBIDDEN",
            "no role, no figures"
        );

        // Only the security administrator gives roles and defines them.
        let assign = r#"mutation { assignRole(username: "zhou", role: "viewer") }"#;
        assert_eq!(code(&srv.query(&system, assign).await), "FORBIDDEN");
        assert_eq!(srv.query(&security, assign).await["data"]["assignRole"], true);
        assert_eq!(code(&srv.query(&zhou, &metrics(r#""hire_persons""#)).await), "ok");
        let save = r#"mutation { saveRole(role: {name: "hire_only", title: "仅看就业登记", scope: "city", permissions: ["indicator.read"], indicators: ["hire_persons"]}) { name duty indicators } }"#;
        assert_eq!(code(&srv.query(&system, save).await), "FORBIDDEN");
        let saved = srv.query(&security, save).await;
        assert_eq!(
            saved["data"]["saveRole"],
            json!({ "name": "hire_only", "duty": "business", "indicators": ["hire_persons"] }),
            "{saved}"
        );
        srv.query(&security, r#"mutation { assignRole(username: "zhou", role: "hire_only") }"#)
            .await;
        assert_eq!(code(&srv.query(&zhou, &metrics(r#""hire_persons""#)).await), "ok");
        let other = srv.query(&zhou, &metrics(r#""hire_persons", "separation_persons""#)).await;
        assert_eq!(code(&other), "FORBIDDEN", "{other}");
        assert_eq!(
            code(&srv.query(&zhou, r#"{ board(code: "situation_analysis") { code } }"#).await),
            "FORBIDDEN"
        );

        // 三员分立 holds against each administrator's attempts.
        let mixed = r#"mutation { saveRole(role: {name: "spy", title: "间谍", scope: "city", permissions: ["indicator.read", "audit.read"]}) { name } }"#;
        let refused = srv.query(&security, mixed).await;
        assert!(
            refused["errors"][0]["message"].as_str().unwrap_or("").contains("三员分立"),
            "{refused}"
        );
        for role in ["audit_admin", "system_admin"] {
            let promote = format!(r#"mutation {{ assignRole(username: "zhou", role: "{role}") }}"#);
            assert_eq!(code(&srv.query(&security, &promote).await), "FORBIDDEN", "{role}");
        }
        let own = r#"mutation { assignRole(username: "sec", role: "viewer") }"#;
        assert_eq!(code(&srv.query(&security, own).await), "FORBIDDEN");
        let fixed =
            r#"mutation { saveRole(role: {name: "audit_admin", title: "审计", scope: "city", permissions: ["indicator.read"]}) { name } }"#;
        assert_eq!(code(&srv.query(&security, fixed).await), "BAD_USER_INPUT");
        for (who, token) in [("system", &system), ("security", &security)] {
            for field in [
                "{ auditLog { next } }",
                r#"{ metrics(indicators: ["hire_persons"], grain: MONTH, timeRange: {from: "2024-03-01", to: "2024-03-31"}) { rows } }"#,
            ] {
                assert_eq!(code(&srv.query(token, field).await), "FORBIDDEN", "{who}: {field}");
            }
        }
        assert_eq!(code(&srv.query(&security, "{ tokens { id } }").await), "FORBIDDEN");
        assert_eq!(code(&srv.query(&system, "{ roles { name } }").await), "FORBIDDEN");
        for field in ["{ users { username } }", "{ roles { name } }", &metrics(r#""hire_persons""#)] {
            assert_eq!(code(&srv.query(&auditor, field).await), "FORBIDDEN", "auditor: {field}");
        }

        // The system administrator disables the account: its session ends at once.
        let disable = r#"mutation { setUserDisabled(username: "zhou", disabled: true) }"#;
        assert_eq!(code(&srv.query(&security, disable).await), "FORBIDDEN");
        assert_eq!(srv.query(&system, disable).await["data"]["setUserDisabled"], true);
        let (status, _, _) = srv.post(Some(&zhou), None, json!({ "query": "{ me { holder } }" })).await;
        assert_eq!(status, 401);

        // The audit administrator reads who did what, and nobody's password.
        srv.audit.flush().await;
        let log = srv
            .query(&auditor, "{ auditLog(first: 500) { entries { actor action outcome detail } } }")
            .await;
        let entries = log["data"]["auditLog"]["entries"].as_array().cloned().unwrap_or_default();
        let did = |actor: &str, action: &str, outcome: &str| {
            entries
                .iter()
                .any(|e| e["actor"] == actor && e["action"] == action && e["outcome"] == outcome)
        };
        assert!(did("sys", "mutation.createUser", "ok"), "{log}");
        assert!(did("sec", "mutation.saveRole", "ok"), "{log}");
        assert!(did("sys", "mutation.assignRole", "FORBIDDEN"), "{log}");
        assert!(did("sec", "mutation.assignRole", "FORBIDDEN"), "{log}");
        let text = log.to_string();
        for secret in [TEMPORARY, CHOSEN, SESSION_PASSWORD] {
            assert!(!text.contains(secret), "a password reached the log");
        }
        srv.handle.abort();
        db.cleanup().await;
    }
}
