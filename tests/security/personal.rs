//! 个人中心 on SQLite and PostgreSQL: a user lists and ends their own sessions, makes
//! and revokes their own tokens, enrols a second factor that every later login then asks
//! for, and reads their own recent activity — and reaches nobody else's through it.

use chrono::Utc;
use jiuye_identity::{Totp, base32_decode};
use serde_json::{Value, json};

use crate::support::server::{SESSION_PASSWORD, Server};
use crate::support::{backends, server};

fn code(answer: &Value) -> &str {
    answer["errors"][0]["extensions"]["code"].as_str().unwrap_or("ok")
}

async fn login(srv: &Server, username: &str, code: Option<&str>) -> Value {
    let body = json!({
        "query": "mutation($u: String!, $p: String!, $c: String) { login(username: $u, password: $p, code: $c) { token } }",
        "variables": { "u": username, "p": SESSION_PASSWORD, "c": code },
    });
    srv.post(None, None, body).await.2
}

async fn status(srv: &Server, token: &str) -> u16 {
    srv.post(Some(token), None, json!({ "query": "{ me { holder } }" })).await.0
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_keeps_their_own_sessions_tokens_and_second_factor() {
    for db in backends().await {
        let srv = server::start(&db).await;
        let first = srv.session(&db, "li", "city_analyst", None).await;
        let second = login(&srv, "li", None).await["data"]["login"]["token"]
            .as_str()
            .unwrap()
            .to_string();
        let other = srv.session(&db, "wu", "viewer", None).await;

        // Sessions: both listed, the current one marked; ending the other ends it.
        let sessions = srv.query(&first, "{ mySessions { id live current } }").await;
        let list = sessions["data"]["mySessions"].as_array().cloned().unwrap_or_default();
        assert_eq!(list.len(), 2, "{sessions}");
        let (current, other_session): (Vec<&Value>, Vec<&Value>) = list.iter().partition(|s| s["current"] == true);
        assert_eq!((current.len(), other_session.len()), (1, 1), "{sessions}");
        let id = other_session[0]["id"].as_str().unwrap();
        let wus = srv.query(&other, &format!(r#"mutation {{ revokeMySession(id: "{id}") }}"#)).await;
        assert_eq!(wus["data"]["revokeMySession"], false, "another's session is not reachable: {wus}");
        assert_eq!(status(&srv, &second).await, 200);
        let ended = srv.query(&first, &format!(r#"mutation {{ revokeMySession(id: "{id}") }}"#)).await;
        assert_eq!(ended["data"]["revokeMySession"], true, "{ended}");
        assert_eq!(status(&srv, &second).await, 401);
        let short = srv.query(&first, r#"mutation { revokeMySession(id: "ab") }"#).await;
        assert_eq!(code(&short), "BAD_USER_INPUT", "{short}");

        // Tokens: made with the user's own role, listed, revoked; not another's.
        let made = srv
            .query(
                &first,
                r#"mutation { createMyToken(label: "周报脚本", days: 7) { token info { id role owner holder } } }"#,
            )
            .await;
        let token = made["data"]["createMyToken"]["token"]
            .as_str()
            .unwrap_or_else(|| panic!("{made}"))
            .to_string();
        assert_eq!(made["data"]["createMyToken"]["info"]["role"], "city_analyst");
        assert_eq!(made["data"]["createMyToken"]["info"]["owner"], "li");
        assert_eq!(status(&srv, &token).await, 200);
        let too_long = srv
            .query(&first, r#"mutation { createMyToken(label: "x", days: 400) { token } }"#)
            .await;
        assert_eq!(code(&too_long), "BAD_USER_INPUT");
        let id = made["data"]["createMyToken"]["info"]["id"].as_str().unwrap();
        let mine = srv.query(&first, "{ myTokens { id } }").await;
        assert_eq!(mine["data"]["myTokens"], json!([{ "id": id }]), "{mine}");
        assert_eq!(srv.query(&other, "{ myTokens { id } }").await["data"]["myTokens"], json!([]));
        let steal = srv.query(&other, &format!(r#"mutation {{ revokeMyToken(id: "{id}") }}"#)).await;
        assert_eq!(steal["data"]["revokeMyToken"], false, "{steal}");
        assert_eq!(status(&srv, &token).await, 200);
        let revoked = srv.query(&first, &format!(r#"mutation {{ revokeMyToken(id: "{id}") }}"#)).await;
        assert_eq!(revoked["data"]["revokeMyToken"], true, "{revoked}");
        assert_eq!(status(&srv, &token).await, 401);
        let machine = jiuye_graphql::auth::create_token(&db.warehouse, "city_analyst", None, None)
            .await
            .unwrap();
        assert_eq!(
            code(&srv.query(&machine, "{ mySessions { id } }").await),
            "BAD_USER_INPUT",
            "machines have no 个人中心"
        );

        // A second factor: enrolled with a code from the new secret, then required.
        let begun = srv.query(&first, "mutation { beginTotpEnrolment { secret uri } }").await;
        let secret = begun["data"]["beginTotpEnrolment"]["secret"]
            .as_str()
            .unwrap_or_else(|| panic!("{begun}"));
        assert!(
            begun["data"]["beginTotpEnrolment"]["uri"]
                .as_str()
                .unwrap()
                .starts_with("otpauth://totp/jiuye:li?")
        );
        let totp = Totp::from_secret(base32_decode(secret).unwrap());
        let wrong = srv.query(&first, r#"mutation { confirmTotpEnrolment(code: "000000") }"#).await;
        assert_eq!(code(&wrong), "BAD_USER_INPUT", "{wrong}");
        let now = totp.code_at(Utc::now().timestamp());
        let confirmed = srv
            .query(&first, &format!(r#"mutation {{ confirmTotpEnrolment(code: "{now}") }}"#))
            .await;
        assert_eq!(confirmed["data"]["confirmTotpEnrolment"], true, "{confirmed}");
        assert_eq!(
            code(&login(&srv, "li", None).await),
            "UNAUTHENTICATED",
            "a code is required from now on"
        );
        // The confirming code was used; the next step's code opens a session.
        let next = totp.code_at(Utc::now().timestamp() + 30);
        assert_eq!(code(&login(&srv, "li", Some(&next)).await), "ok");

        // Own activity, newest first, only one's own.
        srv.audit.flush().await;
        let activity = srv.query(&first, "{ myActivity(first: 50) { at action outcome } }").await;
        let actions: Vec<&str> = activity["data"]["myActivity"]
            .as_array()
            .unwrap_or_else(|| panic!("{activity}"))
            .iter()
            .map(|e| e["action"].as_str().unwrap())
            .collect();
        assert!(
            actions.contains(&"mutation.confirmTotpEnrolment") && actions.contains(&"mutation.createMyToken"),
            "{actions:?}"
        );
        assert!(
            !actions.contains(&"mutation.revokeMyToken") || actions.iter().filter(|a| **a == "mutation.revokeMyToken").count() == 1,
            "wu's attempt is wu's: {actions:?}"
        );
        let ats: Vec<&str> = activity["data"]["myActivity"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["at"].as_str().unwrap())
            .collect();
        assert!(ats.windows(2).all(|w| w[0] >= w[1]), "newest first: {ats:?}");
        srv.handle.abort();
        db.cleanup().await;
    }
}
